/**
 * Finishing seat operations whose writer stopped (see seat-journal.ts for the protocol): by a
 * recovery pass (at start and on the sweep's cadence), and by any operation that meets a stale
 * entry on its way into the journal.
 */
import { holderFromEntry, type SeatJournal } from './seat-journal.ts';
import { type InflightEntry, isDuplicateKey, type SkuDoc, seatHolderId } from './tenant.model.ts';

/** What a recovery pass did. */
export interface RecoveryReport {
  rolledForward: number;
  compensated: number;
  aborted: number;
}

/** Whether the counters took the entry, or why not (with the SKU as it was read). */
export type Begun =
  | { ok: true }
  | { ok: false; reason: 'noFreeSeat'; sku: SkuDoc }
  | { ok: false; reason: 'busy' | 'timeout' };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Recovery of the seat journal, and the way into it that finishes stale entries it meets. */
export class SeatRecovery {
  constructor(private readonly journal: SeatJournal) {}

  /**
   * Enters the journal, locking the key (see SeatJournal.tryBegin). Waits while another
   * operation on the same key is in flight or the journal is full (finishing stale entries it
   * meets); a take is refused with the SKU when no seat is free (L3). With `recheck`, it returns
   * `busy` after each wait instead, so the caller looks at the holder again.
   */
  async begin(
    skuId: string,
    entry: InflightEntry,
    deadline: number,
    { recheck = false }: { recheck?: boolean } = {},
  ): Promise<Begun> {
    for (let attempt = 0; ; attempt++) {
      const tried = await this.journal.tryBegin(skuId, entry);
      if (tried.ok || tried.reason === 'noFreeSeat') return tried;
      if (tried.reason === 'stale') {
        await this.recoverEntries(skuId, tried.entries);
        if (recheck) return { ok: false, reason: 'busy' };
        continue;
      }
      if (Date.now() > deadline) return { ok: false, reason: 'timeout' };
      await pause(Math.min(5 * 2 ** Math.min(attempt, 4), 80) * (0.5 + Math.random()));
      if (recheck) return { ok: false, reason: 'busy' };
    }
  }

  /**
   * Finishes every operation older than `olderThanMs` (default: the lease): counted entries are
   * rolled forward or compensated, intents are aborted.
   */
  async recover(olderThanMs = this.journal.leaseMs): Promise<RecoveryReport> {
    const report: RecoveryReport = { rolledForward: 0, compensated: 0, aborted: 0 };
    const cutoff = new Date(this.journal.now().getTime() - olderThanMs);
    const skus = await this.journal.skus
      .find({ inflight: { $elemMatch: { at: { $lte: cutoff } } } }, { projection: { inflight: 1 } })
      .toArray();
    for (const sku of skus) {
      const stale = sku.inflight.filter((e) => this.journal.isStale(e, olderThanMs));
      const done = await this.recoverEntries(sku._id, stale);
      report.rolledForward += done.rolledForward;
      report.compensated += done.compensated;
      report.aborted += done.aborted;
    }
    return report;
  }

  async recoverEntries(skuId: string, entries: InflightEntry[]): Promise<RecoveryReport> {
    const report: RecoveryReport = { rolledForward: 0, compensated: 0, aborted: 0 };
    for (const entry of entries) {
      const outcome = await this.recoverEntry(skuId, entry);
      if (outcome === 'forward') report.rolledForward++;
      if (outcome === 'compensated') report.compensated++;
      if (outcome === 'aborted') report.aborted++;
    }
    return report;
  }

  /** Finishes one stopped operation, reading what its holder document says happened. */
  async recoverEntry(
    skuId: string,
    entry: InflightEntry,
  ): Promise<'forward' | 'compensated' | 'aborted' | 'gone'> {
    if (entry.kind === 'take') return this.#recoverTake(skuId, entry);
    const journal = this.journal;
    const _id = seatHolderId(skuId, entry.key);
    const holder = await journal.holders.findOne({ _id });
    if (entry.phase !== 'counted') {
      // Stopped before its counter change: nothing was changed, only the lock is let go. A
      // writer still on it finds its intent gone when it tries to count, and starts over.
      return (await journal.abort(skuId, entry.op)) ? 'aborted' : 'gone';
    }
    // Counted, with the key locked since before the holder was read: the holder shows this
    // op's change or the holder as it was, nothing else.
    if (
      holder &&
      holder.op === entry.holderOp &&
      (entry.kind !== 'confirm' || holder.state === 'held')
    ) {
      const since = new Date(entry.since ?? entry.at);
      await journal.applyHolderChange(_id, entry.holderOp ?? '', entry.kind, since);
    }
    return (await journal.settle(skuId, entry.op)) ? 'forward' : 'gone';
  }

  async #recoverTake(skuId: string, entry: InflightEntry) {
    if (entry.keys) return this.#recoverBulkTake(skuId, entry);
    const journal = this.journal;
    const _id = seatHolderId(skuId, entry.key);
    // Claim it first: only the claimant may insert its holder, and while the claimed entry is
    // there the key stays locked (the writer cannot pull it), so no holder of this key can
    // come and go between the read below and the insert. Without the claim, a recovery working
    // from an old copy of the journal could re-create a holder released since.
    if (!(await journal.claim(skuId, entry.op))) return 'gone';
    let holder = await journal.holders.findOne({ _id });
    if (!holder) {
      try {
        await journal.holders.insertOne(holderFromEntry(skuId, entry));
        holder = { ...holderFromEntry(skuId, entry) };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        holder = await journal.holders.findOne({ _id }); // L1 (null) or the writer's own insert
      }
    }
    if (holder?.op === entry.op) {
      // Stamped before the pull: a writer that inserted this holder and then finds its entry
      // gone can tell its seat was counted (stamp) from given back (no stamp).
      await journal.holders.updateOne(
        { _id, op: entry.op },
        { $set: { recoveredAt: journal.now() } },
      );
      return (await journal.settle(skuId, entry.op)) ? 'forward' : 'gone';
    }
    // Another take of the key won, or the account has a seat under another key (L1).
    return (await journal.compensate(skuId, entry)) ? 'compensated' : 'gone';
  }

  /**
   * A bulk take (seat-bulk.ts) whose writer stopped: the holders its op inserted keep their
   * seats (stamped first, so a writer still running can tell), the rest are given back.
   */
  async #recoverBulkTake(skuId: string, entry: InflightEntry) {
    const journal = this.journal;
    if (!(await journal.claim(skuId, entry.op))) return 'gone';
    const ids = { $in: (entry.keys ?? []).map((key) => seatHolderId(skuId, key)) };
    await journal.holders.updateMany(
      { _id: ids, op: entry.op },
      { $set: { recoveredAt: journal.now() } },
    );
    const kept = await journal.holders.countDocuments({
      _id: ids,
      op: entry.op,
      recoveredAt: { $ne: null },
    });
    const back = (entry.count ?? 0) - kept;
    const done = await journal.skus.updateOne(
      { _id: skuId, 'inflight.op': entry.op },
      { $inc: { free: back, [entry.state]: -back }, $pull: { inflight: { op: entry.op } } },
    );
    if (done.modifiedCount !== 1) return 'gone';
    return back ? 'compensated' : 'forward';
  }
}
