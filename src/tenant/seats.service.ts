/**
 * License seats: one document per seat holder (`seat_holders`) and one counter document per SKU
 * (`skus`), kept in step by the in-flight journal of seat-journal.ts. No document grows with
 * the number of seats; every change is a guarded single-document update. This class is the
 * ledger's face: reads and seat counts here, takes in seat-take.ts, changes of a holder in
 * seat-change.ts, recovery in seat-recovery.ts, the recount in seat-verify.ts.
 */
import type { Clock } from '../clock.ts';
import { AccessdeskError, ErrorCode, RuleViolation } from '../errors.ts';
import { type SeatState, seatCountChangeAllowed } from './licenses.rules.ts';
import { type BulkSeatWant, SeatBulkTakes } from './seat-bulk.ts';
import { SeatChanges } from './seat-change.ts';
import { SeatJournal, type SeatJournalOptions } from './seat-journal.ts';
import { type RecoveryReport, SeatRecovery } from './seat-recovery.ts';
import { type SeatOptions, SeatTakes, type TakenSeat } from './seat-take.ts';
import { migrateHolderArray, type SeatDrift, verifySeats } from './seat-verify.ts';
import {
  isDuplicateKey,
  type SeatHolder,
  type SkuDoc,
  seatHolderId,
  type TenantModels,
  toHolder,
} from './tenant.model.ts';

export type { SeatDrift, SeatOptions, TakenSeat };

/** Seats of one SKU as people read them (L5: held seats count as used). */
export interface SeatSummary {
  skuId: string;
  name: string;
  seats: number;
  assigned: number;
  held: number;
  free: number;
  /** Seats used outside accessdesk, as the last directory sync counted them (0 in the model). */
  external: number;
}

const MAX_RETRIES = 20;
const COUNTERS = { name: 1, seats: 1, free: 1, held: 1, assigned: 1, external: 1 } as const;

/** The seat ledger: take, confirm, release and resize without ever over-allocating (L1–L6). */
export class SeatLedger {
  readonly #journal: SeatJournal;
  readonly #recovery: SeatRecovery;
  readonly #takes: SeatTakes;
  readonly #changes: SeatChanges;
  readonly #bulk: SeatBulkTakes;

  constructor(models: TenantModels, clock: Clock, options: SeatJournalOptions = {}) {
    this.#journal = new SeatJournal(models, options);
    this.#recovery = new SeatRecovery(this.#journal);
    this.#takes = new SeatTakes(this.#journal, this.#recovery, clock);
    this.#changes = new SeatChanges(this.#journal, this.#recovery, clock);
    this.#bulk = new SeatBulkTakes(this.#journal, this.#recovery, clock);
  }

  /** L3/L4: held seats for a chunk of people in order, while free (see seat-bulk.ts). */
  holdMany(skuId: string, chunkKey: string, people: BulkSeatWant[], expiresAt: Date) {
    return this.#bulk.holdMany(skuId, chunkKey, people, expiresAt);
  }

  /** The keys that hold a seat of `skuId` now (one read). */
  heldOf(skuId: string, keys: string[]): Promise<Set<string>> {
    return this.#bulk.heldOf(skuId, keys);
  }

  /** Seats of `skuId`; throws NotFound for an unknown SKU. */
  async summary(skuId: string): Promise<SeatSummary> {
    return summarise(await this.require(skuId));
  }

  /** Seats of every SKU, by id. */
  async list(): Promise<SeatSummary[]> {
    const skus = await this.#journal.skus.find({}, { projection: COUNTERS }).sort({ _id: 1 });
    return (await skus.toArray()).map(summarise);
  }

  /** L4: holds a seat for an invitation; it expires 14 days after now unless told otherwise. */
  hold(skuId: string, key: string, options: SeatOptions = {}): Promise<TakenSeat> {
    return this.#takes.hold(skuId, key, options);
  }

  /** L1/L2: assigns a seat at once. */
  assign(skuId: string, key: string, options: SeatOptions = {}): Promise<TakenSeat> {
    return this.#takes.assign(skuId, key, options);
  }

  /** L4: an accepted invitation turns its held seat into an assigned one (idempotent). */
  confirmHeld(
    skuId: string,
    key: string,
    accountId?: string,
    options: { readBack?: boolean } = {},
  ): Promise<SeatHolder> {
    return this.#changes.confirmHeld(skuId, key, accountId, options);
  }

  /** L6/T5: frees the seat held under `key`; false when there was none (idempotent). */
  release(skuId: string, key: string): Promise<boolean> {
    return this.#changes.release(skuId, key);
  }

