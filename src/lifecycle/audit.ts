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
  /** Records waiting to be written; a flush writes all of them with one insert (group commit). */
  #pending: Array<{
    record: AuditRecord;
    resolve: (entry: AuditEntry) => void;
    reject: (error: unknown) => void;
  }> = [];
  #flushing = false;
  #indexed: Promise<void> | undefined;
  /** The last entry this process saw; another instance appending shows up as a duplicate seq. */
  #tail: { seq: number; hash: string } | undefined;

  constructor(
    connection: Connection,
    private readonly clock: Clock,
  ) {
    this.entries = connection.models.AuditEntry ?? connection.model('AuditEntry', entrySchema);
    this.head = connection.models.AuditHead ?? connection.model('AuditHead', headSchema);
  }

  /**
   * Appends a record at the end of the chain. Appends that arrive while a write is under way are
   * chained in process and written together with one insert; other instances race on the unique
   * `seq` and re-chain what lost.
   */
  append(record: AuditRecord): Promise<AuditEntry> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ record, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#pending.length) {
        const batch = this.#pending.splice(0, 500);
        try {
          const entries = await this.#write(batch.map((b) => b.record));
          for (const [i, b] of batch.entries()) b.resolve(entries[i]!);
        } catch (error) {
          for (const b of batch) b.reject(error);
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  async #write(records: AuditRecord[]): Promise<AuditEntry[]> {
    // The unique `seq` index is what makes racing instances safe: never write before it exists.
    this.#indexed ??= this.entries.init().then(() => undefined);
    await this.#indexed;
    const written: AuditEntry[] = [];
    let rest = records;
    for (let attempt = 0; attempt < 1000 && rest.length; attempt++) {
      let last =
        this.#tail ??
        (await this.entries.findOne({}, { seq: 1, hash: 1 }).sort({ seq: -1 }).lean()) ??
        undefined;
      const at = this.clock.now();
      const entries = rest.map((record) => {
        const base = {
          ...record,
          seq: (last?.seq ?? 0) + 1,
          at,
          prevHash: last?.hash ?? GENESIS,
        };
        const entry: AuditEntry = { ...base, hash: hashEntry(base) };
        last = entry;
        return entry;
      });
      try {
        await this.entries.collection.insertMany(
          entries.map((e) => ({ ...e })),
          { ordered: true },
        );
        written.push(...entries);
        rest = [];
        this.#tail = last;
      } catch (error) {
        this.#tail = undefined;
        if ((error as { code?: number }).code !== 11000) throw error;
        // Ordered: the entries before the duplicate went in and stay; re-chain the others.
        const inserted = (error as { insertedCount?: number }).insertedCount ?? 0;
        written.push(...entries.slice(0, inserted));
        rest = rest.slice(inserted);
      }
    }
    if (rest.length) throw new Error('audit append kept losing the race');
    await this.#advanceHead(written.at(-1)!);
    return written;
  }

  async #advanceHead(entry: AuditEntry): Promise<void> {
    try {
      await this.head.collection.updateOne(
        { _id: 'head', seq: { $lt: entry.seq } } as never,
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
    const head = await this.head.findById('head').lean();
    let hashAtHead: string | undefined;
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
      if (entry.seq === head?.seq) hashAtHead = hash;
      expected++;
    }
    // The head lags the entries by at most a crash between insert and head update; it can never
    // be ahead of them unless entries at the end were deleted.
    if (head && head.seq > expected - 1) {
      return { ok: false, entries: count, problem: `entries after ${expected - 1} were deleted` };
    }
    if (head && head.hash !== hashAtHead) {
      return { ok: false, entries: count, problem: `entry ${head.seq} was replaced` };
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
