import { createHash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';
import type { Clock } from '../clock.ts';

/** One line of the append-only audit trail: who did what to which request, when, and why. */
export interface AuditRecord {
  requestId: string;
  actor: string;
  action: string;
  from?: string | undefined;
  to?: string | undefined;
  reason?: string | undefined;
}

/** A stored entry: the record plus its place in the hash chain. */
export interface AuditEntry extends AuditRecord {
  seq: number;
  at: Date;
  prevHash: string;
  hash: string;
}

/** Outcome of `verify()`: where the chain first breaks, if it does. */
export type AuditVerdict =
  | { ok: true; entries: number }
  | { ok: false; entries: number; problem: string };

const GENESIS = '0'.repeat(64);

const entrySchema = new Schema<AuditEntry>(
  {
    seq: { type: Number, required: true, unique: true },
    at: { type: Date, required: true },
    requestId: { type: String, required: true, index: true },
    actor: { type: String, required: true },
    action: { type: String, required: true },
    from: String,
    to: String,
    reason: String,
    prevHash: { type: String, required: true },
    hash: { type: String, required: true },
  },
  { collection: 'audit', versionKey: false },
);

const headSchema = new Schema<{ _id: string; seq: number; hash: string }>(
  { _id: String, seq: Number, hash: String },
  { collection: 'audit_head', versionKey: false },
);

/** The hash of an entry covers every field but the hash itself, in a fixed order. */
export function hashEntry(entry: Omit<AuditEntry, 'hash'>): string {
  const canonical = JSON.stringify([
    entry.seq,
    entry.at.toISOString(),
    entry.requestId,
    entry.actor,
    entry.action,
    entry.from ?? null,
    entry.to ?? null,
    entry.reason ?? null,
    entry.prevHash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Append-only, hash-chained audit trail. Appends race on a unique `seq` (compare-and-set through
 * the unique index); a head document remembers the newest entry so deleting the tail shows too.
 */
export class AuditTrail {
  readonly entries: Model<AuditEntry>;
  readonly head: Model<{ _id: string; seq: number; hash: string }>;
  #queue: Promise<unknown> = Promise.resolve();
  /** The last entry this process saw; another instance appending shows up as a duplicate seq. */
  #tail: { seq: number; hash: string } | undefined;

  constructor(
    connection: Connection,
    private readonly clock: Clock,
  ) {
    this.entries = connection.models.AuditEntry ?? connection.model('AuditEntry', entrySchema);
    this.head = connection.models.AuditHead ?? connection.model('AuditHead', headSchema);
  }

  /** Appends a record at the end of the chain. In-process appends are queued; others retry. */
  append(record: AuditRecord): Promise<AuditEntry> {
    const next = this.#queue.then(() => this.#appendWithRetry(record));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #appendWithRetry(record: AuditRecord): Promise<AuditEntry> {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const last =
        this.#tail ??
        (await this.entries.findOne({}, { seq: 1, hash: 1 }).sort({ seq: -1 }).lean()) ??
        undefined;
      const base = {
        ...record,
        seq: (last?.seq ?? 0) + 1,
        at: this.clock.now(),
        prevHash: last?.hash ?? GENESIS,
      };
      const entry: AuditEntry = { ...base, hash: hashEntry(base) };
      try {
        await this.entries.create(entry);
      } catch (error) {
        this.#tail = undefined;
        if ((error as { code?: number }).code === 11000) continue;
        throw error;
      }
      this.#tail = { seq: entry.seq, hash: entry.hash };
      await this.#advanceHead(entry);
      return entry;
    }
    throw new Error('audit append kept losing the race');
  }

  async #advanceHead(entry: AuditEntry): Promise<void> {
    try {
      await this.head.updateOne(
        { _id: 'head', seq: { $lt: entry.seq } },
        { $set: { seq: entry.seq, hash: entry.hash } },
        { upsert: true },
      );
    } catch (error) {
      // A newer head was written by someone else: the upsert collided with it, which is fine.
      if ((error as { code?: number }).code !== 11000) throw error;
    }
  }

  /** Entries of one request, oldest first. */
  forRequest(requestId: string): Promise<AuditEntry[]> {
    return this.entries.find({ requestId }).sort({ seq: 1 }).lean();
  }

  /** Walks the whole chain: any edited, inserted or deleted entry breaks it. */
  async verify(): Promise<AuditVerdict> {
    let prevHash = GENESIS;
    let expected = 1;
    let count = 0;
    for await (const entry of this.entries.find().sort({ seq: 1 }).lean().cursor()) {
      count++;
      if (entry.seq !== expected) {
        return { ok: false, entries: count, problem: `entry ${expected} is missing` };
      }
      if (entry.prevHash !== prevHash) {
        return {
          ok: false,
          entries: count,
          problem: `entry ${entry.seq} does not follow entry ${entry.seq - 1}`,
        };
      }
      const { hash, ...rest } = entry as AuditEntry & { _id?: unknown };
      delete (rest as { _id?: unknown })._id;
      if (hashEntry(rest) !== hash) {
        return { ok: false, entries: count, problem: `entry ${entry.seq} was altered` };
      }
      prevHash = hash;
      expected++;
    }
    const head = await this.head.findById('head').lean();
    if (head && (head.seq !== expected - 1 || head.hash !== prevHash)) {
      return { ok: false, entries: count, problem: `entries after ${expected - 1} were deleted` };
    }
    return { ok: true, entries: count };
  }

  /** The whole trail as JSON lines, oldest first. */
  async exportJsonLines(): Promise<string> {
    const rows = await this.#rows();
    return rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length ? '\n' : '');
  }

  /** The whole trail as CSV with a header row, oldest first. */
  async exportCsv(): Promise<string> {
    const rows = await this.#rows();
    return stringify(rows, {
      header: true,
      columns: [
        'seq',
        'at',
        'requestId',
        'actor',
        'action',
        'from',
        'to',
        'reason',
        'prevHash',
        'hash',
      ],
    });
  }

  async #rows() {
    const entries = await this.entries.find().sort({ seq: 1 }).lean();
    return entries.map((e) => ({
      seq: e.seq,
      at: e.at.toISOString(),
      requestId: e.requestId,
      actor: e.actor,
      action: e.action,
      from: e.from ?? '',
      to: e.to ?? '',
      reason: e.reason ?? '',
      prevHash: e.prevHash,
      hash: e.hash,
    }));
  }
}
