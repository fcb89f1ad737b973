/** Objects as the Web API and interaction payloads carry them: messages, views, users. */
import type { Person, StoredMessage, StoredView } from './store.ts';

/** Identity of the app and workspace, as `auth.test` and payloads report them. */
export interface WorkspaceIdentity {
  teamId: string;
  teamName: string;
  botUserId: string;
  botId: string;
  appId: string;
  publicUrl: string;
  /** How long a trigger_id may be exchanged after it was issued (Slack: 3 s). */
  triggerTtlMs: number;
}

/** A message as the Web API returns it. */
export function messageJson(m: StoredMessage, id: WorkspaceIdentity): Record<string, unknown> {
  return {
    type: 'message',
    text: m.text,
    user: m.user,
    ...(m.user === id.botUserId ? { bot_id: id.botId, app_id: id.appId } : {}),
    ts: m.ts,
    team: id.teamId,
    blocks: m.blocks,
    ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
    ...(m.edited ? { edited: { user: m.user, ts: m.edited } } : {}),
  };
}

/** A view as the Web API and interaction payloads carry it. */
export function viewJson(v: StoredView, id: WorkspaceIdentity): Record<string, unknown> {
  return {
    id: v.id,
    team_id: id.teamId,
    private_metadata: '',
    callback_id: '',
    clear_on_close: false,
    notify_on_close: false,
    ...v.view,
    type: v.type,
    blocks: v.view.blocks,
    state: { values: v.state },
    hash: v.hash,
    previous_view_id: v.previousViewId,
    root_view_id: v.rootViewId,
    app_id: id.appId,
    external_id: v.externalId ?? '',
    app_installed_team_id: id.teamId,
    bot_id: id.botId,
  };
}

/** A person as `users.info` returns them. */
export function userJson(p: Person, id: WorkspaceIdentity): Record<string, unknown> {
  const handle = p.email.split('@')[0] ?? p.slackId;
  return {
    id: p.slackId,
    team_id: id.teamId,
    name: handle,
    real_name: p.name,
    deleted: false,
    is_bot: false,
    is_admin: false,
    tz: 'Europe/London',
    profile: {
      real_name: p.name,
      display_name: p.name,
      email: p.email,
      title: p.title ?? '',
      team: id.teamId,
    },
  };
}
