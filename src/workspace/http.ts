import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';

/** Largest request body the workspace reads; Slack's own limit for a view is 250 kB. */
const BODY_LIMIT = 1_000_000;

/** A request with the path params Bolt's router filled in. */
export type Req = Parameters<CustomRoute['handler']>[0];

/** A path param as one string. */
export function param(req: Req, name: string): string {
  const value = req.params?.[name];
  return Array.isArray(value) ? value.join('/') : (value ?? '');
}

/** Wraps an async handler: Bolt's custom route handlers are fire-and-forget. */
export function route(
  method: string | string[],
  path: string,
  handle: (req: Req, res: ServerResponse) => Promise<void>,
): CustomRoute {
  return {
    path,
    method,
    handler: (req, res) => {
      handle(req, res).catch((err: unknown) => {
        if (res.headersSent) {
          res.end();
          return;
        }
        sendJson(res, 500, { ok: false, error: err instanceof Error ? err.message : String(err) });
      });
    },
  };
}

/** The token a Web API style request carries: `Authorization: Bearer …`, or `token=`. */
export function bearer(
  req: IncomingMessage,
  args: Record<string, unknown> = {},
): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length);
  return typeof args.token === 'string' ? args.token : undefined;
}

/** Reads the whole request body as bytes; more than `limit` bytes is an error. */
export async function readBytes(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Reads the whole request body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBytes(req, BODY_LIMIT)).toString('utf8');
}

/**
 * Parses a Web API style body: JSON, or form-encoded where nested values (blocks, view, …)
 * arrive JSON-stringified, as @slack/web-api sends them.
 */
export function parseArgs(body: string, contentType: string | undefined): Record<string, unknown> {
  if (body.trim() === '') return {};
  if ((contentType ?? '').includes('application/json')) {
    const parsed: unknown = JSON.parse(body);
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  }
  return Object.fromEntries(new URLSearchParams(body));
}

/** Parses a JSON request body from the page; anything else is an empty object. */
export function parseJson(body: string): unknown {
  if (body.trim() === '') return {};
  return JSON.parse(body);
}

/** Writes a JSON response. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(body);
}

/** Writes a static body with its content type. */
export function sendText(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-cache' });
  res.end(body);
}
