import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { decode, FakeSlack } from '../slack/support.ts';

/** Reads a whole request body. */
async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Listens on a free loopback port; resolves with `http://127.0.0.1:<port>`. */
export function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

/**
 * The Slack Web API over real loopback HTTP, for accessdesk processes nock cannot reach (other
 * processes, Socket Mode): `SLACK_API_URL=<apiUrl>`. Calls are recorded and answered by
 * `FakeSlack` (its `calls`, `of`, `waitFor`); `apps.connections.open` hands out the Socket Mode
 * stand-in's ws:// URL.
 */
export class SlackStandIn {
  readonly fake: FakeSlack;
  readonly #server: Server;
  #url = '';
  socketMode: SocketModeStandIn | undefined;

  private constructor(emails: Record<string, string>) {
    this.fake = new FakeSlack(emails);
    this.#server = createServer((req, res) => {
      void bodyOf(req).then((text) => {
        const method = (req.url ?? '').replace(/^\/api\//, '').replace(/\?.*$/, '');
        const body = decode(text);
        this.fake.calls.push({ method, body });
        const answer =
          method === 'apps.connections.open'
            ? this.socketMode
              ? { ok: true, url: this.socketMode.url }
              : { ok: false, error: 'not_allowed_token_type' }
            : this.fake.answer(method, body);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer));
      });
    });
  }

  static async start(emails: Record<string, string> = {}): Promise<SlackStandIn> {
    const standIn = new SlackStandIn(emails);
    standIn.#url = await listen(standIn.#server);
    return standIn;
  }

  /** What `SLACK_API_URL` is set to. */
  get apiUrl(): string {
    return `${this.#url}/api/`;
  }

  async close(): Promise<void> {
    await this.socketMode?.close();
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

/** One envelope's acknowledgement: its id and the response payload, if any. */
export interface Ack {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

/**
 * Slack's Socket Mode end: a loopback WebSocket server that greets each connection with
 * `hello`, pushes envelopes to the app, and resolves each when the app acknowledges its
 * `envelope_id` (Slack redelivers what is not acknowledged; here the test waits for it).
 */
export class SocketModeStandIn {
  readonly #wss: WebSocketServer;
  readonly url: string;
  readonly #waiting = new Map<string, (ack: Ack) => void>();
  readonly acks: Ack[] = [];
  #socket: WebSocket | undefined;
  #connected: Promise<void>;
  #onConnected: () => void = () => {};

  private constructor(wss: WebSocketServer, url: string) {
    this.#wss = wss;
    this.url = url;
    this.#connected = new Promise((resolve) => {
      this.#onConnected = resolve;
    });
    wss.on('connection', (socket) => {
      this.#socket = socket;
      // As Slack does: the client takes a connection without pings for a dead one (30 s).
      const pings = setInterval(() => socket.ping(), 5000);
      socket.on('close', () => clearInterval(pings));
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as Ack;
        this.acks.push(message);
        this.#waiting.get(message.envelope_id)?.(message);
        this.#waiting.delete(message.envelope_id);
      });
      socket.send(
        JSON.stringify({
          type: 'hello',
          num_connections: 1,
          debug_info: { host: 'applink-stand-in', approximate_connection_time: 18060 },
          connection_info: { app_id: 'A0TEST' },
        }),
      );
      this.#onConnected();
    });
  }

  static async start(standIn: SlackStandIn): Promise<SocketModeStandIn> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    const { port } = wss.address() as AddressInfo;
    const socketMode = new SocketModeStandIn(wss, `ws://127.0.0.1:${port}/link/?ticket=stand-in`);
    standIn.socketMode = socketMode;
    return socketMode;
  }

  /** Resolves once the app has opened its connection. */
  connected(): Promise<void> {
    return this.#connected;
  }

  /**
   * Pushes one envelope (`events_api`, `interactive` or `slash_commands`) and resolves with its
   * acknowledgement; rejects after `timeoutMs` without one.
   */
  send(type: string, payload: Record<string, unknown>, timeoutMs = 20_000): Promise<Ack> {
    const socket = this.#socket;
    if (!socket) throw new Error('the app has not connected');
    const envelopeId = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(envelopeId);
        reject(new Error(`no acknowledgement of ${type} envelope ${envelopeId}`));
      }, timeoutMs);
      this.#waiting.set(envelopeId, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
      socket.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          accepts_response_payload: type !== 'events_api',
          retry_attempt: 0,
          retry_reason: '',
          payload,
        }),
      );
    });
  }

  async close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    await new Promise((resolve) => this.#wss.close(resolve));
  }
}
