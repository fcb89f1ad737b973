import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { App, CustomRoute, Receiver } from '@slack/bolt';
import { HTTPReceiver } from '@slack/bolt';
import { boltLogger, clip, type Logger } from '../log.ts';
import { ackSeconds, refusals } from '../observability/metrics.ts';
import { inContext } from './log-context.ts';

/** What the edge does with a parsed body (see flows/edge/inbound.schema.ts). */
export type Screen = (
  body: unknown,
) =>
  | { kind: 'dispatch'; what: string }
  | { kind: 'ignore'; what: string }
  | { kind: 'invalid'; what: string; problem: string };

/** How the edge receiver is set up. */
export interface EdgeReceiverOptions {
  signingSecret: string;
  /** During a rotation of the signing secret, the one being replaced: accepted too. */
  previousSigningSecret?: string | undefined;
  customRoutes: CustomRoute[];
  /** Parses every payload before Bolt sees it. */
  screen: Screen;
  logger: Logger;
  /** Wall-clock milliseconds, for the signature window (requests are stamped in real time). */
  now?: () => number;
  /** How far a request's timestamp may be from now, either way (Slack's guidance: 5 minutes). */
  toleranceSeconds?: number;
  /** The largest body read (Slack's payloads are a few KB; a modal's state a few dozen). */
  bodyLimit?: number;
}

const EVENTS_PATH = '/slack/events';
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/** Thrown inside the edge: answered with `status` and a short JSON error. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The HTTP transport for Slack: checks each request's signature (timestamp within ±5 minutes),
 * reads the body once, refuses repeated form fields and any payload the screen rejects, answers
 * what accessdesk does not handle at once, and only then hands the request to Bolt's own
 * HTTPReceiver (which checks the signature again and dispatches to the listeners). Nothing here
 * can throw past the server: every path answers.
 */
export class EdgeReceiver implements Receiver {
  readonly #inner: HTTPReceiver;
  readonly #options: Required<Omit<EdgeReceiverOptions, 'customRoutes' | 'previousSigningSecret'>>;
  readonly #secrets: string[];
  #server: Server | undefined;

