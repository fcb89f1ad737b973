import { AccessdeskError, ErrorCode } from '../errors.ts';
import type { Leases } from './lease.ts';
import type { Lifecycle } from './lifecycle.service.ts';
import type { Directory } from './ports.ts';

const WAITING = 'approved.waitingForSeat';

/** Ends in which a request holds no seat (its ending effect released it, or never had one). */
const ENDED_WITHOUT_SEAT = new Set(['cancelled', 'denied', 'expired', 'failed']);
const endedWithoutSeat = (status: string) => ENDED_WITHOUT_SEAT.has(status);

/**
 * Hands free seats of a SKU to the requests waiting for one, in the order they were approved
 * (L3). One instance works a SKU's queue at a time (a lease); after letting go it looks again, so
 * a request that started waiting meanwhile is never stranded next to a free seat.
 */
export class SeatQueue {
  constructor(
    private readonly lifecycle: Lifecycle,
    private readonly directory: Directory,
    private readonly leases: Leases,
  ) {}

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
      const waiting = await this.lifecycle.raw.findOne(
        { skuId, status: WAITING },
        { projection: { _id: 1 } },
      );
      if (!waiting || !(await this.directory.hasFreeSeat(skuId))) return;
    }
  }

  /** Promotes every SKU that has a waiting request (the scheduler's safety net). */
  async promoteAll(): Promise<void> {
    const skus = await this.lifecycle.requests.distinct('skuId', { status: WAITING });
    for (const sku of skus) if (sku) await this.promote(sku);
  }

  async #drain(skuId: string) {
    for (;;) {
      const next = await this.lifecycle.raw.findOne(
        { skuId, status: WAITING },
        { sort: { approvedAt: 1, _id: 1 }, projection: { _id: 1 } },
      );
      if (!next) return;
      try {
        // Keyed by the request: taking it again after a crash finds the seat already held.
        await this.directory.holdSeat(skuId, next._id);
      } catch (error) {
        if (error instanceof AccessdeskError && error.code === ErrorCode.NoFreeSeat) return;
        throw error;
      }
      const outcome = await this.lifecycle.send(next._id, { type: 'seat.granted' });
      // Not granted by us: give the seat back only if the request ended without it (cancelled
      // meanwhile). If another drainer granted it first, the seat under this key is the request's.
      if (outcome.kind !== 'transitioned' && endedWithoutSeat(outcome.request.status)) {
        await this.directory.releaseSeat(skuId, next._id);
      }
    }
  }
}
