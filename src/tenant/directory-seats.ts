/**
 * Seats as the real directory counts them (Microsoft 365's subscribedSkus), applied to the seat
 * ledger's SKU counters. A separate module beside the ledger: it adds one figure, `external` (seats
 * used by accounts accessdesk did not license), and keeps the ledger's sum
 * `seats = free + held + assigned + external` with one atomic update per SKU.
 */
import type { Connection, mongo } from 'mongoose';
import type { SkuDoc } from './seat.model.ts';
import type { TenantConfig } from './tenant.schema.ts';

/** A SKU's counters after the directory's figures were applied. */
export interface DirectorySeats {
  skuId: string;
  seats: number;
  held: number;
  assigned: number;
  external: number;
  free: number;
  /** Seats in use the directory reports beyond what its subscription has (0 when it fits). */
  short: number;
}

type SyncedSku = SkuDoc & { external?: number; syncedAt?: Date };

const n = (field: string) => ({ $ifNull: [`$${field}`, 0] });

/**
 * L3/L5 in one atomic pipeline update of the SKU's counter document: `seats` becomes the
 * subscription's enabled units (never below accessdesk's own held + assigned seats, L5),
 * `external` the seats used outside accessdesk (as many as fit), and `free` what is left, so a
 * take's `free > 0` guard never hands out a seat the real tenant does not have. Concurrent takes
 * and releases `$inc` the same document: each update sees the other's result, none is lost.
 */
export async function applyDirectorySeats(
  connection: Connection,
  skuId: string,
  figures: { seats: number; external: number },
  now: Date,
): Promise<DirectorySeats | undefined> {
  const skus = connection.collection<SyncedSku>('skus');
  const ours = { $add: [n('held'), n('assigned')] };
  const seats = Math.max(0, Math.floor(figures.seats));
  const external = Math.max(0, Math.floor(figures.external));
  const doc = await skus.findOneAndUpdate(
    { _id: skuId },
    [
      {
        $set: {
          seats: { $max: [seats, ours] },
          external: { $max: [0, { $min: [external, { $subtract: [seats, ours] }] }] },
          syncedAt: now,
        },
      },
      { $set: { free: { $subtract: ['$seats', { $add: [ours, '$external'] }] } } },
    ] as unknown as mongo.UpdateFilter<SyncedSku>[],
    { returnDocument: 'after', projection: { inflight: 0 } },
  );
  if (!doc) return undefined;
  const held = doc.held ?? 0;
  const assigned = doc.assigned ?? 0;
  const stored = doc.external ?? 0;
  return {
    skuId,
    seats: doc.seats,
    held,
    assigned,
    external: stored,
    free: doc.free,
    short: Math.max(0, held + assigned + external - seats),
  };
}

/**
 * The tenant file with each SKU's seat count replaced by the one the directory last set: in
 * graph mode the subscription, not the file, says how many seats there are, so applying the file
 * at start neither undoes the last sync nor refuses to start (L5) over a stale number.
 */
export async function withDirectorySeats(
  connection: Connection,
  config: TenantConfig,
): Promise<TenantConfig> {
  const synced = await connection
    .collection<SyncedSku>('skus')
    .find(
      { _id: { $in: config.skus.map((s) => s.id) }, syncedAt: { $type: 'date' } },
      { projection: { seats: 1 } },
    )
    .toArray();
  const seats = new Map(synced.map((s) => [s._id, s.seats]));
  return {
    ...config,
    skus: config.skus.map((s) => (seats.has(s.id) ? { ...s, seats: seats.get(s.id)! } : s)),
  };
}

/**
 * The ledger's seats of `skuIds` held by `accountIds` (the seat holders' `accountId` index): one
 * query per batch of directory users, whatever the tenant's size.
 */
export async function ledgerHoldersAmong(
  connection: Connection,
  skuIds: string[],
  accountIds: string[],
): Promise<Array<{ sku: string; accountId: string }>> {
  if (!skuIds.length || !accountIds.length) return [];
  // By the accountId index alone: one seek per account, not one per account and SKU.
  const skus = new Set(skuIds);
  const found = await connection
    .collection<{ sku: string; accountId: string }>('seat_holders')
    .find({ accountId: { $in: accountIds } }, { projection: { _id: 0, sku: 1, accountId: 1 } })
    .toArray();
  return found.filter((h) => skus.has(h.sku));
}
