import type { StoredMessage, WorkspaceStore } from './store.ts';
import type { WorkspaceIdentity } from './web-api.ts';

/** A conversation in the page's sidebar. */
export interface PageConversation {
  id: string;
  name: string;
  kind: 'channel' | 'dm';
}

/** A message as the page renders it. */
export interface PageMessage {
  ts: string;
  user: string;
  userName: string;
  isBot: boolean;
  text: string;
  blocks: unknown[];
  ephemeral: boolean;
  edited: boolean;
  threadTs?: string;
  /** Files shared with the message, each with the person's download link. */
  files?: PageFile[];
}

/** A file under a message. */
export interface PageFile {
  id: string;
  name: string;
  title: string;
  size: number;
  url: string;
}

/** Everything the page shows, from one person's point of view. */
export interface PageState {
  version: number;
  teamName: string;
  botUserId: string;
  botName: string;
  people: Array<{ id: string; name: string; email: string; title: string }>;
  me: string | null;
  conversations: PageConversation[];
  messages: Record<string, PageMessage[]>;
  modal: {
    id: string;
    depth: number;
    view: Record<string, unknown>;
    errors: Record<string, string>;
  } | null;
  home: { id: string; hash: string; view: Record<string, unknown> } | null;
}

/** The display name of the bot in the page. */
export const BOT_NAME = 'accessdesk';

function visible(m: StoredMessage, me: string | null): boolean {
  return !m.visibleTo || m.visibleTo === me;
}

function pageFiles(store: WorkspaceStore, ids: string[], me: string): PageFile[] {
  return ids.flatMap((fileId) => {
    const file = store.files.get(fileId);
    if (!file?.content) return [];
    const url = `/workspace/files/${file.id}?user=${encodeURIComponent(me)}`;
    return [{ id: file.id, name: file.name, title: file.title, size: file.content.length, url }];
  });
}

/** The page shows each conversation's newest messages, at most this many (Slack pages too). */
export const PAGE_MESSAGES = 200;

/** Builds the page's state for `me` (or the bare workspace when nobody is chosen). */
export function pageState(
  store: WorkspaceStore,
  id: WorkspaceIdentity,
  me: string | null,
): PageState {
  const person = me ? store.person(me) : undefined;
  const conversations: PageConversation[] = store.channels.map((c) => ({
    id: c.id,
    name: c.name.replace(/^#/, ''),
    kind: 'channel',
  }));
  if (person) conversations.push({ id: store.dmId(person.slackId), name: BOT_NAME, kind: 'dm' });
  const names = new Map(store.people.map((p) => [p.slackId, p.name]));
  const messages: Record<string, PageMessage[]> = {};
  for (const c of conversations) {
    messages[c.id] = store.messages
      .filter((m) => m.channel === c.id && visible(m, person?.slackId ?? null))
      .slice(-PAGE_MESSAGES)
      .map((m) => ({
        ts: m.ts,
        user: m.user,
        userName: m.user === id.botUserId ? BOT_NAME : (names.get(m.user) ?? m.user),
        isBot: m.user === id.botUserId,
        text: m.text,
        blocks: m.blocks,
        ephemeral: Boolean(m.visibleTo),
        edited: Boolean(m.edited),
        ...(m.threadTs ? { threadTs: m.threadTs } : {}),
        ...(m.files && person ? { files: pageFiles(store, m.files, person.slackId) } : {}),
      }));
  }
  const modal = person ? store.topModal(person.slackId) : undefined;
  const home = person ? store.views.get(store.homes.get(person.slackId) ?? '') : undefined;
  return {
    version: store.version,
    teamName: id.teamName,
    botUserId: id.botUserId,
    botName: BOT_NAME,
    people: store.people.map((p) => ({
      id: p.slackId,
      name: p.name,
      email: p.email,
      title: p.title ?? '',
    })),
    me: person?.slackId ?? null,
    conversations,
    messages,
    modal: modal
      ? {
          id: modal.id,
          depth: store.modalStacks.get(modal.user)?.length ?? 1,
          view: { ...modal.view, hash: modal.hash },
          errors: modal.errors,
        }
      : null,
    home: home ? { id: home.id, hash: home.hash, view: home.view } : null,
  };
}
