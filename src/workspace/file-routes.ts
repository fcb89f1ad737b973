/** HTTP routes for the workspace's files: the page's uploads and downloads, the bot's too. */
import type { ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { z } from 'zod';
import { slackUserId } from '../slack/ids.schema.ts';
import { canOpen, FILE_LIMIT, type StoredFile } from './files.ts';
import { bearer, param, type Req, readBytes, route, sendJson } from './http.ts';
import type { WorkspaceContext } from './interactions.ts';

const uploadQuery = z.object({ user: slackUserId, name: z.string().min(1).max(255) });

function query(req: Req): Record<string, string> {
  return Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams);
}

function sendFile(res: ServerResponse, file: StoredFile, attachment: boolean): void {
  const name = encodeURIComponent(file.name);
  res.writeHead(200, {
    'content-type': file.mimetype,
    'content-length': String(file.content!.length),
    'cache-control': 'private, no-store',
    ...(attachment ? { 'content-disposition': `attachment; filename*=UTF-8''${name}` } : {}),
  });
  res.end(file.content);
}

/**
 * The bytes of an upload: the raw body, or the first file part of a multipart form (what
 * @slack/web-api's `files.uploadV2` posts to the upload URL).
 */
async function uploadedBytes(req: Req): Promise<Buffer> {
  const body = await readBytes(req, FILE_LIMIT);
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) return body;
  const form = await new Response(new Uint8Array(body), {
    headers: { 'content-type': type },
  }).formData();
  let part: Blob | undefined;
  form.forEach((value) => {
    if (!part && typeof value !== 'string') part = value;
  });
  if (!part) throw new Error('no file in the upload');
  return Buffer.from(await (part as Blob).arrayBuffer());
}

/** Routes for files; `url_private` answers only with the bot token, as Slack's does. */
export function fileRoutes(ctx: WorkspaceContext, botToken: string): CustomRoute[] {
  const { store } = ctx;
  return [
    // The page's file_input: the person's file, kept until the modal is submitted.
    route('POST', '/workspace/files', async (req, res) => {
      const q = uploadQuery.safeParse(query(req));
      if (!q.success || !store.person(q.data.user)) {
        return sendJson(res, 400, { ok: false, error: 'invalid_arguments' });
      }
      const content = await uploadedBytes(req);
      if (!content.length) return sendJson(res, 400, { ok: false, error: 'no_file_data' });
      const file = store.files.add({ name: q.data.name, user: q.data.user, content });
      sendJson(res, 200, {
        ok: true,
        file: { id: file.id, name: file.name, size: content.length },
      });
    }),
    // files.uploadV2's second step: the bytes for a file files.getUploadURLExternal named.
    route('POST', '/workspace/upload/:ticket', async (req, res) => {
      const file = store.files.byTicket(param(req, 'ticket'));
      if (!file || file.content) return sendJson(res, 404, { ok: false, error: 'not_found' });
      file.content = await uploadedBytes(req);
      delete file.ticket;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`OK - ${file.content.length}`);
    }),
    route('GET', '/files-pri/:key/:name', async (req, res) => {
      const token = bearer(req);
      if (token !== botToken) return sendJson(res, token ? 403 : 401, { ok: false });
      const fileId = param(req, 'key').split('-').at(-1) ?? '';
      const file = store.files.get(fileId);
      if (!file?.content) return sendJson(res, 404, { ok: false, error: 'file_not_found' });
      sendFile(res, file, query(req).download === '1');
    }),
    // The page's download link: only for someone who can see the file.
    route('GET', '/workspace/files/:id', async (req, res) => {
      const file = store.files.get(param(req, 'id'));
      const user = query(req).user ?? '';
      if (!file?.content || !store.person(user) || !canOpen(store, file, user)) {
        return sendJson(res, 404, { ok: false, error: 'file_not_found' });
      }
      sendFile(res, file, true);
    }),
  ];
}
