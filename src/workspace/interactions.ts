import {
  type Block,
  buildAction,
  buildStateValues,
  findElement,
  normalizeBlocks,
  type RawInput,
} from './blocks.ts';
import { fileResolver } from './files.ts';
import { eventEnvelope, interactionBase, interactionBody, slashCommandBody } from './payloads.ts';
import { applyResponse, responseMessageSchema } from './responses.ts';
import { type BotReply, postSigned } from './signing.ts';
import type { Person, StoredView, WorkspaceStore } from './store.ts';
import { messageJson, viewJson, type WorkspaceIdentity } from './web-api.ts';

/** Everything the Slack side of the workspace needs to talk to the bot. */
export interface WorkspaceContext {
  store: WorkspaceStore;
  id: WorkspaceIdentity;
  signingSecret: string;
  urls: { eventsUrl: string; publicUrl: string };
}

/** What the page is told after it asked the workspace to do something. */
export type Outcome = { ok: true } | { ok: false; error: string };

/** Inputs of a surface as the page reports them: `[block_id][action_id]`. */
export type Inputs = Record<string, Record<string, RawInput>>;

/** Where a clicked or changed element lives. */
export type Source =
  | { kind: 'message'; channel: string; ts: string }
  | { kind: 'view'; viewId: string };

const filesOf = (ctx: WorkspaceContext, person: Person) =>
  fileResolver(ctx.store, ctx.id, person.slackId);

const nowSeconds = (ctx: WorkspaceContext) => ctx.store.clock.now().getTime() / 1000;

function responseUrl(
  ctx: WorkspaceContext,
  target: Parameters<WorkspaceStore['issueResponseUrl']>[0],
) {
  const base = ctx.urls.publicUrl.replace(/\/$/, '');
  return `${base}/workspace/response/${ctx.store.issueResponseUrl(target)}`;
}

