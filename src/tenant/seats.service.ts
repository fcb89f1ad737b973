/** License seats on the `skus` collection: every change is one guarded single-document update. */
import type { Clock } from '../clock.ts';
import { AccessdeskError, ErrorCode, RuleViolation } from '../errors.ts';
import {
  hasFreeSeat,
  invitationExpiresAt,
  isHoldExpired,
  type SeatState,
  seatCountChangeAllowed,
  seatsInUse,
} from './licenses.rules.ts';
import {
  isDuplicateKey,
  rawOf,
  type SeatHolder,
  type SkuDoc,
  type TenantModels,
} from './tenant.model.ts';

/** Seats of one SKU as people read them (L5: held seats count as used). */
export interface SeatSummary {
  skuId: string;
  name: string;
  seats: number;
  assigned: number;
  held: number;
  free: number;
}

/** Who a seat goes to and, for an invitation, when the hold ends (L4). */
export interface SeatOptions {
  accountId?: string;
  expiresAt?: Date;
}

/** Result of taking a seat: `created` is false when `key` already held it (idempotent). */
export interface TakenSeat {
  holder: SeatHolder;
  created: boolean;
}

const MAX_RETRIES = 20;

/** The seat ledger: take, confirm, release and resize without ever over-allocating (L1–L6). */
export class SeatLedger {
  constructor(
    private readonly m: TenantModels,
    private readonly clock: Clock,
  ) {}

  /** Seats of `skuId`; throws NotFound for an unknown SKU. */
  async summary(skuId: string): Promise<SeatSummary> {
    return summarise(await this.require(skuId));
  }

  /** Seats of every SKU, by id. */
  async list(): Promise<SeatSummary[]> {
    const skus = await this.m.Sku.find().sort({ _id: 1 }).lean<SkuDoc[]>();
    return skus.map(summarise);
  }

  /** L4: holds a seat for an invitation; it expires 14 days after now unless told otherwise. */
  hold(skuId: string, key: string, options: SeatOptions = {}): Promise<TakenSeat> {
    const expiresAt = options.expiresAt ?? invitationExpiresAt(this.clock.now());
    return this.take(skuId, key, 'held', options.accountId, expiresAt);
  }

  /** L1/L2: assigns a seat at once. */
  assign(skuId: string, key: string, options: SeatOptions = {}): Promise<TakenSeat> {
    return this.take(skuId, key, 'assigned', options.accountId, undefined);
  }

