import { readFile } from 'node:fs/promises';
import type { CustomRoute } from '@slack/bolt';
import { z } from 'zod';
import { slackChannelId, slackUserId } from '../slack/ids.schema.ts';
import { fileRoutes } from './file-routes.ts';
import {
  bearer,
  param,
  parseArgs,
  parseJson,
  type Req,
  readBody,
  route,
  sendJson,
  sendText,
} from './http.ts';
import {
  closeView,
  type Outcome,
  openHome,
  runAction,
  runCommand,
  submitView,
  type WorkspaceContext,
} from './interactions.ts';
import { pageState } from './page-state.ts';
import { applyResponse, responseMessageSchema } from './responses.ts';
import { callMethod } from './web-api.ts';

/** Static files of the page; nothing else under assets/ is served. */
const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'workspace.css': 'text/css; charset=utf-8',
  'workspace.js': 'text/javascript; charset=utf-8',
  'blocks.js': 'text/javascript; charset=utf-8',
  'mrkdwn.js': 'text/javascript; charset=utf-8',
  'files.js': 'text/javascript; charset=utf-8',
};

const assetsDir = new URL('./assets/', import.meta.url);

/** The longest a state poll is held open waiting for a change. */
const POLL_HOLD_MS = 20_000;

const rawInput = z.union([z.string(), z.array(z.string()), z.null()]);
const inputsSchema = z.record(z.string(), z.record(z.string(), rawInput)).default({});
const userField = { user: slackUserId };

const commandSchema = z.object({
  ...userField,
  channel: slackChannelId,
  text: z.string().max(4000),
});
const actionSchema = z.object({
  ...userField,
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('message'), channel: slackChannelId, ts: z.string() }),
    z.object({ kind: z.literal('view'), viewId: z.string() }),
  ]),
  blockId: z.string(),
  actionId: z.string(),
  value: rawInput.default(null),
  inputs: inputsSchema,
});
const submitSchema = z.object({ ...userField, inputs: inputsSchema });
const userOnlySchema = z.object(userField);

/** A page endpoint: parse the JSON body with `schema`, find the person, run `act`. */
function pageAction<T extends z.ZodType<{ user: string }>>(
  ctx: WorkspaceContext,
  path: string,
  schema: T,
  act: (input: z.infer<T>, req: Req) => Promise<Outcome>,
): CustomRoute {
  return route('POST', path, async (req, res) => {
    const parsed = schema.safeParse(parseJson(await readBody(req)));
    if (!parsed.success) return sendJson(res, 400, { ok: false, error: parsed.error.message });
    if (!ctx.store.person(parsed.data.user)) {
      return sendJson(res, 400, { ok: false, error: 'unknown user' });
    }
    sendJson(res, 200, await act(parsed.data, req));
  });
}

/** Every route of the local workspace, for `HTTPReceiver`'s `customRoutes`. */
export function workspaceRoutes(ctx: WorkspaceContext, botToken: string): CustomRoute[] {
  const { store } = ctx;
  const person = (userId: string) => store.person(userId)!;
  return [
    route('GET', '/', async (_req, res) => {
      sendText(res, 200, ASSETS['index.html']!, await readFile(new URL('index.html', assetsDir)));
    }),
    route('GET', '/workspace/assets/:file', async (req, res) => {
      const file = param(req, 'file');
      const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
      if (!type) return sendText(res, 404, 'text/plain', 'not found');
      sendText(res, 200, type, await readFile(new URL(file, assetsDir)));
    }),
    route('GET', '/workspace/state', async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const since = Number(url.searchParams.get('since') ?? Number.NaN);
      if (Number.isFinite(since)) await store.waitForChange(since, POLL_HOLD_MS);
      sendJson(res, 200, pageState(store, ctx.id, url.searchParams.get('user')));
    }),
    pageAction(ctx, '/workspace/command', commandSchema, (a) =>
      runCommand(ctx, person(a.user), a.channel, a.text),
    ),
    pageAction(ctx, '/workspace/action', actionSchema, (a) => runAction(ctx, person(a.user), a)),
    pageAction(ctx, '/workspace/views/:id/submit', submitSchema, (a, req) =>
      submitView(ctx, person(a.user), param(req, 'id'), a.inputs),
    ),
    pageAction(ctx, '/workspace/views/:id/close', userOnlySchema, (a, req) =>
      closeView(ctx, person(a.user), param(req, 'id')),
    ),
    pageAction(ctx, '/workspace/home', userOnlySchema, (a) => openHome(ctx, person(a.user))),
    route('POST', '/workspace/response/:id', async (req, res) => {
      const target = store.responseTarget(param(req, 'id'));
      if (!target) return sendJson(res, 404, { ok: false, error: 'expired_url' });
      const body = parseArgs(
        await readBody(req),
        req.headers['content-type'] ?? 'application/json',
      );
      const parsed = responseMessageSchema.safeParse(body);
      if (!parsed.success) return sendJson(res, 400, { ok: false, error: 'invalid_payload' });
      const result = applyResponse(store, target, parsed.data, ctx.id.botUserId);
      sendJson(res, result.ok ? 200 : 400, result);
    }),
    ...fileRoutes(ctx, botToken),
    route(['GET', 'POST'], '/api/:method', async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const args =
        req.method === 'GET'
          ? Object.fromEntries(url.searchParams)
          : parseArgs(await readBody(req), req.headers['content-type']);
      const token = bearer(req, args);
      if (!token) return sendJson(res, 200, { ok: false, error: 'not_authed' });
      if (token !== botToken) return sendJson(res, 200, { ok: false, error: 'invalid_auth' });
      sendJson(res, 200, callMethod(param(req, 'method'), args, store, ctx.id));
    }),
  ];
}