async function send(
  ctx: WorkspaceContext,
  body: string,
  type: 'application/json' | 'application/x-www-form-urlencoded',
): Promise<BotReply | { error: string }> {
  try {
    return await postSigned(ctx.urls.eventsUrl, ctx.signingSecret, body, type, nowSeconds(ctx));
  } catch (err) {
    return { error: `dispatch_failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function replyError(reply: BotReply | { error: string }): string | undefined {
  if ('error' in reply) return reply.error;
  if (reply.status >= 200 && reply.status < 300) return undefined;
  return `the app answered HTTP ${reply.status}`;
}

function parseReplyJson(reply: BotReply): unknown {
  if (!reply.body.trim()) return undefined;
  try {
    return JSON.parse(reply.body);
  } catch {
    return reply.body;
  }
}

/** `/access request` typed by `person` in `channelId`: signed slash command to the bot. */
export async function runCommand(
  ctx: WorkspaceContext,
  person: Person,
  channelId: string,
  line: string,
): Promise<Outcome> {
  const match = /^(\/\S+)\s*([\s\S]*)$/.exec(line.trim());
  if (!match) return { ok: false, error: 'not a slash command' };
  const channel = ctx.store.channels.find((c) => c.id === channelId) ?? {
    id: channelId,
    name: 'directmessage',
  };
  const target = { user: person.slackId, channel: channelId };
  const body = slashCommandBody({
    id: ctx.id,
    person,
    channel,
    command: match[1]!,
    text: match[2]!,
    triggerId: ctx.store.issueTrigger(person.slackId),
    responseUrl: responseUrl(ctx, target),
  });
  const reply = await send(ctx, body, 'application/x-www-form-urlencoded');
  const error = replyError(reply);
  if (error) return { ok: false, error: `${match[1]} failed: ${error}` };
  const ack = parseReplyJson(reply as BotReply);
  if (ack === undefined) return { ok: true };
  const message =
    typeof ack === 'string' ? { text: ack } : responseMessageSchema.safeParse(ack).data;
  if (message && (message.text || message.blocks?.length)) {
    applyResponse(ctx.store, { ...target, uses: 0 }, message, ctx.id.botUserId);
  }
  return { ok: true };
}

function viewFor(ctx: WorkspaceContext, person: Person, viewId: string): StoredView | undefined {
  const view = ctx.store.views.get(viewId);
  return view && view.user === person.slackId ? view : undefined;
}

/** A click or select change: signed `block_actions` for a message, modal or App Home. */
export async function runAction(
  ctx: WorkspaceContext,
  person: Person,
  input: { source: Source; blockId: string; actionId: string; value: RawInput; inputs: Inputs },
): Promise<Outcome> {
  const { store, id } = ctx;
  const payload = interactionBase('block_actions', person, id);
  let blocks: Block[];
  if (input.source.kind === 'message') {
    const message = store.findMessage(input.source.channel, input.source.ts);
    if (!message || (message.visibleTo && message.visibleTo !== person.slackId)) {
      return { ok: false, error: 'message_not_found' };
    }
    blocks = message.blocks;
    const channel = store.channels.find((c) => c.id === message.channel);
    Object.assign(payload, {
      container: {
        type: 'message',
        message_ts: message.ts,
        channel_id: message.channel,
        is_ephemeral: Boolean(message.visibleTo),
      },
      channel: { id: message.channel, name: channel?.name ?? 'directmessage' },
      ...(message.visibleTo ? {} : { message: messageJson(message, id) }),
      state: { values: buildStateValues(blocks, input.inputs, filesOf(ctx, person)) },
      response_url: responseUrl(ctx, {
        user: person.slackId,
        channel: message.channel,
        messageTs: message.ts,
      }),
    });
  } else {
    const view = viewFor(ctx, person, input.source.viewId);
    if (!view) return { ok: false, error: 'view_not_found' };
    blocks = view.view.blocks;
    view.state = buildStateValues(blocks, input.inputs, filesOf(ctx, person));
    Object.assign(payload, {
      container: { type: 'view', view_id: view.id },
      view: viewJson(view, id),
    });
  }
  const element = findElement(blocks, input.blockId, input.actionId);
  if (!element) return { ok: false, error: 'element_not_found' };
  const actionTs = store.nextTs();
  Object.assign(payload, {
    trigger_id: store.issueTrigger(person.slackId),
    actions: [buildAction(element, input.blockId, input.value, actionTs)],
  });
  const reply = await send(ctx, interactionBody(payload), 'application/x-www-form-urlencoded');
  const error = replyError(reply);
  return error ? { ok: false, error } : { ok: true };
}

/** Submit on the top modal: signed `view_submission`, then apply the bot's `response_action`. */
export async function submitView(
  ctx: WorkspaceContext,
  person: Person,
  viewId: string,
  inputs: Inputs,
): Promise<Outcome> {
  const { store, id } = ctx;
  const view = viewFor(ctx, person, viewId);
  if (!view || store.topModal(person.slackId)?.id !== viewId) {
    return { ok: false, error: 'view_not_found' };
  }
  // A file_input reports the person's uploads by id, as Slack's view_submission does.
  view.state = buildStateValues(view.view.blocks, inputs, filesOf(ctx, person));
  const payload = {
    ...interactionBase('view_submission', person, id),
    trigger_id: store.issueTrigger(person.slackId),
    view: viewJson(view, id),
    response_urls: [],
  };
  const reply = await send(ctx, interactionBody(payload), 'application/x-www-form-urlencoded');
  const error = replyError(reply);
  if (error) {
    store.putView({ ...view, errors: { '': `We had some trouble connecting (${error}).` } });
    return { ok: false, error };
  }
  return applyResponseAction(ctx, view, parseReplyJson(reply as BotReply));
}

function applyResponseAction(ctx: WorkspaceContext, view: StoredView, ack: unknown): Outcome {
  const { store } = ctx;
  const body = (typeof ack === 'object' && ack !== null ? ack : {}) as Record<string, unknown>;
  const next = body.view as (Record<string, unknown> & { blocks?: unknown }) | undefined;
  switch (body.response_action) {
    case 'errors':
      store.putView({ ...view, errors: (body.errors as Record<string, string>) ?? {} });
      return { ok: true };
    case 'update':
      if (!next) return { ok: false, error: 'response_action update without a view' };
      store.putView({
        ...view,
        view: { ...next, blocks: normalizeBlocks(next.blocks) },
        hash: store.newHash(),
        errors: {},
      });
      return { ok: true };
    case 'push': {
      if (!next) return { ok: false, error: 'response_action push without a view' };
      const pushedId = store.newViewId();
      store.putView({
        ...view,
        id: pushedId,
        view: { ...next, blocks: normalizeBlocks(next.blocks) },
        hash: store.newHash(),
        previousViewId: view.id,
        externalId: null,
        errors: {},
        state: {},
      });
      store.pushModal(view.user, pushedId);
      return { ok: true };
    }
    case 'clear':
      store.popModal(view.user, true);
      return { ok: true };
    default:
      store.popModal(view.user);
      return { ok: true };
  }
}

/** The modal's close button: `view_closed` when the bot asked for it, then the modal goes. */
export async function closeView(
  ctx: WorkspaceContext,
  person: Person,
  viewId: string,
): Promise<Outcome> {
  const view = viewFor(ctx, person, viewId);
  if (!view) return { ok: false, error: 'view_not_found' };
  ctx.store.popModal(person.slackId);
  if (view.view.notify_on_close !== true) return { ok: true };
  const payload = {
    ...interactionBase('view_closed', person, ctx.id),
    view: viewJson(view, ctx.id),
    is_cleared: false,
  };
  const error = replyError(
    await send(ctx, interactionBody(payload), 'application/x-www-form-urlencoded'),
  );
  return error ? { ok: false, error } : { ok: true };
}

/** Opening the App Home tab: a signed `app_home_opened` event. */
export async function openHome(ctx: WorkspaceContext, person: Person): Promise<Outcome> {
  const home = ctx.store.views.get(ctx.store.homes.get(person.slackId) ?? '');
  const event = {
    type: 'app_home_opened',
    user: person.slackId,
    channel: ctx.store.dmId(person.slackId),
    tab: 'home',
    event_ts: ctx.store.nextTs(),
    ...(home ? { view: viewJson(home, ctx.id) } : {}),
  };
  const envelope = eventEnvelope(event, ctx.id, nowSeconds(ctx));
  const error = replyError(await send(ctx, JSON.stringify(envelope), 'application/json'));
  return error ? { ok: false, error } : { ok: true };
}