  /** L3: one atomic decrement guarded by `free > 0`; a repeated key is an idempotent success. */
  private async take(
    skuId: string,
    key: string,
    state: SeatState,
    accountId: string | undefined,
    expiresAt: Date | undefined,
  ): Promise<TakenSeat> {
    const holder: SeatHolder = { key, state, since: this.clock.now() };
    if (accountId) holder.accountId = accountId;
    if (expiresAt) holder.expiresAt = expiresAt;
    const filter: Record<string, unknown> = {
      _id: skuId,
      free: { $gt: 0 },
      'holders.key': { $ne: key },
    };
    if (accountId) filter['holders.accountId'] = { $ne: accountId };
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      // updateOne, not findOneAndUpdate: the document carries every holder of the SKU, and
      // sending it back on each take made taking seats cost O(holders) (bench/lifecycle).
      const updated = await rawOf(this.m.Sku).updateOne(filter, {
        $inc: { free: -1 },
        $push: { holders: holder },
      });
      if (updated.modifiedCount === 1) return { holder, created: true };
      const sku = await this.require(skuId);
      const existing = sku.holders.find((h) => h.key === key);
      if (existing) return { holder: existing, created: false };
      if (accountId && sku.holders.some((h) => h.accountId === accountId)) {
        throw new RuleViolation(
          ErrorCode.Conflict,
          'L1',
          `This account already has a seat of ${sku.name}; one seat per account.`,
          { skuId, accountId },
        );
      }
      if (!hasFreeSeat(sku.free)) {
        throw new RuleViolation(
          ErrorCode.NoFreeSeat,
          'L3',
          `No free seat of ${sku.name}: all ${sku.seats} are in use. Buy more seats first.`,
          { skuId, seats: sku.seats },
        );
      }
    }
    throw new RuleViolation(ErrorCode.Conflict, 'L3', `Seats of ${skuId} kept changing; retry.`);
  }

  /** L4: an accepted invitation turns its held seat into an assigned one (idempotent). */
  /**
   * With `readBack: false` the holder returned is built from what this call set (key, state,
   * since, the account if given), without reading the SKU document back.
   */
  async confirmHeld(
    skuId: string,
    key: string,
    accountId?: string,
    { readBack = true }: { readBack?: boolean } = {},
  ): Promise<SeatHolder> {
    const now = this.clock.now();
    const set: Record<string, unknown> = { 'holders.$.state': 'assigned', 'holders.$.since': now };
    if (accountId) set['holders.$.accountId'] = accountId;
    const confirmed = await rawOf(this.m.Sku).updateOne(
      { _id: skuId, holders: { $elemMatch: { key, state: 'held', expiresAt: { $gt: now } } } },
      { $set: set, $unset: { 'holders.$.expiresAt': 1 } },
    );
    if (confirmed.modifiedCount === 1 && !readBack) {
      return { key, state: 'assigned', since: now, ...(accountId ? { accountId } : {}) };
    }
    if (confirmed.modifiedCount === 1) {
      // Read back only this holder: the document carries every holder of the SKU.
      const one = await rawOf(this.m.Sku).findOne(
        { _id: skuId },
        { projection: { holders: { $elemMatch: { key } } } },
      );
      const holder = one?.holders?.[0];
      if (holder) return holder;
    }
    const sku = await this.require(skuId);
    const holder = sku.holders.find((h) => h.key === key);
    if (holder?.state === 'assigned') return holder;
    if (holder && isHoldExpired(holder, now)) {
      // Expired but not yet swept: release exactly this hold (L4), guarded like the sweep.
      await this.m.Sku.updateOne(
        { _id: skuId, holders: { $elemMatch: { key, state: 'held', expiresAt: { $lte: now } } } },
        { $pull: { holders: { key } }, $inc: { free: 1 } },
      );
    }
    throw new RuleViolation(
      ErrorCode.InvitationInvalid,
      'L4',
      'The invitation expired or was withdrawn; its seat is no longer held.',
      { skuId, key },
    );
  }

  /** L6/T5: frees the seat held under `key`; false when there was none (idempotent). */
  async release(skuId: string, key: string): Promise<boolean> {
    const result = await this.m.Sku.updateOne(
      { _id: skuId, 'holders.key': key },
      { $pull: { holders: { key } }, $inc: { free: 1 } },
    );
    return result.modifiedCount === 1;
  }

  /** T5: frees every seat of `accountId` in every SKU; returns the SKU ids freed. */
  async releaseAllOf(accountId: string): Promise<string[]> {
    const freed: string[] = [];
    for (const { skuId, key } of await this.seatsOf(accountId)) {
      if (await this.release(skuId, key)) freed.push(skuId);
    }
    return freed;
  }

  /** The seats an account holds, in every SKU. */
  async seatsOf(accountId: string): Promise<{ skuId: string; key: string; state: SeatState }[]> {
    const skus = await this.m.Sku.find({ 'holders.accountId': accountId }).lean<SkuDoc[]>();
    return skus.flatMap((sku) =>
      sku.holders
        .filter((h) => h.accountId === accountId)
        .map((h) => ({ skuId: sku._id, key: h.key, state: h.state })),
    );
  }

  /** L4: releases every held seat whose hold ended at `now`; returns what was released. */
  async expireHeld(now: Date): Promise<{ skuId: string; key: string }[]> {
    const due = { state: 'held', expiresAt: { $lte: now } };
    const skus = await this.m.Sku.find({ holders: { $elemMatch: due } }).lean<SkuDoc[]>();
    const released: { skuId: string; key: string }[] = [];
    for (const sku of skus) {
      for (const h of sku.holders.filter((x) => isHoldExpired(x, now))) {
        const result = await this.m.Sku.updateOne(
          { _id: sku._id, holders: { $elemMatch: { ...due, key: h.key } } },
          { $pull: { holders: { key: h.key } }, $inc: { free: 1 } },
        );
        if (result.modifiedCount === 1) released.push({ skuId: sku._id, key: h.key });
      }
    }
    return released;
  }

  /** L5: sets the seat count by compare-and-set; refuses to go below seats in use. */
  async setSeatCount(skuId: string, seats: number): Promise<SeatSummary> {
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const sku = await this.require(skuId);
      const delta = seats - sku.seats;
      if (delta === 0) return summarise(sku);
      const { used } = seatsInUse(sku.holders);
      if (!seatCountChangeAllowed(used, seats)) {
        throw new RuleViolation(
          ErrorCode.SeatsInUse,
          'L5',
          `${sku.name} has ${used} seats in use (assigned + held); it cannot go down to ${seats}.`,
          { skuId, used, seats },
        );
      }
      const result = await this.m.Sku.updateOne(
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
    const result = await this.m.Sku.updateOne(
      { _id: skuId },
      { $inc: { seats: count, free: count } },
    );
    if (result.matchedCount === 0) await this.require(skuId);
    return this.summary(skuId);
  }

  /** The holder of `key` in `skuId`, if any. */
  async holder(skuId: string, key: string): Promise<SeatHolder | undefined> {
    return (await this.require(skuId)).holders.find((h) => h.key === key);
  }

  /**
   * The id of the SKU `ref` names: its id or its name, either in any case. Throws NotFound
   * listing the valid ids otherwise. Reads ids and names only (a SKU also carries its holders).
   */
  async resolve(ref: string): Promise<string> {
    const wanted = ref.trim().toLowerCase();
    const skus = await this.m.Sku.find({}, { name: 1 }).sort({ _id: 1 }).lean<SkuDoc[]>();
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
      const inserted = await this.m.Sku.updateOne(
        { _id: sku.id },
        { $setOnInsert: { name: sku.name, seats: sku.seats, free: sku.seats, holders: [] } },
        { upsert: true },
      );
      if (inserted.upsertedCount === 1) return;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error; // a concurrent start inserted it first
    }
    await this.m.Sku.updateOne({ _id: sku.id }, { $set: { name: sku.name } });
    await this.setSeatCount(sku.id, sku.seats);
  }

  private async require(skuId: string): Promise<SkuDoc> {
    const sku = await this.m.Sku.findById(skuId).lean<SkuDoc>();
    // Not a rule's refusal: the id names nothing.
    if (!sku) throw new AccessdeskError(ErrorCode.NotFound, `There is no SKU "${skuId}".`);
    return sku;
  }
}

function summarise(sku: SkuDoc): SeatSummary {
  const { assigned, held } = seatsInUse(sku.holders);
  return { skuId: sku._id, name: sku.name, seats: sku.seats, assigned, held, free: sku.free };
}
