/**
 * Taking held seats for a chunk of people at once (bulk onboarding), on the same journal as a
 * single take (seat-journal.ts): one guarded counter update takes `n` seats (`free >= n`) and
 * journals them as one entry keyed by the chunk, then the holders are inserted under the entry's
 * op (duplicates refused by their unique ids), then one update gives back what was not inserted
 * and pulls the entry. A writer that stops in between leaves a stale entry: recovery counts the
 * holders the op inserted and gives the rest back (seat-recovery.ts), so the counters stay exact.
 */
import type { Clock } from '../clock.ts';
import { AccessdeskError, ErrorCode } from '../errors.ts';
import {
  forwardInc,
  holderFromEntry,
  newOpId,
  type SeatJournal,
  seatsBusy,
} from './seat-journal.ts';
import type { SeatRecovery } from './seat-recovery.ts';
import {
  type InflightEntry,
  isDuplicateKey,
  SEAT_INFLIGHT_LIMIT,
  seatHolderId,
} from './tenant.model.ts';

/** One person of a chunk: the key their seat is held under, and their account (L1). */
export interface BulkSeatWant {
  key: string;
  accountId: string;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Held seats for many keys at once, in the order given (L3: only as many as are free). */
export class SeatBulkTakes {
  constructor(
    private readonly journal: SeatJournal,
    private readonly recovery: SeatRecovery,
    private readonly clock: Clock,
  ) {}

  /** The keys of `keys` that hold a seat of `skuId` now (one read). */
  async heldOf(skuId: string, keys: string[]): Promise<Set<string>> {
    const ids = keys.map((key) => seatHolderId(skuId, key));
    const found = await this.journal.holders
      .find({ _id: { $in: ids } }, { projection: { key: 1 } })
      .toArray();
    return new Set(found.map((h) => h.key));
  }

  /**
   * Holds a seat of `skuId` for each person, first come first served, as long as seats are free;
   * returns the keys that hold one now (a key held before, by a run that stopped, counts once).
   * `chunkKey` locks the chunk: a second run of it waits for (or recovers) the first.
   */
  async holdMany(
    skuId: string,
    chunkKey: string,
    people: BulkSeatWant[],
    expiresAt: Date,
  ): Promise<Set<string>> {
    const journal = this.journal;
    const keys = people.map((p) => p.key);
    const deadline = Date.now() + 2 * journal.leaseMs;
    for (let attempt = 0; Date.now() <= deadline; attempt++) {
      if (attempt > 0) await pause(Math.min(10 * attempt, 100));
      const held = await this.heldOf(skuId, keys);
      const wanting = people.filter((p) => !held.has(p.key));
      if (!wanting.length) return held;
      const sku = await journal.skus.findOne(
        { _id: skuId },
        { projection: { free: 1, inflight: 1 } },
      );
      if (!sku) throw new AccessdeskError(ErrorCode.NotFound, `There is no SKU "${skuId}".`);
      const stale = (sku.inflight ?? []).filter((e) => journal.isStale(e));
      if (stale.length) {
        await this.recovery.recoverEntries(skuId, stale);
        continue;
      }
      const n = Math.min(wanting.length, sku.free);
      if (n <= 0) return held;
      const taking = wanting.slice(0, n);
      const entry: InflightEntry = {
        op: newOpId(),
        kind: 'take',
        phase: 'counted',
        key: chunkKey,
        state: 'held',
        at: journal.now(),
        since: this.clock.now(),
        count: n,
        keys: taking.map((p) => p.key),
      };
      const begun = await journal.skus.updateOne(
        {
          _id: skuId,
          free: { $gte: n },
          'inflight.key': { $ne: chunkKey },
          [`inflight.${SEAT_INFLIGHT_LIMIT - 1}`]: { $exists: false },
        },
        { $push: { inflight: entry }, $inc: forwardInc(entry) },
      );
      if (begun.modifiedCount !== 1) continue; // seats went meanwhile, or the chunk is locked
      await journal.wrote('bulk:counter');
      const mine = await this.#insertHolders(skuId, entry, taking, expiresAt);
      if (mine) return new Set([...held, ...mine]);
    }
    throw seatsBusy(skuId);
  }

  /** The holders of a counted entry, then its settlement; undefined when recovery took it over. */
  async #insertHolders(
    skuId: string,
    entry: InflightEntry,
    taking: BulkSeatWant[],
    expiresAt: Date,
  ): Promise<string[] | undefined> {
    const journal = this.journal;
    journal.checkLease(entry.at);
    const docs = taking.map((p) =>
      holderFromEntry(skuId, { ...entry, key: p.key, accountId: p.accountId, expiresAt }),
    );
    try {
      await journal.holders.insertMany(docs, { ordered: false });
    } catch (error) {
      // A key held meanwhile, or an account with a seat of the SKU already (L1): not taken here.
      if (!isDuplicateKey(error)) throw error;
    }
    await journal.wrote('bulk:holders');
    const ids = docs.map((d) => d._id);
    const inserted = await journal.holders
      .find({ _id: { $in: ids }, op: entry.op }, { projection: { key: 1 } })
      .toArray();
    const back = (entry.count ?? 0) - inserted.length;
    const settled = await journal.skus.updateOne(
      { _id: skuId, inflight: { $elemMatch: { op: entry.op, claimedAt: null } } },
      { $inc: { free: back, held: -back }, $pull: { inflight: { op: entry.op } } },
    );
    await journal.wrote('bulk:settle');
    if (settled.modifiedCount === 1) return inserted.map((h) => h.key);
    // A recovery took the entry over: once it is done, holders it did not stamp have no seat
    // behind them (it gave their seats back) and go; the caller reads what is held again.
    const until = Date.now() + journal.leaseMs;
    while ((await journal.inFlight(skuId, entry.op)) && Date.now() < until) await pause(20);
    await journal.holders.deleteMany({ _id: { $in: ids }, op: entry.op, recoveredAt: null });
    return undefined;
  }
}
