import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeatLedger } from '../../src/tenant/seats.service.ts';
import { rawOf } from '../../src/tenant/tenant.model.ts';
import { smallConfig, useTenant } from './helpers.ts';

const t = useTenant('tenant/seat-ledger-random');
const SKU = 'POWERAPPS'; // 3 seats
const DAY = 24 * 60 * 60 * 1000;
const STEPS = ['lock', 'counter', 'holder', 'settle'];

type Op =
  | { kind: 'hold' | 'assign'; key: number; account: number | null; crash: string | null }
  | { kind: 'confirm'; key: number; account: number | null; crash: string | null }
  | { kind: 'release'; key: number; crash: string | null }
  | { kind: 'expire'; crash: string | null }
  | { kind: 'recover' };

const crash = fc.option(fc.constantFrom(...STEPS), { nil: null, freq: 3 });
const key = fc.integer({ min: 0, max: 5 });
const account = fc.option(fc.integer({ min: 0, max: 3 }), { nil: null });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('hold', 'assign'), key, account, crash }),
  fc.record({ kind: fc.constant('confirm'), key, account, crash }),
  fc.record({ kind: fc.constant('release'), key, crash }),
  fc.record({ kind: fc.constant('expire'), crash }),
  fc.record({ kind: fc.constant('recover') }),
);

/**
 * A ledger of its own per operation, dying after the write `crash` names (any kind's). Its lease
 * is short, so operations meeting a crashed one recover it themselves, and a live one is now and
 * then taken for stopped and recovered under its feet (as a writer paused past its lease).
 */
function ledgerFor(crashAt: string | null) {
  return new SeatLedger(t.service.models, t.clock, {
    leaseMs: 100,
    afterWrite: (step) => {
      if (crashAt && step.endsWith(`:${crashAt}`)) throw new Error(`crash after ${step}`);
    },
  });
}

async function run(o: Op): Promise<void> {
  if (o.kind === 'recover') {
    // Run alongside the batch's live operations: each of them is "older" than 0 ms.
    await t.service.recoverSeats(0);
    return;
  }
  const seats = ledgerFor(o.crash);
  const options = 'account' in o && o.account !== null ? { accountId: `acc${o.account}` } : {};
  if (o.kind === 'hold') await seats.hold(SKU, `k${o.key}`, options);
  if (o.kind === 'assign') await seats.assign(SKU, `k${o.key}`, options);
  if (o.kind === 'confirm') await seats.confirmHeld(SKU, `k${o.key}`, options.accountId);
  if (o.kind === 'release') await seats.release(SKU, `k${o.key}`);
  if (o.kind === 'expire') {
    t.clock.advance(DAY);
    await seats.expireHeld(t.clock.now());
  }
}

describe('the seat ledger under random operations, crashes and recoveries', () => {
  it('L1/L3/L5: after recovery the counters match the holders, never more seats than bought, one seat per account', async () => {
    await t.service.applyConfig(smallConfig());
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { maxLength: 8 }),
        async (batches) => {
          await t.service.models.SeatHolder.deleteMany({});
          await rawOf(t.service.models.Sku).updateOne(
            { _id: SKU },
            { $set: { seats: 3, free: 3, held: 0, assigned: 0, inflight: [] } },
          );
          // Each batch runs its operations at once; a crashed or refused one is just an outcome.
          for (const batch of batches) await Promise.allSettled(batch.map(run));
          await t.service.recoverSeats(0);

          expect(await t.service.verifySeats()).toEqual([]);
          const holders = await t.service.models.SeatHolder.find({ sku: SKU }).lean();
          const summary = await t.service.seatSummary(SKU);
          expect(holders.length).toBeLessThanOrEqual(summary.seats);
          expect(summary.free).toBeGreaterThanOrEqual(0);
          const accounts = holders.flatMap((h) => (h.accountId ? [h.accountId] : []));
          expect(new Set(accounts).size).toBe(accounts.length);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);
});
