import { z } from 'zod';
import {
  type ApiResult,
  blocksArg,
  fail,
  isFailure,
  type Method,
  parse,
  viewArg,
} from './api-args.ts';
import { messageJson, userJson, viewJson, type WorkspaceIdentity } from './api-shapes.ts';
import { normalizeBlocks } from './blocks.ts';
import { fileMethods } from './files.ts';
import type { StoredView, WorkspaceStore } from './store.ts';

export type { ApiResult } from './api-args.ts';
export { messageJson, userJson, viewJson, type WorkspaceIdentity } from './api-shapes.ts';

function modalView(
  store: WorkspaceStore,
  user: string,
  view: z.infer<typeof viewArg>,
  previous: StoredView | undefined,
): StoredView | ApiResult {
  if (view.type !== 'modal') return fail('invalid_arguments');
  const externalId = typeof view.external_id === 'string' ? view.external_id : null;
  if (externalId && store.viewByExternalId(externalId)) return fail('duplicate_external_id');
  const viewId = store.newViewId();
  return {
    id: viewId,
    user,
    type: 'modal',
    view: { ...view, blocks: normalizeBlocks(view.blocks) },
    hash: store.newHash(),
    rootViewId: previous?.rootViewId ?? viewId,
    previousViewId: previous?.id ?? null,
    externalId,
    errors: {},
    state: {},
  };
}

