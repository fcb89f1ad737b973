import type { CustomRoute } from '@slack/bolt';
import { type Clock, systemClock } from '../clock.ts';
import {
  closeView,
  type Inputs,
  type Outcome,
  openHome,
  runAction,
  runCommand,
  type Source,
  submitView,
  type WorkspaceContext,
} from './interactions.ts';
import { type PageState, pageState } from './page-state.ts';
import { workspaceRoutes } from './routes.ts';
import { type Channel, type Person, WorkspaceStore } from './store.ts';
import type { WorkspaceIdentity } from './web-api.ts';

export { signSlackRequest } from './signing.ts';
export type { ApiCall, Channel, Person, StoredMessage, StoredView } from './store.ts';
export { supportedMethods } from './web-api.ts';
export type { Inputs, Outcome, PageState, Source };

/** How to build a local workspace that stands in for Slack. */
export interface WorkspaceOptions {
  /** The secret the bot verifies requests with; the workspace signs with it. */
  signingSecret: string;
  /** Web API calls must carry it (`Authorization: Bearer`); others get `invalid_auth`. */
  botToken: string;
  /** The bot's events endpoint, e.g. http://127.0.0.1:3000/slack/events. */
  eventsUrl: string;
  /** Where the page and response URLs are served, e.g. http://localhost:3000. */
  publicUrl: string;
  people: Person[];
  channels: Channel[];
  botUserId: string;
  teamId: string;
  botId?: string;
  appId?: string;
  teamName?: string;
  /** How long a trigger_id stays usable (Slack: 3 s). */
  triggerTtlMs?: number;
  clock?: Clock;
}

/** A running local workspace: its routes, its state, and hooks to act as a person. */
export interface LocalWorkspace {
  /** Mount these with Bolt's `customRoutes`. */
  routes: CustomRoute[];
  /** In-memory messages, views and the log of Web API calls. */
  store: WorkspaceStore;
  identity: WorkspaceIdentity;
  /** Changes the URLs once the server's port is known. */
  setUrls(urls: { eventsUrl?: string; publicUrl?: string }): void;
  /** The page state as `userId` sees it. */
  stateFor(userId: string | null): PageState;
  /** Acts as a person, exactly as the page does (signed requests to the bot). */
  as(userId: string): PersonHooks;
  /** Releases the page's held polls; call before stopping the server. */
  close(): void;
}

/** What a person can do in the workspace; each call resolves once the bot answered HTTP. */
export interface PersonHooks {
  command(channelId: string, line: string): Promise<Outcome>;
  action(input: {
    source: Source;
    blockId: string;
    actionId: string;
    value?: string | string[] | null;
    inputs?: Inputs;
  }): Promise<Outcome>;
  submit(viewId: string, inputs: Inputs): Promise<Outcome>;
  close(viewId: string): Promise<Outcome>;
  openHome(): Promise<Outcome>;
}

/** Builds a local workspace: Slack's Web API and a browser page, for mounting into the bot. */
export function createLocalWorkspace(opts: WorkspaceOptions): LocalWorkspace {
  const store = new WorkspaceStore(opts.people, opts.channels, opts.clock ?? systemClock);
  const identity: WorkspaceIdentity = {
    teamId: opts.teamId,
    teamName: opts.teamName ?? 'Local workspace',
    botUserId: opts.botUserId,
    botId: opts.botId ?? 'B0LOCALBOT',
    appId: opts.appId ?? 'A0LOCALAPP',
    publicUrl: opts.publicUrl,
    triggerTtlMs: opts.triggerTtlMs ?? 3_000,
  };
  const ctx: WorkspaceContext = {
    store,
    id: identity,
    signingSecret: opts.signingSecret,
    urls: { eventsUrl: opts.eventsUrl, publicUrl: opts.publicUrl },
  };
  const person = (userId: string) => {
    const p = store.person(userId);
    if (!p) throw new Error(`no person ${userId} in the local workspace`);
    return p;
  };
  return {
    routes: workspaceRoutes(ctx, opts.botToken),
    store,
    identity,
    setUrls(urls) {
      if (urls.eventsUrl) ctx.urls.eventsUrl = urls.eventsUrl;
      if (urls.publicUrl) {
        ctx.urls.publicUrl = urls.publicUrl;
        identity.publicUrl = urls.publicUrl;
      }
    },
    stateFor: (userId) => pageState(store, identity, userId),
    as: (userId) => ({
      command: (channelId, line) => runCommand(ctx, person(userId), channelId, line),
      action: (a) =>
        runAction(ctx, person(userId), { ...a, value: a.value ?? null, inputs: a.inputs ?? {} }),
      submit: (viewId, inputs) => submitView(ctx, person(userId), viewId, inputs),
      close: (viewId) => closeView(ctx, person(userId), viewId),
      openHome: () => openHome(ctx, person(userId)),
    }),
    close: () => store.close(),
  };
}
