import { createHmac } from 'node:crypto';
import { type Connection, type Model, Schema } from 'mongoose';
import pRetry, { AbortError } from 'p-retry';
import type { AuditEntry, AuditTrail } from '../lifecycle/audit.ts';
import type { Leases } from '../lifecycle/lease.ts';
import type { Logger } from '../log.ts';
import { auditDelivered } from './metrics.ts';

/** An audit entry as it is streamed (the README's schema): dates as ISO text, no database id. */
export interface StreamedEntry {
  seq: number;
  at: string;
  requestId: string;
  actor: string;
  action: string;
  from: string | null;
  to: string | null;
  reason: string | null;
  prevHash: string;
  hash: string;
}

/** Where entries go. `deliver` resolves once the sink acknowledged all of them, else throws. */
export interface AuditSink {
  readonly name: string;
  deliver(entries: StreamedEntry[], signal?: AbortSignal): Promise<void>;
}

/** The header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SIGNATURE_HEADER = 'x-accessdesk-signature';

/** `t=…,v1=…` for `body` at `t` (what the receiver recomputes with the shared secret). */
export function signBatch(secret: string, body: string, t: number): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** JSON lines on stdout (or `write`), one per entry, each marked `stream: "audit"`. */
export function stdoutSink(
  write: (text: string, done: (error?: Error | null) => void) => void = (text, done) =>
    process.stdout.write(text, done),
): AuditSink {
  return {
    name: 'stdout',
    deliver: (entries) =>
      new Promise((resolve, reject) => {
        const text = entries.map((e) => `${JSON.stringify({ stream: 'audit', ...e })}\n`).join('');
        write(text, (error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * POSTs `{ "entries": [...] }` to `url`, signed with `secret` (SIGNATURE_HEADER), with the first
 * and last sequence numbers as `idempotency-key`. Any 2xx acknowledges the batch; a 4xx other
 * than 408 and 429 is a misconfiguration, not worth retrying at once.
 */
export function webhookSink(url: string, secret: string, timeoutMs = 10_000): AuditSink {
  return {
    name: new URL(url).host,
    async deliver(entries, signal) {
      const body = JSON.stringify({ entries });
      const t = Math.floor(Date.now() / 1000);
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signBatch(secret, body, t),
          'idempotency-key': `${entries[0]!.seq}-${entries.at(-1)!.seq}`,
        },
        body,
        // A redirect could carry the trail to another host: refused, like any other failure.
        redirect: 'error',
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])]),
      });
      await response.body?.cancel();
      if (response.ok) return;
      const message = `audit sink answered ${response.status}`;
      const retryable = response.status >= 500 || [408, 429].includes(response.status);
      throw retryable ? new Error(message) : new AbortError(message);
    },
  };
}

interface CursorDoc {
  _id: string;
  seq: number;
}

const cursorSchema = new Schema<CursorDoc>(
  { _id: String, seq: Number },
  { collection: 'audit_sink_cursor', versionKey: false },
);

/** How the streamer paces itself. */
export interface StreamOptions {
  /** Entries per delivery. */
  batch?: number;
  /** Attempts of one batch within a pass (p-retry), before the pass gives up until the next. */
  retries?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** The lease: longer than a pass's worst case (retries × timeout). */
  leaseMs?: number;
}

const LEASE = 'audit-sink';

/**
 * Streams the audit trail to a sink: in order, at least once, resumed from the last acknowledged
 * entry (a cursor document advanced by compare-and-set after each acknowledgement). One instance
 * at a time streams: it holds the `audit-sink` lease, renewed before each batch.
 */
export class AuditStreamer {
  readonly #cursor: Model<CursorDoc>;
  readonly #options: Required<StreamOptions>;
  #timer: NodeJS.Timeout | undefined;
  #pass: Promise<unknown> | undefined;
  /** Aborted by `stop()`: a pass waiting out an outage ends at once. */
  #stopping = new AbortController();

  constructor(
    connection: Connection,
    private readonly audit: AuditTrail,
    private readonly sink: AuditSink,
    private readonly leases: Leases,
    private readonly logger: Logger,
    options: StreamOptions = {},
  ) {
    this.#cursor =
      (connection.models.AuditSinkCursor as Model<CursorDoc>) ??
      connection.model('AuditSinkCursor', cursorSchema);
    this.#options = {
      batch: 100,
      retries: 5,
      minBackoffMs: 500,
      maxBackoffMs: 10_000,
      leaseMs: 120_000,
      ...options,
    };
  }

  /** The sequence number of the last entry the sink acknowledged (0: none yet). */
  async acknowledged(): Promise<number> {
    return (await this.#cursor.findById(this.sink.name).lean())?.seq ?? 0;
  }

  /**
   * One pass: while this instance holds the lease, delivers the entries after the cursor, batch by
   * batch, each retried with backoff. Returns how many entries were acknowledged.
   */
  async pump(): Promise<number> {
    let delivered = 0;
    for (;;) {
      if (!(await this.leases.acquire(LEASE, this.#options.leaseMs))) return delivered;
      const after = await this.acknowledged();
      const entries = await this.audit.entries
        .find({ seq: { $gt: after } }, { _id: 0 })
        .sort({ seq: 1 })
        .limit(this.#options.batch)
        .lean<AuditEntry[]>();
      if (!entries.length) return delivered;
      const batch = entries.map(streamed);
      const signal = this.#stopping.signal;
      await pRetry(() => this.sink.deliver(batch, signal), {
        signal,
        retries: this.#options.retries,
        minTimeout: this.#options.minBackoffMs,
        maxTimeout: this.#options.maxBackoffMs,
        randomize: true,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          this.logger.warn(
            { sink: this.sink.name, from: batch[0]!.seq, attempt: attemptNumber, retriesLeft },
            `audit sink: delivery failed: ${error.message}`,
          );
        },
      });
      if (!(await this.#advance(after, batch.at(-1)!.seq))) return delivered;
      auditDelivered.inc(batch.length);
      delivered += batch.length;
    }
  }

  /** Moves the cursor from `from` to `to`; false when another instance moved it first. */
  async #advance(from: number, to: number): Promise<boolean> {
    try {
      const result = await this.#cursor.updateOne(
        { _id: this.sink.name, ...(from ? { seq: from } : { seq: { $in: [0, null] } }) },
        { $set: { seq: to } },
        { upsert: true },
      );
      return result.modifiedCount + result.upsertedCount === 1;
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return false;
      throw error;
    }
  }

  /** Pumps every `everyMs` until `stop()`; a failed pass is logged and tried again next time. */
  start(everyMs: number): void {
    this.#stopping = new AbortController();
    this.#timer = setInterval(() => {
      if (this.#pass) return;
      this.#pass = this.pump()
        .catch((error) =>
          this.logger.warn({ sink: this.sink.name }, `audit sink: pass gave up: ${error.message}`),
        )
        .finally(() => {
          this.#pass = undefined;
        });
    }, everyMs);
    this.#timer.unref();
  }

  /** Stops pumping, waits for a pass under way and hands the lease back. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#stopping.abort(new Error('stopping'));
    await this.#pass;
    await this.leases.release(LEASE).catch(() => undefined);
  }
}

/** The stored entry as the README's schema says it is streamed. */
function streamed(e: AuditEntry): StreamedEntry {
  return {
    seq: e.seq,
    at: new Date(e.at).toISOString(),
    requestId: e.requestId,
    actor: e.actor,
    action: e.action,
    from: e.from ?? null,
    to: e.to ?? null,
    reason: e.reason ?? null,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}
