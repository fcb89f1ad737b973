/**
 * The in-flight journal of a SKU's counters: how a seat operation changes two documents (the
 * SKU's counters and one holder) without a transaction, and how a stopped one is finished.
 *
 * Every counter change is one guarded `$inc` that also pushes an entry `{op, kind, key, …}` onto
 * `inflight` of the same document; the holder change that goes with it is a compare-and-set
 * naming the same `op`; then the entry is pulled. An entry older than the lease belongs to a
 * writer that stopped: `recoverEntry` rolls it forward or compensates it, from what the holder
 * document says. At most one entry per key is in flight (`'inflight.key': {$ne: key}`), so while
 * an entry is there nothing else changes that key's holder, and the holder alone tells whether
 * the writer's holder change happened.
 */
import { randomBytes } from 'node:crypto';
import type { mongo } from 'mongoose';
import type { Clock } from '../clock.ts';
import { AccessdeskError, ErrorCode } from '../errors.ts';
import {
  type InflightEntry,
  isDuplicateKey,
  rawOf,
  SEAT_INFLIGHT_LIMIT,
  type SeatHolderDoc,
  type SkuDoc,
  seatHolderId,
  type TenantModels,
} from './tenant.model.ts';

/** Lease and fault injection of the seat ledger. */
export interface SeatJournalOptions {
  /** Real time, for leases (a writer's pause is wall-clock time, whatever the domain clock says). */
  leaseClock?: Clock;
  /** An entry or mark older than this belongs to a writer that stopped (default 30 s). */
  leaseMs?: number;
  /** A writer that finds its lease this close to passing stops and leaves it to recovery. */
  marginMs?: number;
  /**
   * Called after each write of a seat operation with its name (`take:counter`, …); for tests: a
   * throw stops the operation there (a crash), a promise holds it there (a paused writer).
   */
  afterWrite?: (step: string) => void | Promise<void>;
}

/** What a recovery pass did. */
export interface RecoveryReport {
  rolledForward: number;
  compensated: number;
  unmarked: number;
}

/** Whether the counters took the entry, or why not (with the SKU as it was read). */
export type Begun =
  | { ok: true }
  | { ok: false; reason: 'noFreeSeat'; sku: SkuDoc }
  | { ok: false; reason: 'busy' | 'timeout' };

type Counters = Partial<Record<'free' | 'held' | 'assigned', number>>;

/** The counter change an entry stands for (its compensation is the negation). */
export function forwardInc(entry: Pick<InflightEntry, 'kind' | 'state'>): Counters {
  switch (entry.kind) {
    case 'take':
      return { free: -1, [entry.state]: 1 };
    case 'release':
    case 'expire':
      return { free: 1, [entry.state]: -1 };
    case 'confirm':
      return { held: -1, assigned: 1 };
  }
}

function negate(inc: Counters): Counters {
  return Object.fromEntries(Object.entries(inc).map(([k, v]) => [k, -(v as number)]));
}

