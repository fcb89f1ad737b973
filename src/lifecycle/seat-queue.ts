import { TAG } from '../../machines/tags.ts';
import { AccessdeskError, ErrorCode } from '../errors.ts';
import type { Leases } from './lease.ts';
import type { Lifecycle } from './lifecycle.service.ts';
import type { MachineRegistry } from './machine-registry.ts';
import type { Directory } from './ports.ts';
import type { RequestStore } from './request-store.ts';

/**
 * Hands free seats of a SKU to the requests waiting for one, in the order they were approved
 * (L3). One instance works a SKU's queue at a time (a lease); after letting go it looks again, so
 * a request that started waiting meanwhile is never stranded next to a free seat.
 */
/** How many waiting requests one look at the queue takes on. */
const BATCH = 16;

type Held = { ok: true } | { ok: false; reason: unknown };

export class SeatQueue {
  /** The statuses of states tagged `waitingForSeat`, in any machine. */
  readonly #waiting: string[];

  constructor(
    private readonly store: RequestStore,
    private readonly lifecycle: Lifecycle,
    private readonly machines: MachineRegistry,
    private readonly directory: Directory,
    private readonly leases: Leases,
  ) {
    this.#waiting = machines.statusesTagged(TAG.waitingForSeat);
  }

  /** SKUs whose queue this process is working on, and those to look at again afterwards. */
  readonly #active = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();
  /** SKUs whose queue this process has looked through once (see #drain). */
  readonly #lookedAfterStart = new Set<string>();

  /** Outbox items a request's seat grant completes, by request (see `promote`). */
  readonly #completing = new Map<string, string[]>();

  /**
   * Moves waiting requests of `skuId` on while seats are free. Calls in one process share one
   * run (the lease only keeps other instances out; in here it would let every caller in).
   * `waiter`: the request whose effect asks, and its outbox items that a grant to it completes
   * (saved with the grant: no write of their own to settle them).
   */
  async promote(skuId: string, waiter?: { requestId: string; completes: string[] }) {
    if (!waiter) return this.#promote(skuId);
    this.#completing.set(waiter.requestId, waiter.completes);
    try {
      await this.#promote(skuId);
    } finally {
      if (this.#completing.get(waiter.requestId) === waiter.completes) {
        this.#completing.delete(waiter.requestId);
      }
    }
  }

  #promote(skuId: string): Promise<void> {
    const active = this.#active.get(skuId);
    if (active) {
      this.#again.add(skuId);
      return active;
    }
    const run = (async () => {
      try {
        do {
          this.#again.delete(skuId);
          await this.#promoteAcrossInstances(skuId);
        } while (this.#again.has(skuId));
      } finally {
        this.#active.delete(skuId);
      }
    })();
    this.#active.set(skuId, run);
    return run;
  }

  async #promoteAcrossInstances(skuId: string): Promise<void> {
    for (let round = 0; round < 20; round++) {
      const name = `seat-queue:${skuId}`;
      if (!(await this.leases.acquire(name, 30_000))) return;
      try {
        await this.#drain(skuId);
      } finally {
        await this.leases.release(name);
      }
      const [waiting] = await this.store.ids({ skuId, statuses: this.#waiting }, 'approval', 1);
      if (!waiting || !(await this.directory.hasFreeSeat(skuId))) return;
    }
  }

  /** Promotes every SKU that has a waiting request (the scheduler's safety net). */
  async promoteAll(): Promise<void> {
    const skus = await this.store.skus({ statuses: this.#waiting });
    for (const sku of skus) await this.promote(sku);
  }

  /**
   * Approval order (L3): the first waiting request takes its seat alone; only then do the next
   * ones take theirs, together. Should one of those find no seat, those after it that got one
   * give it back and wait. Grants go out in approval order, each once the one before is saved
   * (and its audit line queued), while the next seats are being taken.
   */
  async #drain(skuId: string) {
    const handled = new Set<string>();
    const pending = new Set<string>();
    // Each grant starts once the one before is saved and audited-in-order, not finished.
    let turn = Promise.resolve();
    const granting: Promise<void>[] = [];
    let failure: { reason: unknown } | undefined;
    const grant = (id: string) => {
      handled.add(id);
      pending.add(id);
      const previous = turn;
      let queued = () => {};
      turn = new Promise((resolve) => {
        queued = resolve;
      });
      const granted = (async () => {
        try {
          await previous;
          if (!failure) await this.#grant(skuId, id, queued);
        } catch (reason) {
          failure ??= { reason };
        } finally {
          pending.delete(id);
          queued();
        }
      })();
      granting.push(granted);
    };
    let stop: { reason: unknown } | undefined;
    try {
      while (!failure) {
        // Requests being granted are still waiting until their save: look past them.
        const limit = BATCH + pending.size;
        const waiting = await this.store.ids({ skuId, statuses: this.#waiting }, 'approval', limit);
        const batch = waiting.filter((id) => !handled.has(id)).slice(0, BATCH);
        const [head, ...rest] = batch;
        if (!head) break;
        const first = await this.#hold(skuId, head);
        // A drain that stopped half-way (a crash) may have left later requests holding seats
        // out of order: the first look of this process takes them back even with no seat free.
        if (!first.ok && this.#lookedAfterStart.has(skuId)) {
          stop = first;
          break;
        }
        this.#lookedAfterStart.add(skuId);
        const held = [first, ...(await Promise.all(rest.map((id) => this.#hold(skuId, id))))];
        const refusedAt = held.findIndex((h) => !h.ok);
        for (const id of refusedAt === -1 ? batch : batch.slice(0, refusedAt)) grant(id);
        const refused = held[refusedAt];
        if (!refused || refused.ok) continue;
        const outOfOrder = batch.filter((_, i) => i > refusedAt && held[i]!.ok);
        await Promise.all(outOfOrder.map((id) => this.directory.releaseSeat(skuId, id)));
        if (outOfOrder.length === 0) {
          stop = refused;
          break;
        }
      }
    } finally {
      await Promise.all(granting);
    }
    if (failure) throw failure.reason;
    if (stop) this.#stopOn(stop.reason);
  }

  /** Takes the seat of request `id`; keyed by the request, so a retry finds it already held. */
  async #hold(skuId: string, id: string): Promise<Held> {
    try {
      await this.directory.holdSeat(skuId, id);
      return { ok: true };
    } catch (reason) {
      return { ok: false, reason };
    }
  }

  /** No free seat ends a drain quietly; anything else is an error. */
  #stopOn(reason: unknown): void {
    if (reason instanceof AccessdeskError && reason.code === ErrorCode.NoFreeSeat) return;
    throw reason;
  }

  async #grant(skuId: string, id: string, queued: () => void): Promise<void> {
    const completes = this.#completing.get(id);
    this.#completing.delete(id);
    const outcome = await this.lifecycle.send(
      id,
      { type: 'seat.granted' },
      { queued, ...(completes ? { completes } : {}) },
    );
    // Not granted by us: give the seat back only if the request ended without it (cancelled
    // meanwhile). If another drainer granted it first, the seat under this key is the request's.
    const { kind, status } = outcome.request;
    const endedWithoutSeat = this.machines.hasTag(kind, status, TAG.endedWithoutSeat);
    if (outcome.kind !== 'transitioned' && endedWithoutSeat) {
      await this.directory.releaseSeat(skuId, id);
    }
  }
}
