import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { StreamedEntry } from '../../src/observability/audit-stream.ts';

/**
 * A SIEM's webhook on loopback: checks each batch's signature, records every entry it accepted
 * (duplicates included, so a test sees them), and answers 503 while `down`.
 */
export class WebhookStandIn {
  readonly received: StreamedEntry[] = [];
  readonly keys: string[] = [];
  refusedWhileDown = 0;
  badSignatures = 0;
  down = false;
  #server: Server | undefined;
  url = '';

  constructor(private readonly secret: string) {}

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (this.down) {
          this.refusedWhileDown++;
          res.writeHead(503).end();
          return;
        }
        if (!this.#signed(String(req.headers['x-accessdesk-signature'] ?? ''), body)) {
          this.badSignatures++;
          res.writeHead(401).end();
          return;
        }
        this.keys.push(String(req.headers['idempotency-key']));
        this.received.push(...(JSON.parse(body) as { entries: StreamedEntry[] }).entries);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/audit`;
  }

  /** `t=<unix>,v1=<hex>` with v1 = HMAC-SHA256(secret, "<t>.<body>"), as the README says. */
  #signed(header: string, body: string): boolean {
    const parts = Object.fromEntries(
      header.split(',').map((p) => p.split('=') as [string, string]),
    );
    if (!parts.t || !parts.v1) return false;
    const expected = createHmac('sha256', this.secret).update(`${parts.t}.${body}`).digest();
    const given = Buffer.from(parts.v1, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** How many times each sequence number arrived. */
  counts(): Map<number, number> {
    const counts = new Map<number, number>();
    for (const e of this.received) counts.set(e.seq, (counts.get(e.seq) ?? 0) + 1);
    return counts;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.#server?.close(() => resolve());
      this.#server?.closeAllConnections();
    });
  }
}