  /** L1: binds the seat held under `key` to `accountId` (and, for an invitation, when it ends). */
  bind(skuId: string, key: string, accountId: string, expiresAt?: Date): Promise<void> {
    return this.#changes.bind(skuId, key, accountId, expiresAt, async () => {
      const sku = await this.#journal.skus.findOne({ _id: skuId }, { projection: { name: 1 } });
      return sku?.name ?? skuId;
    });
  }

  /** T5: frees every seat of `accountId` in every SKU; returns the SKU ids freed. */
  async releaseAllOf(accountId: string): Promise<string[]> {
    const freed: string[] = [];
    for (const { skuId, key } of await this.seatsOf(accountId)) {
      if (await this.release(skuId, key)) freed.push(skuId);
    }
    return freed;
  }

  /** The seats an account holds, in every SKU (served by the accountId index). */
  async seatsOf(accountId: string): Promise<{ skuId: string; key: string; state: SeatState }[]> {
    const holders = await this.#journal.holders
      .find({ accountId }, { projection: { sku: 1, key: 1, state: 1 } })
      .sort({ _id: 1 })
      .toArray();
    return holders.map((h) => ({ skuId: h.sku, key: h.key, state: h.state }));
  }

  /** L4: releases every held seat whose hold ended at `now`; returns what was released. */
  expireHeld(now: Date): Promise<{ skuId: string; key: string }[]> {
    return this.#changes.expireHeld(now);
  }

  /** L5: sets the seat count by compare-and-set; refuses to go below seats in use. */
  async setSeatCount(skuId: string, seats: number): Promise<SeatSummary> {
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const sku = await this.require(skuId);
      const delta = seats - sku.seats;
      if (delta === 0) return summarise(sku);
      const used = sku.held + sku.assigned;
      if (!seatCountChangeAllowed(used, seats)) {
        throw new RuleViolation(
          ErrorCode.SeatsInUse,
          'L5',
          `${sku.name} has ${used} seats in use (assigned + held); it cannot go down to ${seats}.`,
          { skuId, used, seats },
        );
      }
      const result = await this.#journal.skus.updateOne(
        { _id: skuId, seats: sku.seats, free: { $gte: -delta } },
        { $set: { seats }, $inc: { free: delta } },
      );
      if (result.modifiedCount === 1) return this.summary(skuId);
    }
    throw new RuleViolation(ErrorCode.Conflict, 'L5', `Seats of ${skuId} kept changing; retry.`);
  }

  /** L3: buying adds seats (one atomic increment of both counters). */
  async addSeats(skuId: string, count: number): Promise<SeatSummary> {
    if (!Number.isInteger(count) || count <= 0) {
      throw new RuleViolation(ErrorCode.InvalidInput, 'L3', 'Seats are bought in whole numbers.');
    }
    const result = await this.#journal.skus.updateOne(
      { _id: skuId },
      { $inc: { seats: count, free: count } },
    );
    if (result.matchedCount === 0) await this.require(skuId);
    return this.summary(skuId);
  }

  /** The holder of `key` in `skuId`, if any; throws NotFound for an unknown SKU. */
  async holder(skuId: string, key: string): Promise<SeatHolder | undefined> {
    const doc = await this.#journal.holders.findOne({ _id: seatHolderId(skuId, key) });
    if (doc) return toHolder(doc);
    await this.require(skuId);
    return undefined;
  }

  /**
   * The id of the SKU `ref` names: its id or its name, either in any case. Throws NotFound
   * listing the valid ids otherwise.
   */
  async resolve(ref: string): Promise<string> {
    const wanted = ref.trim().toLowerCase();
    const skus = await this.#journal.skus
      .find({}, { projection: { name: 1 } })
      .sort({ _id: 1 })
      .toArray();
    const found =
      skus.find((s) => s._id.toLowerCase() === wanted) ??
      skus.find((s) => s.name.toLowerCase() === wanted);
    if (found) return found._id;
    const ids = skus.map((s) => s._id).join(', ') || 'none yet';
    throw new AccessdeskError(ErrorCode.NotFound, `There is no SKU "${ref}". SKU ids: ${ids}.`, {
      skuIds: skus.map((s) => s._id),
    });
  }

  /** Creates a SKU or renames and resizes an existing one, keeping its holders. */
  async ensure(sku: { id: string; name: string; seats: number }): Promise<void> {
    try {
      const inserted = await this.#journal.skus.updateOne(
        { _id: sku.id },
        {
          $setOnInsert: {
            name: sku.name,
            seats: sku.seats,
            free: sku.seats,
            held: 0,
            assigned: 0,
            inflight: [],
          },
        },
        { upsert: true },
      );
      if (inserted.upsertedCount === 1) return;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error; // a concurrent start inserted it first
    }
    await migrateHolderArray(this.#journal, sku.id);
    await this.#journal.skus.updateOne({ _id: sku.id }, { $set: { name: sku.name } });
    await this.setSeatCount(sku.id, sku.seats);
  }

  /** Finishes seat operations whose writer stopped more than `olderThanMs` ago (default: the lease). */
  recover(olderThanMs?: number): Promise<RecoveryReport> {
    return this.#recovery.recover(olderThanMs);
  }

  /** Recounts every SKU from its holder documents; only SKUs that disagree are returned. */
  verify(): Promise<SeatDrift[]> {
    return verifySeats(this.#journal);
  }

  private async require(skuId: string): Promise<SkuDoc> {
    const sku = await this.#journal.skus.findOne({ _id: skuId }, { projection: COUNTERS });
    // Not a rule's refusal: the id names nothing.
    if (!sku) throw new AccessdeskError(ErrorCode.NotFound, `There is no SKU "${skuId}".`);
    return sku;
  }
}

function summarise(sku: SkuDoc): SeatSummary {
  return {
    skuId: sku._id,
    name: sku.name,
    seats: sku.seats,
    assigned: sku.assigned ?? 0,
    held: sku.held ?? 0,
    free: sku.free,
    external: (sku as SkuDoc & { external?: number }).external ?? 0,
  };
}
