/**
 * Upkeep of the seat ledger: recounting every SKU from its holder documents
 * (`npm run seats:verify`), and moving the first ledger's holder arrays to holder documents.
 */
import type { mongo } from 'mongoose';
import { seatsInUse } from './licenses.rules.ts';
import type { SeatJournal } from './seat-journal.ts';
import {
  isDuplicateKey,
  type SeatHolder,
  type SeatHolderDoc,
  type SkuDoc,
  seatHolderId,
} from './tenant.model.ts';

/** A SKU whose counters disagree with its holder documents (`npm run seats:verify`). */
export interface SeatDrift {
  skuId: string;
  counted: { held: number; assigned: number };
  stored: { held: number; assigned: number; free: number; seats: number };
  /** Counters minus the recount; all zero when the ledger is exact. */
  drift: { held: number; assigned: number; free: number };
  inflight: number;
}

type Counted = Map<string, { held: number; assigned: number }>;

/** Held and assigned seats per SKU, counted from the holder documents in batches (memory stays flat). */
async function recount(journal: SeatJournal): Promise<Counted> {
  const counted: Counted = new Map();
  const cursor = journal.holders
    .find({}, { projection: { _id: 0, sku: 1, key: 1, state: 1 } })
    .batchSize(10_000);
  let batch: SeatHolderDoc[] = [];
  const flush = () => {
    const bySku = new Map<string, SeatHolderDoc[]>();
    for (const h of batch) {
      const same = bySku.get(h.sku);
      if (same) same.push(h);
      else bySku.set(h.sku, [h]);
    }
    for (const [sku, holders] of bySku) {
      const { held, assigned } = seatsInUse(holders);
      const c = counted.get(sku) ?? { held: 0, assigned: 0 };
      counted.set(sku, { held: c.held + held, assigned: c.assigned + assigned });
    }
    batch = [];
  };
  for await (const h of cursor) {
    batch.push(h);
    if (batch.length >= 10_000) flush();
  }
  flush();
  return counted;
}

/**
 * Recounts every SKU from its holder documents (streamed) and compares with its counters. Only
 * SKUs that disagree are returned.
 */
export async function verifySeats(journal: SeatJournal): Promise<SeatDrift[]> {
  const counted = await recount(journal);
  const drifts: SeatDrift[] = [];
  for await (const sku of journal.skus.find({})) {
    const c = counted.get(sku._id) ?? { held: 0, assigned: 0 };
    counted.delete(sku._id);
    const drift = {
      held: sku.held - c.held,
      assigned: sku.assigned - c.assigned,
      // Seats the real directory uses outside accessdesk (directory-seats.ts) are not free.
      free: sku.free - (sku.seats - c.held - c.assigned - externalSeats(sku)),
    };
    if (drift.held || drift.assigned || drift.free) {
      drifts.push({
        skuId: sku._id,
        counted: c,
        stored: { held: sku.held, assigned: sku.assigned, free: sku.free, seats: sku.seats },
        drift,
        inflight: sku.inflight?.length ?? 0,
      });
    }
  }
  for (const [skuId, c] of counted) {
    // Holders of a SKU that has no counter document.
    drifts.push({
      skuId,
      counted: c,
      stored: { held: 0, assigned: 0, free: 0, seats: 0 },
      drift: { held: -c.held, assigned: -c.assigned, free: c.held + c.assigned },
      inflight: 0,
    });
  }
  return drifts;
}

/** Seats used outside accessdesk, as the last directory sync counted them (0 in the model). */
function externalSeats(sku: SkuDoc): number {
  return (sku as SkuDoc & { external?: number }).external ?? 0;
}

/**
 * A SKU written by the first ledger keeps its holders in an array: each becomes a holder
 * document (idempotent by id), then one guarded update counts them and drops the array.
 */
export async function migrateHolderArray(journal: SeatJournal, skuId: string): Promise<void> {
  type Legacy = { holders?: SeatHolder[] };
  const raw = journal.skus as unknown as mongo.Collection<Legacy>;
  const legacy = await raw.findOne({ _id: skuId, holders: { $exists: true } } as never);
  if (!legacy?.holders) return;
  const docs = legacy.holders.map((h) => ({
    ...h,
    _id: seatHolderId(skuId, h.key),
    sku: skuId,
    op: 'migrated',
  }));
  if (docs.length > 0) {
    await journal.holders.insertMany(docs, { ordered: false }).catch((error) => {
      if (!isDuplicateKey(error)) throw error;
    });
  }
  const { held, assigned } = seatsInUse(legacy.holders);
  await raw.updateOne(
    { _id: skuId, holders: { $exists: true } } as never,
    {
      $inc: { held, assigned },
      $unset: { holders: 1 },
    } as never,
  );
}
