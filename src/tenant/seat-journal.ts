/**
 * The in-flight journal of a SKU's counters: how a seat operation changes two documents (the
 * SKU's counters and one holder) without a transaction, and how a stopped one is finished.
 *
 * An operation first enters the journal (`inflight` of the SKU document), which locks its key:
 * one entry per key at a time (`'inflight.key': {$ne: key}`). A take enters with its counter
 * change in the same update, then upserts the holder under its op id. A release, expiry or
 * confirm enters as an intent, reads the holder, then makes its counter change (only while its
 * intent is still there), then changes the holder (guarded by the holder's own op id). Then the
 * entry is pulled. Because the key is locked before the holder is read, what the holder says
 * while the entry is there was done by this operation or by nobody; recovery relies on that.
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
  /** An entry older than this belongs to a writer that stopped (default 30 s). */
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
  aborted: number;
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
   * Enters the journal, locking the key; a counted entry (a take) makes its counter change in the
   * same update.
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
      const update: mongo.UpdateFilter<SkuDoc> = { $push: { inflight: entry } };
      if (entry.phase === 'counted') update.$inc = forwardInc(entry);
      const result = await this.skus.updateOne(filter as mongo.Filter<SkuDoc>, update);
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

  /**
   * The operation is complete: its entry is pulled, unlocking the key. False when it is gone
   * already, or (`unclaimed`, a take's writer) when a recovery has taken it over.
   */
  async settle(skuId: string, op: string, { unclaimed = false } = {}): Promise<boolean> {
    const result = await this.skus.updateOne(
      unclaimed
        ? { _id: skuId, inflight: { $elemMatch: { op, claimedAt: null } } }
        : { _id: skuId, 'inflight.op': op },
      { $pull: { inflight: { op } } },
    );
    return result.modifiedCount === 1;
  }

  /** Whether the entry of `op` is still in flight (its key still locked). */
  async inFlight(skuId: string, op: string): Promise<boolean> {
    return (await this.skus.countDocuments({ _id: skuId, 'inflight.op': op }, { limit: 1 })) > 0;
  }

  /** Undoes a counted entry's counter change and pulls it, at most once (guarded by its op). */
  async compensate(skuId: string, entry: InflightEntry): Promise<boolean> {
    const result = await this.skus.updateOne(
      { _id: skuId, inflight: { $elemMatch: { op: entry.op, phase: 'counted' } } },
      { $inc: negate(forwardInc(entry)), $pull: { inflight: { op: entry.op } } },
    );
    return result.modifiedCount === 1;
  }

  /** Pulls an entry that never made its counter change (its key is unlocked). */
  async abort(skuId: string, op: string): Promise<boolean> {
    const result = await this.skus.updateOne(
      { _id: skuId, inflight: { $elemMatch: { op, phase: 'intent' } } },
      { $pull: { inflight: { op } } },
    );
    return result.modifiedCount === 1;
  }

  /**
   * A release's, expiry's or confirm's counter change, made only while its intent is there (so
   * never after recovery aborted it), recording the holder it is about.
   */
  async count(skuId: string, entry: InflightEntry, holder: SeatHolderDoc): Promise<boolean> {
    entry.phase = 'counted';
    entry.state = entry.kind === 'confirm' ? 'held' : holder.state;
    entry.holderOp = holder.op;
    const result = await this.skus.updateOne(
      { _id: skuId, inflight: { $elemMatch: { op: entry.op, phase: 'intent' } } },
      {
        $inc: forwardInc(entry),
        $set: {
          'inflight.$.phase': 'counted',
          'inflight.$.state': entry.state,
          'inflight.$.holderOp': holder.op,
        },
      },
    );
    return result.modifiedCount === 1;
  }

  #cutoff(): Date {
    return new Date(this.now().getTime() - this.leaseMs);
  }

  /** Whether an entry started at `at` is past its lease (its writer is taken as stopped). */
  isStale(entry: { at: Date }, olderThanMs = this.leaseMs): boolean {
    return new Date(entry.at).getTime() <= this.now().getTime() - olderThanMs;
  }

  /**
   * Finishes every operation older than `olderThanMs` (default: the lease): counted entries are
   * rolled forward or compensated, intents are aborted.
   */
  async recover(olderThanMs = this.leaseMs): Promise<RecoveryReport> {
    const report: RecoveryReport = { rolledForward: 0, compensated: 0, aborted: 0 };
    const cutoff = new Date(this.now().getTime() - olderThanMs);
    const skus = await this.skus
      .find({ inflight: { $elemMatch: { at: { $lte: cutoff } } } }, { projection: { inflight: 1 } })
      .toArray();
    for (const sku of skus) {
      const stale = sku.inflight.filter((e) => this.isStale(e, olderThanMs));
      const done = await this.recoverEntries(sku._id, stale);
      report.rolledForward += done.rolledForward;
      report.compensated += done.compensated;
      report.aborted += done.aborted;
    }
    return report;
  }

  async recoverEntries(skuId: string, entries: InflightEntry[]): Promise<RecoveryReport> {
    const report: RecoveryReport = { rolledForward: 0, compensated: 0, aborted: 0 };
    for (const entry of entries) {
      const outcome = await this.recoverEntry(skuId, entry);
      if (outcome === 'forward') report.rolledForward++;
      if (outcome === 'compensated') report.compensated++;
      if (outcome === 'aborted') report.aborted++;
    }
    return report;
  }

  /** Finishes one stopped operation, reading what its holder document says happened. */
  async recoverEntry(
    skuId: string,
    entry: InflightEntry,
  ): Promise<'forward' | 'compensated' | 'aborted' | 'gone'> {
    const _id = seatHolderId(skuId, entry.key);
    if (entry.kind === 'take') {
      // Claim it first: only the claimant may insert its holder, and while the claimed entry is
      // there the key stays locked (the writer cannot pull it), so no holder of this key can
      // come and go between the read below and the insert. Without the claim, a recovery working
      // from an old copy of the journal could re-create a holder released since.
      const claimed = await this.skus.updateOne(
        {
          _id: skuId,
          inflight: {
            $elemMatch: {
              op: entry.op,
              $or: [{ claimedAt: null }, { claimedAt: { $lte: this.#cutoff() } }],
            },
          },
        },
        { $set: { 'inflight.$.claimedAt': this.now() } },
      );
      if (claimed.modifiedCount === 0) return 'gone';
      let holder = await this.holders.findOne({ _id });
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
        // Stamped before the pull: a writer that inserted this holder and then finds its entry
        // gone can tell its seat was counted (stamp) from given back (no stamp).
        await this.holders.updateOne({ _id, op: entry.op }, { $set: { recoveredAt: this.now() } });
        return (await this.settle(skuId, entry.op)) ? 'forward' : 'gone';
      }
      // Another take of the key won, or the account has a seat under another key (L1).
      return (await this.compensate(skuId, entry)) ? 'compensated' : 'gone';
    }
    const holder = await this.holders.findOne({ _id });
    if (entry.phase !== 'counted') {
      // Stopped before its counter change: nothing was changed, only the lock is let go. A
      // writer still on it finds its intent gone when it tries to count, and starts over.
      return (await this.abort(skuId, entry.op)) ? 'aborted' : 'gone';
    }
    // Counted, with the key locked since before the holder was read: the holder shows this
    // op's change or the holder as it was, nothing else.
    if (
      holder &&
      holder.op === entry.holderOp &&
      (entry.kind !== 'confirm' || holder.state === 'held')
    ) {
      await this.applyHolderChange(
        _id,
        entry.holderOp ?? '',
        entry.kind,
        new Date(entry.since ?? entry.at),
      );
    }
    return (await this.settle(skuId, entry.op)) ? 'forward' : 'gone';
  }

  /** The holder change of a release, expiry or confirm, on the holder `holderOp` created. */
  async applyHolderChange(
    _id: string,
    holderOp: string,
    kind: InflightEntry['kind'],
    now: Date,
  ): Promise<boolean> {
    if (kind === 'confirm') {
      const result = await this.holders.updateOne(
        { _id, op: holderOp, state: 'held' },
        { $set: { state: 'assigned', since: now }, $unset: { expiresAt: 1 } },
      );
      return result.modifiedCount === 1;
    }
    const result = await this.holders.deleteOne({ _id, op: holderOp });
    return result.deletedCount === 1;
  }
}

/** The holder document a take creates, from its journal entry. */
export function holderFromEntry(
  skuId: string,
  entry: Pick<InflightEntry, 'op' | 'key' | 'state' | 'at' | 'since' | 'accountId' | 'expiresAt'>,
): SeatHolderDoc {
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