  constructor(options: EdgeReceiverOptions) {
    this.#options = {
      now: () => Date.now(),
      toleranceSeconds: 300,
      bodyLimit: 1024 * 1024,
      ...options,
    };
    this.#secrets = [options.signingSecret, options.previousSigningSecret ?? ''].filter(Boolean);
    const { logger } = this.#options;
    this.#inner = new HTTPReceiver({
      signingSecret: options.signingSecret,
      // Bolt knows one secret: while the previous one is accepted too, the edge's check is the one.
      signatureVerification: this.#secrets.length === 1,
      customRoutes: options.customRoutes,
      logger: boltLogger(logger),
      // A listener that never acks is answered before Slack's 3 s, not after.
      unhandledRequestTimeoutMillis: 2500,
      processEventErrorHandler: async ({ error, response }) => {
        logger.error(`Slack request failed before its answer: ${clip(String(error), 200)}`);
        if (!response.headersSent) answer(response, 200, '');
        return false;
      },
    });
  }

  init(app: App): void {
    this.#inner.init(app);
  }

  start(port: number): Promise<Server> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        this.#options.logger.error(`HTTP request failed: ${clip(String(error), 200)}`);
        if (!res.headersSent) answer(res, 400, { ok: false, error: 'bad_request' });
        else res.end();
      });
    });
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }

  stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeIdleConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req.url);
    if (path === undefined) return answer(res, 404, { ok: false, error: 'not_found' });
    if (path === EVENTS_PATH && req.method === 'POST') return this.#slack(req, res);
    try {
      this.#inner.requestListener(req, res);
    } catch {
      // Bolt throws for a path no route takes.
      if (!res.headersSent) answer(res, 404, { ok: false, error: 'not_found' });
    }
  }

  async #slack(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { logger, screen } = this.#options;
    const timer = ackSeconds.startTimer();
    let verdict: ReturnType<Screen>;
    let raw: Buffer;
    let body: unknown;
    try {
      raw = await readBody(req, this.#options.bodyLimit);
      const type = mediaType(req.headers['content-type']);
      const text = raw.toString('utf8');
      const form = type === FORM ? readForm(text) : undefined;
      // Slack's SSL check is unsigned and carries nothing to act on.
      if (form?.ssl_check === '1') return answer(res, 200, '');
      this.#verify(req, text);
      if (type !== FORM && type !== JSON_TYPE)
        throw new Refusal(415, 'unsupported_media_type', `content-type ${clip(type)}`);
      body = form ? payloadOf(form) : parseJson(text);
      verdict = screen(body);
      // Bolt compares the content type to the letter.
      req.headers['content-type'] = type;
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      // One line says what was refused and why (a forged call: its signature or its time).
      refusals.inc({ reason: error.code });
      logger.warn(
        { refused: error.code, status: error.status },
        `refused a Slack request (${error.status} ${error.code}): ${clip(error.message, 200)}`,
      );
      return answer(res, error.status, {
        ok: false,
        error: error.code,
        ...(error.status === 401 ? {} : { problem: error.message }),
      });
    }
    if (verdict.kind === 'invalid') {
      refusals.inc({ reason: 'invalid_payload' });
      logger.warn(
        { refused: 'invalid_payload', status: 400 },
        `refused a Slack ${verdict.what} (400): ${clip(verdict.problem, 300)}`,
      );
      return answer(res, 400, { ok: false, error: 'invalid_payload', problem: verdict.problem });
    }
    if (verdict.kind === 'ignore') return answer(res, 200, '');
    // The ack is Bolt's answer to this call: timed from arrival to the response sent.
    const type = verdict.what.split(' ')[0] ?? 'unknown';
    res.once('finish', () => timer({ type }));
    // Bolt reads the body we already read (it keeps `rawBody` when it is there).
    Object.assign(req, { rawBody: raw });
    inContext(body, () => this.#inner.requestListener(req, res));
  }

  /** Slack's v0 signature over the exact body, stamped within the window either way. */
  #verify(req: IncomingMessage, body: string): void {
    const stamp = req.headers['x-slack-request-timestamp'];
    const signature = req.headers['x-slack-signature'];
    if (typeof stamp !== 'string' || !/^\d{1,12}$/.test(stamp))
      throw new Refusal(401, 'invalid_signature', 'no usable timestamp');
    const skew = Math.abs(this.#options.now() / 1000 - Number(stamp));
    if (skew > this.#options.toleranceSeconds)
      throw new Refusal(401, 'invalid_signature', `timestamp ${Math.round(skew)} s off`);
    if (typeof signature !== 'string' || !/^v0=[0-9a-f]{64}$/.test(signature))
      throw new Refusal(401, 'invalid_signature', 'no usable signature');
    const given = Buffer.from(signature.slice(3), 'hex');
    const signedBy = (secret: string) =>
      timingSafeEqual(createHmac('sha256', secret).update(`v0:${stamp}:${body}`).digest(), given);
    if (!this.#secrets.some(signedBy))
      throw new Refusal(401, 'invalid_signature', 'signature mismatch');
  }
}

/** The decoded path, or undefined when it is not valid percent-encoding. */
function pathOf(url: string | undefined): string | undefined {
  try {
    const { pathname } = new URL(url ?? '/', 'http://localhost');
    decodeURIComponent(pathname);
    return pathname;
  } catch {
    return undefined;
  }
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/** A form's fields; a field given twice is refused, never resolved to one of its values. */
function readForm(text: string): Record<string, string> {
  const fields: Record<string, string> = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    if (key in fields) throw new Refusal(400, 'invalid_payload', `${clip(key)}: repeated field`);
    fields[key] = value;
  }
  return fields;
}

/** An interaction's `payload=` JSON, or the form itself (a slash command). */
function payloadOf(form: Record<string, string>): unknown {
  if (form.payload === undefined) return { ...form };
  if (Object.keys(form).length > 1)
    throw new Refusal(400, 'invalid_payload', 'payload: other fields beside it');
  return parseJson(form.payload);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Refusal(400, 'invalid_payload', 'body: not JSON');
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Refusal(413, 'payload_too_large', `body over ${limit} bytes`));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: string | object): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
  });
  res.end(text);
}