/** A fresh operation id. */
export function newOpId(): string {
  return randomBytes(9).toString('base64url');
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The journal of every SKU, over the `skus` and `seat_holders` collections. */
export class SeatJournal {
  readonly leaseMs: number;
  readonly #marginMs: number;
  readonly #clock: Clock;
  readonly #afterWrite: (step: string) => void | Promise<void>;

  constructor(
    private readonly m: TenantModels,
    options: SeatJournalOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.#marginMs = options.marginMs ?? Math.floor(this.leaseMs / 3);
    this.#clock = options.leaseClock ?? { now: () => new Date() };
    this.#afterWrite = options.afterWrite ?? (() => {});
  }

  get skus(): mongo.Collection<SkuDoc> {
    return rawOf(this.m.Sku);
  }
  get holders(): mongo.Collection<SeatHolderDoc> {
    return rawOf(this.m.SeatHolder);
  }

  /** Now on the lease clock. */
  now(): Date {
    return this.#clock.now();
  }

  /** The fault hook: tests make it throw to stop an operation right after a write. */
  async wrote(step: string): Promise<void> {
    await this.#afterWrite(step);
  }

  /** Throws (leaving the rest to recovery) when the lease of an operation started at `at` is nearly over. */
  checkLease(at: Date): void {
    if (this.now().getTime() - at.getTime() <= this.leaseMs - this.#marginMs) return;
    throw new AccessdeskError(
      ErrorCode.Conflict,
      'A seat change took too long and is left to recovery; try again in a minute.',
    );
  }

  /**
   * Step 2 of every operation: applies the entry's counter change and journals it, in one update.
   * Waits while another operation on the same key is in flight or the journal is full (finishing
   * stale entries it meets); a take is refused with the SKU when no seat is free (L3). With
   * `recheck`, it returns `busy` after each wait instead, so the caller looks at the holder again.
   */
  async begin(
    skuId: string,
    entry: InflightEntry,
    deadline: number,
    { recheck = false }: { recheck?: boolean } = {},
  ): Promise<Begun> {
    const filter: Record<string, unknown> = {
      _id: skuId,
      'inflight.key': { $ne: entry.key },
      [`inflight.${SEAT_INFLIGHT_LIMIT - 1}`]: { $exists: false },
    };
    if (entry.kind === 'take') filter.free = { $gt: 0 };
    for (let attempt = 0; ; attempt++) {
      entry.at = this.now();
      const result = await this.skus.updateOne(filter as mongo.Filter<SkuDoc>, {
        $inc: forwardInc(entry),
        $push: { inflight: entry },
      });
      if (result.modifiedCount === 1) return { ok: true };
      const sku = await this.skus.findOne({ _id: skuId });
      if (!sku) throw new AccessdeskError(ErrorCode.NotFound, `There is no SKU "${skuId}".`);
      const stale = (sku.inflight ?? []).filter((e) => this.isStale(e));
      if (stale.length > 0) {
        await this.recoverEntries(skuId, stale);
        if (recheck) return { ok: false, reason: 'busy' };
        continue;
      }
      const busy = (sku.inflight ?? []).some((e) => e.key === entry.key);
      const full = (sku.inflight ?? []).length >= SEAT_INFLIGHT_LIMIT;
      if (!busy && !full && entry.kind === 'take' && sku.free <= 0) {
        return { ok: false, reason: 'noFreeSeat', sku };
      }
      if (Date.now() > deadline) return { ok: false, reason: 'timeout' };
      await pause(Math.min(5 * 2 ** Math.min(attempt, 4), 80) * (0.5 + Math.random()));
      if (recheck) return { ok: false, reason: 'busy' };
    }
  }

  /** Step 4: the operation is complete; false when recovery already pulled it. */
  async settle(skuId: string, op: string): Promise<boolean> {
    const result = await this.skus.updateOne(
      { _id: skuId, 'inflight.op': op },
      { $pull: { inflight: { op } } },
    );
    return result.modifiedCount === 1;
  }

  /** Undoes the entry's counter change and pulls it, at most once (guarded by its op). */
  async compensate(skuId: string, entry: InflightEntry): Promise<boolean> {
    const result = await this.skus.updateOne(
      { _id: skuId, 'inflight.op': entry.op },
      { $inc: negate(forwardInc(entry)), $pull: { inflight: { op: entry.op } } },
    );
    return result.modifiedCount === 1;
  }

  /** Whether an entry or mark started at `at` is past its lease (its writer is taken as stopped). */
  isStale(entry: { at: Date }, olderThanMs = this.leaseMs): boolean {
    return new Date(entry.at).getTime() <= this.now().getTime() - olderThanMs;
  }

  /**
   * Finishes every operation older than `olderThanMs` (default: the lease): journal entries are
   * rolled forward or compensated; holder marks with no entry (the writer stopped before its
   * counter change) are removed.
   */
  async recover(olderThanMs = this.leaseMs): Promise<RecoveryReport> {
    const report: RecoveryReport = { rolledForward: 0, compensated: 0, unmarked: 0 };
    const cutoff = new Date(this.now().getTime() - olderThanMs);
    const skus = await this.skus
      .find({ inflight: { $elemMatch: { at: { $lte: cutoff } } } }, { projection: { inflight: 1 } })
      .toArray();
    for (const sku of skus) {
      const stale = sku.inflight.filter((e) => this.isStale(e, olderThanMs));
      const done = await this.recoverEntries(sku._id, stale);
      report.rolledForward += done.rolledForward;
      report.compensated += done.compensated;
    }
    const marked = this.holders.find({ 'pending.at': { $lte: cutoff } });
    for await (const holder of marked) {
      const op = holder.pending?.op;
      if (!op) continue;
      const journaled = await this.skus.findOne(
        { _id: holder.sku, 'inflight.op': op },
        { projection: { _id: 1 } },
      );
      if (journaled) continue; // its entry is recovered above, or its writer is still on it
      // The writer stopped before its counter change: the mark alone is undone. Should it still
      // journal the change later, its holder step finds no mark and it compensates itself.
      const unmarked = await this.holders.updateOne(
        { _id: holder._id, 'pending.op': op },
        { $unset: { pending: 1 } },
      );
      report.unmarked += unmarked.modifiedCount;
    }
    return report;
  }

  async recoverEntries(skuId: string, entries: InflightEntry[]): Promise<RecoveryReport> {
    const report: RecoveryReport = { rolledForward: 0, compensated: 0, unmarked: 0 };
    for (const entry of entries) {
      const outcome = await this.recoverEntry(skuId, entry);
      if (outcome === 'forward') report.rolledForward++;
      if (outcome === 'compensated') report.compensated++;
    }
    return report;
  }

  /** Finishes one stopped operation, reading what its holder document says happened. */
  async recoverEntry(
    skuId: string,
    entry: InflightEntry,
  ): Promise<'forward' | 'compensated' | 'gone'> {
    const _id = seatHolderId(skuId, entry.key);
    let holder = await this.holders.findOne({ _id });
    if (entry.kind === 'take') {
      if (!holder) {
        try {
          await this.holders.insertOne(holderFromEntry(skuId, entry));
          holder = { ...holderFromEntry(skuId, entry) };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          holder = await this.holders.findOne({ _id }); // L1 (null) or the writer's own insert
        }
      }
      if (holder?.op === entry.op) {
        return (await this.settle(skuId, entry.op)) ? 'forward' : 'gone';
      }
      // Another take of the key won, or the account has a seat under another key (L1).
      return (await this.compensate(skuId, entry)) ? 'compensated' : 'gone';
    }
    if (holder?.pending?.op === entry.op) {
      await this.applyHolderChange(_id, entry.op, entry.kind, new Date(entry.since ?? entry.at));
      return (await this.settle(skuId, entry.op)) ? 'forward' : 'gone';
    }
    const happened = entry.kind === 'confirm' ? holder?.state !== 'held' : !holder;
    if (happened) return (await this.settle(skuId, entry.op)) ? 'forward' : 'gone';
    // The holder is unchanged and no longer marked by this op: its mark was undone.
    return (await this.compensate(skuId, entry)) ? 'compensated' : 'gone';
  }

  /** Step 3 of a release, expiry or confirm: the holder change, only if still marked by `op`. */
  async applyHolderChange(
    _id: string,
    op: string,
    kind: InflightEntry['kind'],
    now: Date,
  ): Promise<boolean> {
    if (kind === 'confirm') {
      const result = await this.holders.updateOne(
        { _id, 'pending.op': op },
        { $set: { state: 'assigned', since: now }, $unset: { pending: 1, expiresAt: 1 } },
      );
      return result.modifiedCount === 1;
    }
    const result = await this.holders.deleteOne({ _id, 'pending.op': op });
    return result.deletedCount === 1;
  }
}

/** The holder document a take creates, from its journal entry. */
export function holderFromEntry(skuId: string, entry: InflightEntry): SeatHolderDoc {
  const holder: SeatHolderDoc = {
    _id: seatHolderId(skuId, entry.key),
    sku: skuId,
    key: entry.key,
    state: entry.state,
    since: entry.since ?? entry.at,
    op: entry.op,
  };
  if (entry.accountId) holder.accountId = entry.accountId;
  if (entry.expiresAt) holder.expiresAt = entry.expiresAt;
  return holder;
}