const methods: Record<string, Method> = {
  ...fileMethods,
  'auth.test': (_args, _store, id) => ({
    ok: true,
    url: `${id.publicUrl.replace(/\/$/, '')}/`,
    team: id.teamName,
    user: 'accessdesk',
    team_id: id.teamId,
    user_id: id.botUserId,
    bot_id: id.botId,
    is_enterprise_install: false,
  }),

  'chat.postMessage': (args, store, id) => {
    const a = parse(
      z.object({
        channel: z.string(),
        text: z.string().optional(),
        blocks: blocksArg,
        thread_ts: z.string().optional(),
      }),
      args,
    );
    if (isFailure(a)) return a;
    const channel = store.resolveChannel(a.channel);
    if (!channel) return fail('channel_not_found');
    if (!a.text && !a.blocks?.length) return fail('no_text');
    const message = store.addMessage({
      channel,
      user: id.botUserId,
      text: a.text ?? '',
      blocks: a.blocks,
      ...(a.thread_ts ? { threadTs: a.thread_ts } : {}),
    });
    return { ok: true, channel, ts: message.ts, message: messageJson(message, id) };
  },

  'chat.update': (args, store, id) => {
    const a = parse(
      z.object({
        channel: z.string(),
        ts: z.string(),
        text: z.string().optional(),
        blocks: blocksArg,
      }),
      args,
    );
    if (isFailure(a)) return a;
    const channel = store.resolveChannel(a.channel);
    if (!channel) return fail('channel_not_found');
    const message = store.findMessage(channel, a.ts);
    if (!message || message.visibleTo) return fail('message_not_found');
    if (message.user !== id.botUserId) return fail('cant_update_message');
    if (a.text !== undefined) message.text = a.text;
    if (a.blocks !== undefined) message.blocks = normalizeBlocks(a.blocks);
    message.edited = store.nextTs();
    store.changed();
    return {
      ok: true,
      channel,
      ts: message.ts,
      text: message.text,
      message: messageJson(message, id),
    };
  },

  'chat.delete': (args, store) => {
    const a = parse(z.object({ channel: z.string(), ts: z.string() }), args);
    if (isFailure(a)) return a;
    const channel = store.resolveChannel(a.channel);
    const message = channel ? store.findMessage(channel, a.ts) : undefined;
    if (!message || message.visibleTo) return fail('message_not_found');
    store.removeMessage(message);
    return { ok: true, channel, ts: a.ts };
  },

  'chat.postEphemeral': (args, store, id) => {
    const a = parse(
      z.object({
        channel: z.string(),
        user: z.string(),
        text: z.string().optional(),
        blocks: blocksArg,
      }),
      args,
    );
    if (isFailure(a)) return a;
    const channel = store.resolveChannel(a.channel);
    if (!channel) return fail('channel_not_found');
    if (!store.person(a.user)) return fail('user_not_found');
    if (!a.text && !a.blocks?.length) return fail('no_text');
    const message = store.addMessage({
      channel,
      user: id.botUserId,
      text: a.text ?? '',
      blocks: a.blocks,
      visibleTo: a.user,
    });
    return { ok: true, message_ts: message.ts };
  },

  'chat.getPermalink': (args, store, id) => {
    const a = parse(z.object({ channel: z.string(), message_ts: z.string() }), args);
    if (isFailure(a)) return a;
    const channel = store.resolveChannel(a.channel);
    if (!channel) return fail('channel_not_found');
    if (!store.findMessage(channel, a.message_ts)) return fail('message_not_found');
    const base = id.publicUrl.replace(/\/$/, '');
    const p = a.message_ts.replace('.', '');
    return { ok: true, channel, permalink: `${base}/#/archives/${channel}/p${p}` };
  },

  'views.open': (args, store, id) => {
    const a = parse(z.object({ trigger_id: z.string(), view: viewArg }), args);
    if (isFailure(a)) return a;
    const trigger = store.exchangeTrigger(a.trigger_id, id.triggerTtlMs);
    if ('error' in trigger) return fail(trigger.error);
    const view = modalView(store, trigger.user, a.view, undefined);
    if (isFailure(view)) return view;
    // A new modal replaces whatever stack the person had open.
    store.popModal(trigger.user, true);
    store.putView(view);
    store.pushModal(trigger.user, view.id);
    return { ok: true, view: viewJson(view, id) };
  },

  'views.push': (args, store, id) => {
    const a = parse(z.object({ trigger_id: z.string(), view: viewArg }), args);
    if (isFailure(a)) return a;
    const trigger = store.exchangeTrigger(a.trigger_id, id.triggerTtlMs);
    if ('error' in trigger) return fail(trigger.error);
    const top = store.topModal(trigger.user);
    if (!top) return fail('not_found');
    if ((store.modalStacks.get(trigger.user) ?? []).length >= 3) return fail('push_limit_reached');
    const view = modalView(store, trigger.user, a.view, top);
    if (isFailure(view)) return view;
    store.putView(view);
    store.pushModal(trigger.user, view.id);
    return { ok: true, view: viewJson(view, id) };
  },

  'views.update': (args, store, id) => {
    const a = parse(
      z.object({
        view_id: z.string().optional(),
        external_id: z.string().optional(),
        hash: z.string().optional(),
        view: viewArg,
      }),
      args,
    );
    if (isFailure(a)) return a;
    if (!a.view_id && !a.external_id) return fail('invalid_arguments');
    const current = a.view_id ? store.views.get(a.view_id) : store.viewByExternalId(a.external_id!);
    if (!current) return fail('not_found');
    if (a.hash && a.hash !== current.hash) return fail('hash_conflict');
    const externalId = typeof a.view.external_id === 'string' ? a.view.external_id : null;
    const updated = store.putView({
      ...current,
      view: { ...a.view, blocks: normalizeBlocks(a.view.blocks) },
      hash: store.newHash(),
      externalId: externalId ?? current.externalId,
      errors: {},
    });
    return { ok: true, view: viewJson(updated, id) };
  },

  'views.publish': (args, store, id) => {
    const a = parse(
      z.object({ user_id: z.string(), view: viewArg, hash: z.string().optional() }),
      args,
    );
    if (isFailure(a)) return a;
    if (!store.person(a.user_id)) return fail('user_not_found');
    if (a.view.type !== 'home') return fail('invalid_arguments');
    const existing = store.views.get(store.homes.get(a.user_id) ?? '');
    if (a.hash && existing && a.hash !== existing.hash) return fail('hash_conflict');
    const viewId = existing?.id ?? store.newViewId();
    const view = store.putView({
      id: viewId,
      user: a.user_id,
      type: 'home',
      view: { ...a.view, blocks: normalizeBlocks(a.view.blocks) },
      hash: store.newHash(),
      rootViewId: viewId,
      previousViewId: null,
      externalId: typeof a.view.external_id === 'string' ? a.view.external_id : null,
      errors: {},
      state: existing?.state ?? {},
    });
    store.homes.set(a.user_id, view.id);
    return { ok: true, view: viewJson(view, id) };
  },

  'users.info': (args, store, id) => {
    const a = parse(z.object({ user: z.string() }), args);
    if (isFailure(a)) return a;
    if (a.user === id.botUserId) {
      return {
        ok: true,
        user: { id: id.botUserId, team_id: id.teamId, name: 'accessdesk', is_bot: true },
      };
    }
    const person = store.person(a.user);
    return person ? { ok: true, user: userJson(person, id) } : fail('user_not_found');
  },

  'users.lookupByEmail': (args, store, id) => {
    const a = parse(z.object({ email: z.string() }), args);
    if (isFailure(a)) return a;
    const email = a.email.toLowerCase();
    const person = store.people.find((p) => p.email.toLowerCase() === email);
    return person ? { ok: true, user: userJson(person, id) } : fail('users_not_found');
  },

  'conversations.open': (args, store) => {
    const a = parse(
      z.object({ users: z.string().optional(), channel: z.string().optional() }),
      args,
    );
    if (isFailure(a)) return a;
    if (a.channel) {
      return store.dmOwner(a.channel)
        ? { ok: true, channel: { id: a.channel } }
        : fail('channel_not_found');
    }
    const users = (a.users ?? '').split(',').filter(Boolean);
    if (users.length !== 1)
      return fail(users.length ? 'not_implemented' : 'users_list_not_supplied');
    if (!store.person(users[0]!)) return fail('user_not_found');
    return { ok: true, channel: { id: store.dmId(users[0]!) } };
  },
};

/** Runs one Web API method against the workspace and logs the call. */
export function callMethod(
  method: string,
  args: Record<string, unknown>,
  store: WorkspaceStore,
  id: WorkspaceIdentity,
): ApiResult {
  const impl = Object.hasOwn(methods, method) ? methods[method] : undefined;
  const result = impl ? impl(args, store, id) : fail('unknown_method');
  const { token: _token, ...logged } = args;
  store.calls.push({
    method,
    args: logged,
    ok: result.ok,
    ...(result.error ? { error: result.error } : {}),
  });
  return result;
}

/** The Web API methods the workspace serves. */
export const supportedMethods = Object.keys(methods);
