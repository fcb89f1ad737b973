import type { Model } from 'mongoose';
import { TAG } from '../../machines/tags.ts';
import type { Clock } from '../clock.ts';
import type { MachineRegistry } from '../lifecycle/machine-registry.ts';
import type { RequestDoc } from '../lifecycle/request.model.ts';
import type { SeatSummary } from '../tenant/seats.service.ts';
import type { GaugeSources } from './metrics.ts';

/** A gauge never counts past this: a scrape stays a bounded index scan however large the backlog. */
export const GAUGE_CAP = 100_000;

/**
 * The scrape-time reads of the gauges: counts over indexes (`outbox.status`, `nextDeadlineAt`,
 * `skuId + status`), capped at GAUGE_CAP, and the seat ledger's per-SKU counter documents (never
 * its holders).
 */
export function gaugeSources(options: {
  requests: Model<RequestDoc>;
  machines: MachineRegistry;
  clock: Clock;
  seatCounters: () => Promise<SeatSummary[]>;
}): GaugeSources {
  const { requests, clock } = options;
  const waiting = options.machines.statusesTagged(TAG.waitingForSeat);
  const count = (filter: Record<string, unknown>) =>
    requests.collection.countDocuments(filter, { limit: GAUGE_CAP });
  return {
    outboxDepth: () => count({ 'outbox.status': 'pending' }),
    deadlinesDue: () => count({ nextDeadlineAt: { $lte: clock.now() } }),
    async waitingForSeat() {
      const skus = await options.seatCounters();
      const counts = await Promise.all(
        skus.map((s) => count({ skuId: s.skuId, status: { $in: waiting } })),
      );
      return Object.fromEntries(skus.map((s, i) => [s.skuId, counts[i]!]));
    },
    async seats() {
      return (await options.seatCounters()).map((s) => ({
        skuId: s.skuId,
        used: s.seats - s.free,
        held: s.held,
        free: s.free,
      }));
    },
  };
}
