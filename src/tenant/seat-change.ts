/**
 * Changing a seat someone holds: binding it to its account (L1), confirming a held seat (L4),
 * releasing it (L6) and ending expired holds (L4).
 */
import type { Clock } from '../clock.ts';
import { ErrorCode, RuleViolation } from '../errors.ts';
import { isHoldExpired, type SeatState } from './licenses.rules.ts';
import { newOpId, oneSeatPerAccount, type SeatJournal, seatsBusy } from './seat-journal.ts';
import type { SeatRecovery } from './seat-recovery.ts';
import {
  type InflightEntry,
  isDuplicateKey,
  type SeatHolder,
  type SeatHolderDoc,
  seatHolderId,
  toHolder,
} from './tenant.model.ts';

type HolderKind = 'release' | 'confirm' | 'expire';
type Changed =
  | { changed: true; holder: SeatHolderDoc }
  | { changed: false; holder: SeatHolderDoc | null };

/** The commands of the seat ledger that change an existing holder. */
export class SeatChanges {
  constructor(
    private readonly journal: SeatJournal,
    private readonly recovery: SeatRecovery,
    private readonly clock: Clock,
  ) {}

  /**
   * L4: an accepted invitation turns its held seat into an assigned one (idempotent). With
   * `readBack: false` the holder returned is built from what this call set (key, state, since,
   * the account if given), without reading it back.
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
        await this.journal.holders.updateOne(
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

  /** L4: releases every held seat whose hold ended at `now`; returns what was released. */
  async expireHeld(now: Date): Promise<{ skuId: string; key: string }[]> {
    const due = this.journal.holders
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

  /**
   * L1: binds the seat held under `key` to `accountId` (and, for an invitation, when it ends).
   * `skuName` names the SKU in the refusals.
   */
  async bind(
    skuId: string,
    key: string,
    accountId: string,
    expiresAt: Date | undefined,
    skuName: () => Promise<string>,
  ): Promise<void> {
    const set: Record<string, unknown> = { accountId };
    if (expiresAt) set.expiresAt = expiresAt;
    try {
      const result = await this.journal.holders.updateOne(
        { _id: seatHolderId(skuId, key) },
        { $set: set },
      );
      if (result.matchedCount === 1) return;
    } catch (error) {
      if (!isDuplicateKey(error, 'accountId')) throw error;
      throw new RuleViolation(
        ErrorCode.NotAllowed,
        'L1',
        `This account already has a ${await skuName()} seat; one seat per account.`,
      );
    }
    throw new RuleViolation(
      ErrorCode.NoFreeSeat,
      'L3',
      `The ${await skuName()} seat held for this request is gone.`,
    );
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
  ): Promise<Changed> {
    const journal = this.journal;
    const _id = seatHolderId(skuId, key);
    // Long enough to outlast a stopped operation on the same key and then recover it.
    const deadline = Date.now() + 2 * journal.leaseMs;
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
      const begun = await this.recovery.begin(skuId, entry, deadline);
      if (!begun.ok) break;
      await journal.wrote(`${kind}:lock`);
      const holder = await journal.holders.findOne({ _id, ...stateGuard, ...guard });
      if (!holder) {
        await journal.abort(skuId, entry.op);
        return { changed: false, holder: await journal.holders.findOne({ _id }) };
      }
      journal.checkLease(entry.at);
      if (!(await journal.count(skuId, entry, holder))) continue; // aborted by recovery
      await journal.wrote(`${kind}:counter`);
      journal.checkLease(entry.at);
      // No match only when recovery already made this very change for this op.
      await journal.applyHolderChange(_id, holder.op, kind, since);
      await journal.wrote(`${kind}:holder`);
      await journal.settle(skuId, entry.op);
      await journal.wrote(`${kind}:settle`);
      return { changed: true, holder };
    }
    throw seatsBusy(skuId);
  }
}
