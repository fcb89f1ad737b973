/** Taking a seat: a hold for an invitation (L4) or an assignment (L1/L2), never over-allocating (L3). */
import type { Clock } from '../clock.ts';
import { ErrorCode, RuleViolation } from '../errors.ts';
import { hasFreeSeat, invitationExpiresAt, type SeatState } from './licenses.rules.ts';
import {
  holderFromEntry,
  newOpId,
  oneSeatPerAccount,
  type SeatJournal,
  seatsBusy,
} from './seat-journal.ts';
import type { SeatRecovery } from './seat-recovery.ts';
import {
  type InflightEntry,
  isDuplicateKey,
  type SeatHolder,
  seatHolderId,
  toHolder,
} from './tenant.model.ts';

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

/** The take command of the seat ledger. */
export class SeatTakes {
  constructor(
    private readonly journal: SeatJournal,
    private readonly recovery: SeatRecovery,
    private readonly clock: Clock,
  ) {}

  /** L4: holds a seat for an invitation; it expires 14 days after now unless told otherwise. */
  hold(skuId: string, key: string, options: SeatOptions = {}): Promise<TakenSeat> {
    const expiresAt = options.expiresAt ?? invitationExpiresAt(this.clock.now());
    return this.#take(skuId, key, 'held', options.accountId, expiresAt);
  }

  /** L1/L2: assigns a seat at once. */
  assign(skuId: string, key: string, options: SeatOptions = {}): Promise<TakenSeat> {
    return this.#take(skuId, key, 'assigned', options.accountId, undefined);
  }

  /**
   * L3: the counters take the seat under a `free > 0` guard and journal it; then the holder is
   * inserted under the op's id; then the journal entry is pulled. Nothing is read first: a
   * repeated key finds its holder there and gives the seat back (an idempotent success), and a
   * second seat for the account is refused by a unique index (L1) and given back too.
   */
  async #take(
    skuId: string,
    key: string,
    state: SeatState,
    accountId: string | undefined,
    expiresAt: Date | undefined,
  ): Promise<TakenSeat> {
    const journal = this.journal;
    // Long enough to outlast a stopped operation on the same key and then recover it.
    const deadline = Date.now() + 2 * journal.leaseMs;
    while (Date.now() <= deadline) {
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
      // After a wait, start over: the take that held the key up may have taken it.
      const begun = await this.recovery.begin(skuId, entry, deadline, { recheck: true });
      if (!begun.ok && begun.reason === 'busy') continue;
      if (!begun.ok && begun.reason === 'noFreeSeat') {
        // No seat left, but this key (idempotent) or this account (L1) may hold one already.
        const found = await journal.holders
          .find(
            accountId
              ? { $or: [{ _id: seatHolderId(skuId, key) }, { sku: skuId, accountId }] }
              : { _id: seatHolderId(skuId, key) },
          )
          .toArray();
        const same = found.find((h) => h.key === key);
        if (same) return { holder: toHolder(same), created: false };
        if (found.length > 0) throw oneSeatPerAccount(skuId, accountId);
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
      await journal.wrote('take:counter');
      const taken = await this.#insertHolder(skuId, entry);
      if (taken) return taken;
    }
    throw seatsBusy(skuId);
  }

  /** Steps 3–4 of a take; undefined when the attempt was undone and should be tried again. */
  async #insertHolder(skuId: string, entry: InflightEntry): Promise<TakenSeat | undefined> {
    const journal = this.journal;
    const doc = holderFromEntry(skuId, entry);
    journal.checkLease(entry.at);
    let inserted = false;
    try {
      const result = await journal.holders.updateOne(
        { _id: doc._id },
        { $setOnInsert: doc },
        { upsert: true },
      );
      inserted = result.upsertedCount === 1;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      if (isDuplicateKey(error, 'accountId')) {
        await journal.compensate(skuId, entry);
        throw oneSeatPerAccount(skuId, entry.accountId ?? undefined);
      }
    }
    await journal.wrote('take:holder');
    const holder = inserted ? doc : await journal.holders.findOne({ _id: doc._id });
    if (holder && holder.op !== entry.op) {
      // A concurrent or late take of the same key won: this one gives its seat back.
      await journal.compensate(skuId, entry);
      return { holder: toHolder(holder), created: false };
    }
    const settled = await journal.settle(skuId, entry.op, { unclaimed: true });
    await journal.wrote('take:settle');
    if (!settled && inserted && !(await journal.inFlight(skuId, entry.op))) {
      // A recovery took this op over while we were paused, and is done. Unstamped, it gave the
      // seat back (the key or the account was taken when it looked): our holder has no seat
      // behind it. (Still in flight: the recovery will find our holder and count it.)
      const removed = await journal.holders.deleteOne({
        _id: doc._id,
        op: entry.op,
        recoveredAt: null,
      });
      if (removed.deletedCount === 1) return undefined;
    }
    if (!holder) return undefined;
    return { holder: toHolder(holder), created: true };
  }
}
