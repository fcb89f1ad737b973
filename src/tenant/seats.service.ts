/**
 * License seats: one document per seat holder (`seat_holders`) and one counter document per SKU
 * (`skus`), kept in step by the in-flight journal of seat-journal.ts. No document grows with
 * the number of seats; every change is a guarded single-document update.
 */
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
  holderFromEntry,
  newOpId,
  type RecoveryReport,
  SeatJournal,
  type SeatJournalOptions,
} from './seat-journal.ts';
import {
  type InflightEntry,
  isDuplicateKey,
  type SeatHolder,
  type SeatHolderDoc,
  type SkuDoc,
  seatHolderId,
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

/** A SKU whose counters disagree with its holder documents (`npm run seats:verify`). */
export interface SeatDrift {
  skuId: string;
  counted: { held: number; assigned: number };
  stored: { held: number; assigned: number; free: number; seats: number };
  /** Counters minus the recount; all zero when the ledger is exact. */
  drift: { held: number; assigned: number; free: number };
  inflight: number;
}

type HolderKind = 'release' | 'confirm' | 'expire';
const MAX_RETRIES = 20;
const COUNTERS = { name: 1, seats: 1, free: 1, held: 1, assigned: 1 } as const;

/** The seat ledger: take, confirm, release and resize without ever over-allocating (L1–L6). */
export class SeatLedger {
  readonly #journal: SeatJournal;

  constructor(
    models: TenantModels,
    private readonly clock: Clock,
    options: SeatJournalOptions = {},
  ) {
    this.#journal = new SeatJournal(models, options);
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
    const expiresAt = options.expiresAt ?? invitationExpiresAt(this.clock.now());
    return this.take(skuId, key, 'held', options.accountId, expiresAt);
  }

  /** L1/L2: assigns a seat at once. */
  assign(skuId: string, key: string, options: SeatOptions = {}): Promise<TakenSeat> {
    return this.take(skuId, key, 'assigned', options.accountId, undefined);
  }

  /**
   * L3: the counters take the seat under a `free > 0` guard and journal it; then the holder is
   * inserted under the op's id; then the journal entry is pulled. A repeated key is an idempotent
   * success; a second seat for the account is refused (L1, a unique index).
   */
  private async take(
    skuId: string,
    key: string,
    state: SeatState,
    accountId: string | undefined,
    expiresAt: Date | undefined,
  ): Promise<TakenSeat> {
    // Long enough to outlast a stopped operation on the same key and then recover it.
    const deadline = Date.now() + 2 * this.#journal.leaseMs;
    while (Date.now() <= deadline) {
      const found = await this.#journal.holders
        .find(
          accountId
            ? { $or: [{ _id: seatHolderId(skuId, key) }, { sku: skuId, accountId }] }
            : { _id: seatHolderId(skuId, key) },
        )
        .toArray();
      const same = found.find((h) => h.key === key);
      if (same) return { holder: toHolder(same), created: false };
      if (found.length > 0) throw oneSeatPerAccount(skuId, accountId);
      const since = this.clock.now();
      const entry: InflightEntry = {
        op: newOpId(),
        kind: 'take',
        phase: 'counted',
        key,
        state,
        at: since,
        since,
      };
      if (accountId) entry.accountId = accountId;
      if (expiresAt) entry.expiresAt = expiresAt;
      // After a wait, look at the holder again: the take that held the key up may have taken it.
      const begun = await this.#journal.begin(skuId, entry, deadline, { recheck: true });
      if (!begun.ok && begun.reason === 'busy') continue;
      if (!begun.ok && begun.reason === 'noFreeSeat') {
        // The last seat may have gone to this very key since the first look: idempotent success.
        const taken = await this.#journal.holders.findOne({ _id: seatHolderId(skuId, key) });
        if (taken) return { holder: toHolder(taken), created: false };
      }
      if (!begun.ok && begun.reason === 'noFreeSeat' && !hasFreeSeat(begun.sku.free)) {
        throw new RuleViolation(
          ErrorCode.NoFreeSeat,
          'L3',
          `No free seat of ${begun.sku.name}: all ${begun.sku.seats} are in use. Buy more seats first.`,
          { skuId, seats: begun.sku.seats },
        );
      }
      if (!begun.ok) break;
      await this.#journal.wrote('take:counter');
      const taken = await this.#insertHolder(skuId, entry);
      if (taken) return taken;
    }
    throw busy(skuId);
  }

  /** Steps 3–4 of a take; undefined when the attempt was undone and should be tried again. */
  async #insertHolder(skuId: string, entry: InflightEntry): Promise<TakenSeat | undefined> {
    const doc = holderFromEntry(skuId, entry);
    this.#journal.checkLease(entry.at);
    let inserted = false;
    try {
      const result = await this.#journal.holders.updateOne(
        { _id: doc._id },
        { $setOnInsert: doc },
        { upsert: true },
      );
      inserted = result.upsertedCount === 1;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      if (isDuplicateKey(error, 'accountId')) {
        await this.#journal.compensate(skuId, entry);
        throw oneSeatPerAccount(skuId, entry.accountId ?? undefined);
      }
    }
    await this.#journal.wrote('take:holder');
    const holder = inserted ? doc : await this.#journal.holders.findOne({ _id: doc._id });
    if (holder && holder.op !== entry.op) {
      // A concurrent or late take of the same key won: this one gives its seat back.
      await this.#journal.compensate(skuId, entry);
      return { holder: toHolder(holder), created: false };
    }
    const settled = await this.#journal.settle(skuId, entry.op, { unclaimed: true });
    await this.#journal.wrote('take:settle');
    if (!settled && inserted && !(await this.#journal.inFlight(skuId, entry.op))) {
      // A recovery took this op over while we were paused, and is done. Unstamped, it gave the
      // seat back (the key or the account was taken when it looked): our holder has no seat
      // behind it. (Still in flight: the recovery will find our holder and count it.)
      const removed = await this.#journal.holders.deleteOne({
        _id: doc._id,
        op: entry.op,
        recoveredAt: null,
      });
      if (removed.deletedCount === 1) return undefined;
    }
    if (!holder) return undefined;
    return { holder: toHolder(holder), created: true };
  }

  /** L4: an accepted invitation turns its held seat into an assigned one (idempotent). */
  /**
   * With `readBack: false` the holder returned is built from what this call set (key, state,
   * since, the account if given), without reading it back.
   */
  async confirmHeld(
    skuId: string,
    key: string,
    accountId?: string,
    { readBack = true }: { readBack?: boolean } = {},
  ): Promise<SeatHolder> {
    const now = this.clock.now();
    if (accountId) {
      // L1 first: binding a held seat to its account changes no counter (as bindSeat does).
      try {
        await this.#journal.holders.updateOne(
          { _id: seatHolderId(skuId, key), state: 'held' },
          { $set: { accountId } },
        );
      } catch (error) {
        if (isDuplicateKey(error, 'accountId')) throw oneSeatPerAccount(skuId, accountId);
        throw error;
      }
    }
    const done = await this.#change(skuId, key, 'confirm', { expiresAt: { $gt: now } });
    if (done.changed && !readBack) {
      return { key, state: 'assigned', since: now, ...(accountId ? { accountId } : {}) };
    }
    if (done.changed) {
      const { expiresAt: _ended, ...held } = toHolder(done.holder);
      return { ...held, state: 'assigned', since: now };
    }
    const holder = done.holder;
    if (holder?.state === 'assigned') return toHolder(holder);
    if (holder && isHoldExpired(holder, now)) {
      // Expired but not yet swept: release exactly this hold (L4), guarded like the sweep.
      await this.#change(skuId, key, 'expire', { expiresAt: { $lte: now } });
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
    return (await this.#change(skuId, key, 'release', {})).changed;
  }

  /**
   * A release, expiry or confirm: (1) enter the journal as an intent, locking the key; (2) read
   * the holder (it must match `guard`); (3) make the counter change, only while the intent is
   * there; (4) change the holder, guarded by the op that created it; (5) pull the entry. When
   * recovery aborted the intent meanwhile, it starts over. `changed` is false when the holder
   * was not there or not in a state to change; `holder` is then as read.
   */
  async #change(
    skuId: string,
    key: string,
    kind: HolderKind,
    guard: Record<string, unknown>,
  ): Promise<
    { changed: true; holder: SeatHolderDoc } | { changed: false; holder: SeatHolderDoc | null }
  > {
    const _id = seatHolderId(skuId, key);
    // Long enough to outlast a stopped operation on the same key and then recover it.
    const deadline = Date.now() + 2 * this.#journal.leaseMs;
    const stateGuard: { state?: SeatState } = kind === 'release' ? {} : { state: 'held' };
    while (Date.now() <= deadline) {
      const since = this.clock.now();
      const entry: InflightEntry = {
        op: newOpId(),
        kind,
        phase: 'intent',
        key,
        state: 'held',
        at: since,
        since,
      };
      const begun = await this.#journal.begin(skuId, entry, deadline);
      if (!begun.ok) break;
      await this.#journal.wrote(`${kind}:lock`);
      const holder = await this.#journal.holders.findOne({ _id, ...stateGuard, ...guard });
      if (!holder) {
        await this.#journal.abort(skuId, entry.op);
        return { changed: false, holder: await this.#journal.holders.findOne({ _id }) };
      }
      this.#journal.checkLease(entry.at);
      if (!(await this.#journal.count(skuId, entry, holder))) continue; // aborted by recovery
      await this.#journal.wrote(`${kind}:counter`);
      this.#journal.checkLease(entry.at);
      // No match only when recovery already made this very change for this op.
      await this.#journal.applyHolderChange(_id, holder.op, kind, since);
      await this.#journal.wrote(`${kind}:holder`);
      await this.#journal.settle(skuId, entry.op);
      await this.#journal.wrote(`${kind}:settle`);
      return { changed: true, holder };
    }
    throw busy(skuId);
  }

  /** L1: binds the seat held under `key` to `accountId` (and, for an invitation, when it ends). */
  async bind(skuId: string, key: string, accountId: string, expiresAt?: Date): Promise<void> {
    const set: Record<string, unknown> = { accountId };
    if (expiresAt) set.expiresAt = expiresAt;
    try {
      const result = await this.#journal.holders.updateOne(
        { _id: seatHolderId(skuId, key) },
        { $set: set },
      );
      if (result.matchedCount === 1) return;
    } catch (error) {
      if (!isDuplicateKey(error, 'accountId')) throw error;
      const sku = await this.require(skuId);
      throw new RuleViolation(
        ErrorCode.NotAllowed,
        'L1',
        `This account already has a ${sku.name} seat; one seat per account.`,
      );
    }
    const sku = await this.#journal.skus.findOne({ _id: skuId }, { projection: { name: 1 } });
    throw new RuleViolation(
      ErrorCode.NoFreeSeat,
      'L3',
      `The ${sku?.name ?? skuId} seat held for this request is gone.`,
    );
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
  async expireHeld(now: Date): Promise<{ skuId: string; key: string }[]> {
    const due = this.#journal.holders
      .find({ state: 'held', expiresAt: { $lte: now } }, { projection: { sku: 1, key: 1 } })
      .sort({ expiresAt: 1 });
    const released: { skuId: string; key: string }[] = [];
    for await (const h of due) {
      const done = await this.#change(h.sku, h.key, 'expire', { expiresAt: { $lte: now } });
      if (done.changed && isHoldExpired(done.holder, now)) {
        released.push({ skuId: h.sku, key: h.key });
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
    await this.#migrateHolderArray(sku.id);
    await this.#journal.skus.updateOne({ _id: sku.id }, { $set: { name: sku.name } });
    await this.setSeatCount(sku.id, sku.seats);
  }

  /**
   * A SKU written by the first ledger keeps its holders in an array: each becomes a holder
   * document (idempotent by id), then one guarded update counts them and drops the array.
   */
  async #migrateHolderArray(skuId: string): Promise<void> {
    type Legacy = { holders?: SeatHolder[] };
    const raw = this.#journal.skus as unknown as import('mongoose').mongo.Collection<Legacy>;
    const legacy = await raw.findOne({ _id: skuId, holders: { $exists: true } } as never);
    if (!legacy?.holders) return;
    const docs = legacy.holders.map((h) => ({
      ...h,
      _id: seatHolderId(skuId, h.key),
      sku: skuId,
      op: 'migrated',
    }));
    if (docs.length > 0) {
      await this.#journal.holders.insertMany(docs, { ordered: false }).catch((error) => {
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

  /** Finishes seat operations whose writer stopped more than `olderThanMs` ago (default: the lease). */
  recover(olderThanMs?: number): Promise<RecoveryReport> {
    return this.#journal.recover(olderThanMs);
  }

  /**
   * Recounts every SKU from its holder documents (streamed, so memory stays flat) and compares
   * with its counters. Only SKUs that disagree are returned.
   */
  async verify(): Promise<SeatDrift[]> {
    const counted = new Map<string, { held: number; assigned: number }>();
    const cursor = this.#journal.holders
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
    const drifts: SeatDrift[] = [];
    for await (const sku of this.#journal.skus.find({})) {
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

  private async require(skuId: string): Promise<SkuDoc> {
    const sku = await this.#journal.skus.findOne({ _id: skuId }, { projection: COUNTERS });
    // Not a rule's refusal: the id names nothing.
    if (!sku) throw new AccessdeskError(ErrorCode.NotFound, `There is no SKU "${skuId}".`);
    return sku;
  }
}

/** Seats used outside accessdesk, as the last directory sync counted them (0 in the model). */
function externalSeats(sku: SkuDoc): number {
  return (sku as SkuDoc & { external?: number }).external ?? 0;
}

function busy(skuId: string): RuleViolation {
  return new RuleViolation(ErrorCode.Conflict, 'L3', `Seats of ${skuId} kept changing; retry.`);
}

function oneSeatPerAccount(skuId: string, accountId: unknown): RuleViolation {
  return new RuleViolation(
    ErrorCode.Conflict,
    'L1',
    `This account already has a seat of ${skuId}; one seat per account.`,
    { skuId, accountId },
  );
}

/** The holder as callers see it, without the ledger's bookkeeping. */
function toHolder(doc: SeatHolderDoc): SeatHolder {
  const holder: SeatHolder = { key: doc.key, state: doc.state, since: doc.since };
  if (doc.accountId) holder.accountId = doc.accountId;
  if (doc.expiresAt) holder.expiresAt = doc.expiresAt;
  return holder;
}

function summarise(sku: SkuDoc): SeatSummary {
  return {
    skuId: sku._id,
    name: sku.name,
    seats: sku.seats,
    assigned: sku.assigned ?? 0,
    held: sku.held ?? 0,
    free: sku.free,
  };
}
