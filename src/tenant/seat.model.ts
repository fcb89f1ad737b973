/** The seat ledger's documents: a SKU's counters with its journal, and one document per holder. */
import { Schema } from 'mongoose';
import type { SeatState } from './licenses.rules.ts';

const opts = { versionKey: false, minimize: false } as const;

/** One seat of a SKU as callers see it: held by an invitation (L4, expires) or assigned (L1). */
export interface SeatHolder {
  key: string;
  state: SeatState;
  accountId?: string | null;
  since: Date;
  expiresAt?: Date | null;
}

/** What a seat operation changes; `release` and `expire` remove a holder, `confirm` assigns it. */
export type SeatOpKind = 'take' | 'release' | 'confirm' | 'expire';

/**
 * One operation in flight on a SKU's counters. While it is there it locks its key: no other
 * operation on that key can enter the journal. `op` is random per attempt. A take enters already
 * `counted` (its counter change rides on the push). A release, expiry or confirm enters as an
 * `intent` (the lock only), then reads the holder and becomes `counted` with the counter change,
 * recording the holder's state and `holderOp`. `at` is when it entered, on the lease clock.
 */
export interface InflightEntry {
  op: string;
  kind: SeatOpKind;
  phase: 'intent' | 'counted';
  key: string;
  state: SeatState;
  at: Date;
  holderOp?: string | null;
  /** Set by the recovery that took a stopped take over (one at a time; stale after a lease). */
  claimedAt?: Date | null;
  accountId?: string | null;
  since?: Date | null;
  expiresAt?: Date | null;
  /**
   * A bulk take (seat-bulk.ts): `count` seats taken at once for the holders of `keys` (one
   * chunk of people, bounded); `key` is then the chunk's own key, which locks a re-run of it.
   */
  count?: number | null;
  keys?: string[] | null;
}

/**
 * A SKU's counters: `seats = free + held + assigned`, each change one guarded `$inc` (L3, L5).
 * `inflight` is bounded by a filter guard (SEAT_INFLIGHT_LIMIT): it grows with concurrency, never
 * with the number of holders.
 */
export interface SkuDoc {
  _id: string;
  name: string;
  seats: number;
  free: number;
  held: number;
  assigned: number;
  inflight: InflightEntry[];
}

/** At most this many seat operations in flight per SKU (the counter document stays small). */
export const SEAT_INFLIGHT_LIMIT = 64;

/**
 * One seat holder, its own document: `_id` = seatHolderId(sku, key). `op` is the operation that
 * created it: the holder's identity, which later changes are guarded by.
 */
export interface SeatHolderDoc extends SeatHolder {
  _id: string;
  sku: string;
  op: string;
  /** Set when recovery counted the take that created it (its writer had stopped). */
  recoveredAt?: Date | null;
}

/** The holder as callers see it, without the ledger's bookkeeping. */
export function toHolder(doc: SeatHolderDoc): SeatHolder {
  const holder: SeatHolder = { key: doc.key, state: doc.state, since: doc.since };
  if (doc.accountId) holder.accountId = doc.accountId;
  if (doc.expiresAt) holder.expiresAt = doc.expiresAt;
  return holder;
}

/** The holder document id of `key` in `skuId` (the SKU id encoded, so no two pairs collide). */
export function seatHolderId(skuId: string, key: string): string {
  return `${encodeURIComponent(skuId)}:${key}`;
}

/** A SKU: counters only (seats = free + held + assigned) and the bounded journal of operations. */
export function skuSchema(): Schema<SkuDoc> {
  return new Schema<SkuDoc>(
    {
      _id: String,
      name: { type: String, required: true },
      seats: { type: Number, required: true, min: 0 },
      free: { type: Number, required: true },
      held: { type: Number, default: 0 },
      assigned: { type: Number, default: 0 },
      inflight: {
        type: [
          new Schema<InflightEntry>(
            {
              op: String,
              kind: String,
              phase: String,
              key: String,
              state: String,
              at: Date,
              holderOp: String,
              claimedAt: Date,
              accountId: String,
              since: Date,
              expiresAt: Date,
              count: Number,
              keys: [String],
            },
            { _id: false },
          ),
        ],
        default: [],
      },
    },
    opts,
  );
}

/** Seat holders: L1 by a unique index, the L4 sweep and an account's seats served by indexes. */
export function seatHolderSchema(): Schema<SeatHolderDoc> {
  const schema = new Schema<SeatHolderDoc>(
    {
      _id: String,
      sku: { type: String, required: true },
      key: { type: String, required: true },
      state: { type: String, enum: ['held', 'assigned'], required: true },
      accountId: String,
      since: Date,
      expiresAt: Date,
      op: String,
      recoveredAt: Date,
    },
    opts,
  );
  // L1: one seat per account per SKU; holders bound to no account yet are not indexed.
  schema.index(
    { sku: 1, accountId: 1 },
    { unique: true, partialFilterExpression: { accountId: { $type: 'string' } } },
  );
  schema.index({ state: 1, expiresAt: 1 }); // L4: the expiry sweep
  schema.index({ accountId: 1 }); // seatsOf, T5
  return schema;
}
