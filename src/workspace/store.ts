import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { type Block, normalizeBlocks } from './blocks.ts';
import { WorkspaceFiles } from './files.ts';

/** A person of the local workspace. */
export interface Person {
  slackId: string;
  name: string;
  email: string;
  title?: string;
}

/** A public channel of the local workspace. */
export interface Channel {
  id: string;
  name: string;
}

/** A message in a channel or DM; `visibleTo` makes it ephemeral. */
export interface StoredMessage {
  channel: string;
  ts: string;
  /** Author: the bot user id for everything the bot posts. */
  user: string;
  text: string;
  blocks: Block[];
  threadTs?: string;
  visibleTo?: string;
  edited?: string;
  /** Files shared with the message (`files.completeUploadExternal`). */
  files?: string[];
}

/** A modal or App Home view as the workspace keeps it. */
export interface StoredView {
  id: string;
  user: string;
  type: 'modal' | 'home';
  /** The view payload the bot sent, with block ids filled in. */
  view: Record<string, unknown> & { blocks: Block[] };
  hash: string;
  rootViewId: string;
  previousViewId: string | null;
  externalId: string | null;
  /** Errors from the last `response_action: 'errors'`, or a workspace error under `''`. */
  errors: Record<string, string>;
  /** Last state reported to the bot, so `views.*` answers carry it. */
  state: Record<string, unknown>;
}

/** Who a trigger_id was issued to, when, and whether it was used. */
interface Trigger {
  user: string;
  issuedAt: number;
  used: boolean;
}

/** Where a response_url posts: the command's channel, or the message that carried a button. */
export interface ResponseTarget {
  user: string;
  channel: string;
  /** ts of the message the action came from (for replace_original / delete_original). */
  messageTs?: string;
  uses: number;
}

/** One Web API call the bot made, for tests and the page's log. */
export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  ok: boolean;
  error?: string;
}

/** In-memory state of the local workspace: conversations, views, triggers, response URLs. */
export class WorkspaceStore {
  readonly messages: StoredMessage[] = [];
  readonly views = new Map<string, StoredView>();
  /** Modal stack per user, bottom first. */
  readonly modalStacks = new Map<string, string[]>();
  /** App Home view id per user. */
  readonly homes = new Map<string, string>();
  readonly calls: ApiCall[] = [];
  readonly files = new WorkspaceFiles();
  readonly #triggers = new Map<string, Trigger>();
  readonly #responses = new Map<string, ResponseTarget>();
  #version = 0;
  #waiters = new Set<() => void>();
  #lastTs = 0;
  #closed = false;

  readonly channels: Channel[];

