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

  /**
   * Moves waiting requests of `skuId` on while seats are free. Calls in one process share one
   * run (the lease only keeps other instances out; in here it would let every caller in).
   */
  promote(skuId: string): Promise<void> {
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

  async #drain(skuId: string) {
    for (;;) {
      const [next] = await this.store.ids({ skuId, statuses: this.#waiting }, 'approval', 1);
      if (!next) return;
      try {
        // Keyed by the request: taking it again after a crash finds the seat already held.
        await this.directory.holdSeat(skuId, next);
      } catch (error) {
        if (error instanceof AccessdeskError && error.code === ErrorCode.NoFreeSeat) return;
        throw error;
      }
      const outcome = await this.lifecycle.send(next, { type: 'seat.granted' });
      // Not granted by us: give the seat back only if the request ended without it (cancelled
      // meanwhile). If another drainer granted it first, the seat under this key is the request's.
      const { kind, status } = outcome.request;
      const endedWithoutSeat = this.machines.hasTag(kind, status, TAG.endedWithoutSeat);
      if (outcome.kind !== 'transitioned' && endedWithoutSeat) {
        await this.directory.releaseSeat(skuId, next);
      }
    }
  }
}
