/**
 * The in-flight journal of a SKU's counters: how a seat operation changes two documents (the
 * SKU's counters and one holder) without a transaction. This file holds the journal's single
 * writes; seat-recovery.ts finishes the operations whose writer stopped.
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
import { AccessdeskError, ErrorCode, RuleViolation } from '../errors.ts';
import {
  type InflightEntry,
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

/** One attempt to enter the journal: in, refused for want of a seat (L3), or why not yet. */
export type Attempt =
  | { ok: true }
  | { ok: false; reason: 'noFreeSeat'; sku: SkuDoc }
  | { ok: false; reason: 'stale'; entries: InflightEntry[] }
  | { ok: false; reason: 'wait' };

type Counters = Partial<Record<'free' | 'held' | 'assigned', number>>;

/** The counter change an entry stands for (its compensation is the negation). */
export function forwardInc(entry: Pick<InflightEntry, 'kind' | 'state' | 'count'>): Counters {
  switch (entry.kind) {
    case 'take': {
      const n = entry.count ?? 1;
      return { free: -n, [entry.state]: n };
    }
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

/** L3: the seats of `skuId` kept changing until the operation's deadline. */
export function seatsBusy(skuId: string): RuleViolation {
  return new RuleViolation(ErrorCode.Conflict, 'L3', `Seats of ${skuId} kept changing; retry.`);
}

/** L1: the account already has a seat of `skuId`. */
export function oneSeatPerAccount(skuId: string, accountId: unknown): RuleViolation {
  return new RuleViolation(
    ErrorCode.Conflict,
    'L1',
    `This account already has a seat of ${skuId}; one seat per account.`,
    { skuId, accountId },
  );
}

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
   * One attempt to enter the journal, locking the key; a counted entry (a take) makes its
   * counter change in the same update. When it cannot: the SKU as read if a take finds no free
   * seat (L3), the stale entries met (to finish first), or `wait` (the key is locked or the
   * journal is full).
   */
  async tryBegin(skuId: string, entry: InflightEntry): Promise<Attempt> {
    const filter: Record<string, unknown> = {
      _id: skuId,
      'inflight.key': { $ne: entry.key },
      [`inflight.${SEAT_INFLIGHT_LIMIT - 1}`]: { $exists: false },
    };
    if (entry.kind === 'take') filter.free = { $gt: 0 };
    entry.at = this.now();
    const update: mongo.UpdateFilter<SkuDoc> = { $push: { inflight: entry } };
    if (entry.phase === 'counted') update.$inc = forwardInc(entry);
    const result = await this.skus.updateOne(filter as mongo.Filter<SkuDoc>, update);
    if (result.modifiedCount === 1) return { ok: true };
    const sku = await this.skus.findOne({ _id: skuId });
    if (!sku) throw new AccessdeskError(ErrorCode.NotFound, `There is no SKU "${skuId}".`);
    const inflight = sku.inflight ?? [];
    const stale = inflight.filter((e) => this.isStale(e));
    if (stale.length > 0) return { ok: false, reason: 'stale', entries: stale };
    const busy = inflight.some((e) => e.key === entry.key);
    const full = inflight.length >= SEAT_INFLIGHT_LIMIT;
    if (!busy && !full && entry.kind === 'take' && sku.free <= 0) {
      return { ok: false, reason: 'noFreeSeat', sku };
    }
    return { ok: false, reason: 'wait' };
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

  /**
   * A recovery takes a stopped take over: one recovery at a time (a claim older than the lease
   * is stale), and the writer can no longer pull the entry. False when it is gone or claimed.
   */
  async claim(skuId: string, op: string): Promise<boolean> {
    const cutoff = new Date(this.now().getTime() - this.leaseMs);
    const claimed = await this.skus.updateOne(
      {
        _id: skuId,
        inflight: {
          $elemMatch: { op, $or: [{ claimedAt: null }, { claimedAt: { $lte: cutoff } }] },
        },
      },
      { $set: { 'inflight.$.claimedAt': this.now() } },
    );
    return claimed.modifiedCount === 1;
  }

  /** Whether an entry started at `at` is past its lease (its writer is taken as stopped). */
  isStale(entry: { at: Date }, olderThanMs = this.leaseMs): boolean {
    return new Date(entry.at).getTime() <= this.now().getTime() - olderThanMs;
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