  constructor(
    readonly people: Person[],
    channels: Channel[],
    readonly clock: Clock,
  ) {
    // Slack's channel names carry no '#'; accept '#access-approvals' as well.
    this.channels = channels.map((c) => ({ ...c, name: c.name.replace(/^#/, '') }));
  }

  /** Increases on every change; the page long-polls on it. */
  get version(): number {
    return this.#version;
  }

  /** Records a change and wakes every waiting poll. */
  changed(): void {
    this.#version += 1;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves when the version moves past `since`, or after `timeoutMs`. */
  waitForChange(since: number, timeoutMs: number): Promise<void> {
    if (this.#version !== since || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      this.#waiters.add(wake);
    });
  }

  /** Answers every held poll now and stops holding new ones, so the server can close. */
  close(): void {
    this.#closed = true;
    this.changed();
  }

  person(slackId: string): Person | undefined {
    return this.people.find((p) => p.slackId === slackId);
  }

  /** The DM channel id between the bot and a person: `D` + the rest of their id. */
  dmId(slackId: string): string {
    return `D${slackId.slice(1)}`;
  }

  /** The person a DM channel belongs to. */
  dmOwner(channel: string): Person | undefined {
    return this.people.find((p) => this.dmId(p.slackId) === channel);
  }

  /** Resolves a channel argument (channel id, DM id, or a user id meaning their DM). */
  resolveChannel(channel: string): string | undefined {
    if (this.channels.some((c) => c.id === channel)) return channel;
    if (this.dmOwner(channel)) return channel;
    if (this.person(channel)) return this.dmId(channel);
    return undefined;
  }

  /** A fresh Slack-style ts, strictly increasing: `<seconds>.<microseconds>`. */
  nextTs(): string {
    const micros = Math.max(this.clock.now().getTime() * 1000, this.#lastTs + 1);
    this.#lastTs = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  addMessage(message: Omit<StoredMessage, 'ts' | 'blocks'> & { blocks?: unknown }): StoredMessage {
    const stored: StoredMessage = {
      ...message,
      ts: this.nextTs(),
      blocks: normalizeBlocks(message.blocks),
    };
    this.messages.push(stored);
    this.changed();
    return stored;
  }

  findMessage(channel: string, ts: string): StoredMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  removeMessage(message: StoredMessage): void {
    const at = this.messages.indexOf(message);
    if (at >= 0) this.messages.splice(at, 1);
    this.changed();
  }

  /** Issues a trigger_id to `user`, valid once for `views.open` / `views.push`. */
  issueTrigger(user: string): string {
    const now = this.clock.now().getTime();
    const id = `${Math.floor(now / 1000)}.${randomDigits(12)}.${randomBytes(16).toString('hex')}`;
    this.#triggers.set(id, { user, issuedAt: now, used: false });
    return id;
  }

  /** Uses a trigger: the user it belongs to, or the Slack error why it cannot be used. */
  exchangeTrigger(id: string, ttlMs: number): { user: string } | { error: string } {
    const trigger = this.#triggers.get(id);
    if (!trigger) return { error: 'invalid_trigger_id' };
    if (trigger.used) return { error: 'exchanged_trigger_id' };
    if (this.clock.now().getTime() - trigger.issuedAt > ttlMs) {
      return { error: 'expired_trigger_id' };
    }
    trigger.used = true;
    return { user: trigger.user };
  }

  /** Registers a response_url target and returns its id. */
  issueResponseUrl(target: Omit<ResponseTarget, 'uses'>): string {
    const id = randomBytes(12).toString('hex');
    this.#responses.set(id, { ...target, uses: 0 });
    return id;
  }

  responseTarget(id: string): ResponseTarget | undefined {
    return this.#responses.get(id);
  }

  /** Creates or replaces a view; the hash changes on every write, as Slack's does. */
  putView(view: StoredView): StoredView {
    this.views.set(view.id, view);
    this.changed();
    return view;
  }

  newViewId(): string {
    return `V${randomBytes(8).toString('hex').toUpperCase().slice(0, 10)}`;
  }

  newHash(): string {
    return `${Math.floor(this.clock.now().getTime() / 1000)}.${randomBytes(6).toString('hex')}`;
  }

  viewByExternalId(externalId: string): StoredView | undefined {
    return [...this.views.values()].find((v) => v.externalId === externalId);
  }

  /** The modal on top of `user`'s stack, if any. */
  topModal(user: string): StoredView | undefined {
    const stack = this.modalStacks.get(user) ?? [];
    const id = stack[stack.length - 1];
    return id ? this.views.get(id) : undefined;
  }

  pushModal(user: string, viewId: string): void {
    const stack = this.modalStacks.get(user) ?? [];
    stack.push(viewId);
    this.modalStacks.set(user, stack);
    this.changed();
  }

  /** Closes the top modal (or all of them with `all`). */
  popModal(user: string, all = false): void {
    const stack = this.modalStacks.get(user) ?? [];
    const closed = all ? stack.splice(0) : stack.splice(-1);
    for (const id of closed) this.views.delete(id);
    this.changed();
  }
}

function randomDigits(n: number): string {
  let out = '';
  for (const byte of randomBytes(n)) out += String(byte % 10);
  return out;
}
