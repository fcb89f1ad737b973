import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { ErrorCode } from '../../src/errors.ts';
import { holderFromEntry, type SeatJournalOptions } from '../../src/tenant/seat-journal.ts';
import { SeatLedger } from '../../src/tenant/seats.service.ts';
import { rawOf, SEAT_INFLIGHT_LIMIT } from '../../src/tenant/tenant.model.ts';
import { smallConfig, useTenant } from './helpers.ts';

const t = useTenant('tenant/seat-ledger');
const DAY = 24 * 60 * 60 * 1000;
const SKU = 'POWERAPPS'; // 3 seats in the small tenant

async function setup() {
  await t.service.applyConfig(smallConfig());
  return (await t.service.accountByEmail('ada@contoso.example'))!._id;
}

/** A second ledger on the same database, as another process would have. */
function ledger(options: SeatJournalOptions = {}) {
  return new SeatLedger(t.service.models, t.clock, options);
}

/** A ledger whose process dies right after the write named `step`. */
function crashingAfter(step: string) {
  return ledger({
    afterWrite: (s) => {
      if (s === step) throw new Error(`crash after ${s}`);
    },
  });
}

/** A ledger whose writer stops after `step` until `resume()`; `paused` settles when it stops. */
function pausingAfter(step: string, options: SeatJournalOptions = {}) {
  let resume = () => {};
  let stopped = () => {};
  const paused = new Promise<void>((r) => {
    stopped = r;
  });
  const held = new Promise<void>((r) => {
    resume = r;
  });
  const seats = ledger({
    ...options,
    afterWrite: async (s) => {
      if (s !== step) return;
      stopped();
      await held;
    },
  });
  return { seats, paused, resume };
}

async function expectExact() {
  expect(await t.service.verifySeats()).toEqual([]);
  const sku = await rawOf(t.service.models.Sku).findOne({ _id: SKU });
  expect(sku?.inflight).toEqual([]);
}

describe('the seat ledger across a crash between any two of its writes', () => {
  it.each(['take:counter', 'take:holder', 'take:settle'])(
    'L3/L1: a hold that stops after %s is finished by recovery: one seat, counters exact',
    async (step) => {
      const ada = await setup();
      const crashed = crashingAfter(step).hold(SKU, 'invite:ada', { accountId: ada });
      await expect(crashed).rejects.toThrow(`crash after ${step}`);

      await t.service.recoverSeats(0);
      await expectExact();
      const again = await t.service.holdSeat(SKU, 'invite:ada', { accountId: ada });
      expect(again).toMatchObject({ created: false, holder: { state: 'held', accountId: ada } });
      const second = t.service.holdSeat(SKU, 'invite:other', { accountId: ada });
      await expect(second).rejects.toMatchObject({ rule: 'L1' });
      expect(await t.service.seatSummary(SKU)).toMatchObject({ held: 1, assigned: 0, free: 2 });
      await expectExact();
    },
  );

  it.each(['confirm:lock', 'confirm:counter', 'confirm:holder', 'confirm:settle'])(
    'L4: a confirm that stops after %s is finished or undone by recovery; retrying assigns once',
    async (step) => {
      const ada = await setup();
      await t.service.holdSeat(SKU, 'invite:ada');
      const crashed = crashingAfter(step).confirmHeld(SKU, 'invite:ada', ada);
      await expect(crashed).rejects.toThrow(`crash after ${step}`);

      await t.service.recoverSeats(0);
      await expectExact();
      expect(await t.service.confirmHeldSeat(SKU, 'invite:ada', ada)).toMatchObject({
        state: 'assigned',
        accountId: ada,
      });
      expect(await t.service.seatSummary(SKU)).toMatchObject({ held: 0, assigned: 1, free: 2 });
      await expectExact();
    },
  );

  it.each(['release:lock', 'release:counter', 'release:holder', 'release:settle'])(
    'L6: a release that stops after %s is finished or undone by recovery; the seat is freed once',
    async (step) => {
      const ada = await setup();
      await t.service.assignSeat(SKU, 'license:ada', { accountId: ada });
      const crashed = crashingAfter(step).release(SKU, 'license:ada');
      await expect(crashed).rejects.toThrow(`crash after ${step}`);

      await t.service.recoverSeats(0);
      await expectExact();
      await t.service.releaseSeat(SKU, 'license:ada');
      expect(await t.service.releaseSeat(SKU, 'license:ada')).toBe(false);
      expect(await t.service.seatSummary(SKU)).toMatchObject({ held: 0, assigned: 0, free: 3 });
      expect(await t.service.seatsOf(ada)).toEqual([]);
      await expectExact();
    },
  );

  it.each(['expire:lock', 'expire:counter', 'expire:holder', 'expire:settle'])(
    'L4: an expiry sweep that stops after %s is finished or undone; the hold ends once',
    async (step) => {
      await setup();
      await t.service.holdSeat(SKU, 'invite:late');
      t.clock.advance(15 * DAY);
      const crashed = crashingAfter(step).expireHeld(t.clock.now());
      await expect(crashed).rejects.toThrow(`crash after ${step}`);

      await t.service.recoverSeats(0);
      await expectExact();
      await t.service.expireHeldSeats(t.clock.now());
      expect(await t.service.seatHolder(SKU, 'invite:late')).toBeUndefined();
      expect(await t.service.seatSummary(SKU)).toMatchObject({ held: 0, free: 3 });
      await expectExact();
    },
  );

  it('L3: a retry after a crash waits out the lease, then finishes the stopped take itself', async () => {
    const ada = await setup();
    const crashed = crashingAfter('take:counter').hold(SKU, 'invite:ada', { accountId: ada });
    await expect(crashed).rejects.toThrow('crash after take:counter');
    // The retry waits the lease out in real time; a second lease of margin keeps a loaded machine green.
    const retry = await ledger({ leaseMs: 1000 }).hold(SKU, 'invite:ada', { accountId: ada });
    expect(retry.created).toBe(false);
    expect(await t.service.seatSummary(SKU)).toMatchObject({ held: 1, free: 2 });
    await expectExact();
  });

  it('L3: recovery leaves an operation alone while its lease runs', async () => {
    await setup();
    await expect(crashingAfter('take:counter').assign(SKU, 'k')).rejects.toThrow();
    expect(await t.service.recoverSeats()).toMatchObject({ rolledForward: 0, compensated: 0 });
    expect(await t.service.seatHolder(SKU, 'k')).toBeUndefined();
    expect(await t.service.recoverSeats(0)).toMatchObject({ rolledForward: 1 });
    expect(await t.service.seatHolder(SKU, 'k')).toMatchObject({ state: 'assigned' });
  });
});

describe('a writer paused past its lease while recovery acts for it', () => {
  it('L3: a take resumed after recovery inserted its holder ends with one seat', async () => {
    const ada = await setup();
    const { seats, paused, resume } = pausingAfter('take:counter');
    const taking = seats.hold(SKU, 'invite:ada', { accountId: ada });
    await paused;
    expect(await t.service.recoverSeats(0)).toMatchObject({ rolledForward: 1 });
    resume();
    expect(await taking).toMatchObject({ created: true, holder: { accountId: ada } });
    expect(await t.service.seatSummary(SKU)).toMatchObject({ held: 1, free: 2 });
    await expectExact();
  });

  it('L1: a take resumed after recovery gave its seat back (the account took another) takes none', async () => {
    const ada = await setup();
    const { seats, paused, resume } = pausingAfter('take:counter');
    const taking = seats.assign(SKU, 'first', { accountId: ada });
    await paused;
    // Recovery finds the account already seated under another key and gives this op's seat back.
    await t.service.models.SeatHolder.collection.insertOne(
      holderFromEntry(SKU, {
        op: 'other',
        key: 'second',
        state: 'assigned',
        at: new Date(),
        accountId: ada,
      }) as never,
    );
    await rawOf(t.service.models.Sku).updateOne({ _id: SKU }, { $inc: { free: -1, assigned: 1 } });
    expect(await t.service.recoverSeats(0)).toMatchObject({ compensated: 1 });
    resume();
    await expect(taking).rejects.toMatchObject({ rule: 'L1' });
    expect(await t.service.seatsOf(ada)).toEqual([
      { skuId: SKU, key: 'second', state: 'assigned' },
    ]);
    await expectExact();
  });

  it('L6: a release resumed after recovery aborted its intent starts over and frees the seat once', async () => {
    await setup();
    await t.service.assignSeat(SKU, 'x');
    const { seats, paused, resume } = pausingAfter('release:lock');
    const releasing = seats.release(SKU, 'x');
    await paused;
    expect(await t.service.recoverSeats(0)).toMatchObject({ aborted: 1 });
    resume();
    expect(await releasing).toBe(true);
    expect(await t.service.seatSummary(SKU)).toMatchObject({ assigned: 0, free: 3 });
    await expectExact();
  });

  it('L6: two releases of one seat, one paused past its lease while the other frees it, free it once', async () => {
    await setup();
    await t.service.assignSeat(SKU, 'x');
    const { seats, paused, resume } = pausingAfter('release:lock');
    const first = seats.release(SKU, 'x');
    await paused;
    await t.service.recoverSeats(0); // the paused one's lock is taken for a stopped writer's
    expect(await t.service.releaseSeat(SKU, 'x')).toBe(true);
    resume();
    expect(await first).toBe(false);
    expect(await t.service.seatSummary(SKU)).toMatchObject({ assigned: 0, free: 3 });
    await expectExact();
  });

  it('L6: a release resumed after recovery finished it changes nothing more', async () => {
    await setup();
    await t.service.assignSeat(SKU, 'x');
    const { seats, paused, resume } = pausingAfter('release:counter');
    const releasing = seats.release(SKU, 'x');
    await paused;
    expect(await t.service.recoverSeats(0)).toMatchObject({ rolledForward: 1 });
    resume();
    await releasing;
    expect(await t.service.seatSummary(SKU)).toMatchObject({ assigned: 0, free: 3 });
    await expectExact();
  });

  it('L3: a writer that finds its lease nearly over stops and leaves the take to recovery', async () => {
    await setup();
    const leaseClock = new ManualClock();
    const { seats, paused, resume } = pausingAfter('take:counter', { leaseClock, leaseMs: 30_000 });
    const taking = seats.assign(SKU, 'slow');
    await paused;
    leaseClock.advance(25_000);
    resume();
    await expect(taking).rejects.toMatchObject({ code: ErrorCode.Conflict });
    expect(await t.service.recoverSeats(0)).toMatchObject({ rolledForward: 1 });
    expect(await t.service.assignSeat(SKU, 'slow')).toMatchObject({ created: false });
    await expectExact();
  });
});

describe('the seat ledger at scale', () => {
  it('L3: parallel takes of one key on the last free seat all succeed, one seat taken', async () => {
    await setup();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.service.holdSeat('CONNECTED_SPACES', 'request:7')),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await t.service.seatSummary('CONNECTED_SPACES')).toMatchObject({ held: 1, free: 0 });
    expect(await t.service.verifySeats()).toEqual([]);
  });

  it('L3: 200 concurrent takes on 10 free seats take exactly 10', async () => {
    await setup();
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        i % 2
          ? t.service.holdSeat('D365_SALES', `h${i}`)
          : t.service.assignSeat('D365_SALES', `a${i}`),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    for (const r of results) {
      if (r.status === 'rejected')
        expect(r.reason).toMatchObject({ rule: 'L3', code: 'no_free_seat' });
    }
    expect(await t.service.models.SeatHolder.countDocuments({ sku: 'D365_SALES' })).toBe(10);
    expect(await t.service.seatSummary('D365_SALES')).toMatchObject({ free: 0 });
    expect(await t.service.verifySeats()).toEqual([]);
  });

  it(`L3: the journal of a SKU never holds more than ${SEAT_INFLIGHT_LIMIT} operations`, async () => {
    await setup();
    await t.service.setSeatCount('D365_SALES', 500);
    const biggest = { inflight: 0 };
    const watcher = setInterval(async () => {
      const sku = await rawOf(t.service.models.Sku).findOne({ _id: 'D365_SALES' });
      biggest.inflight = Math.max(biggest.inflight, sku?.inflight.length ?? 0);
    }, 2);
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => t.service.assignSeat('D365_SALES', `k${i}`)),
    );
    clearInterval(watcher);
    expect(biggest.inflight).toBeLessThanOrEqual(SEAT_INFLIGHT_LIMIT);
    expect(await t.service.seatSummary('D365_SALES')).toMatchObject({ assigned: 300, free: 200 });
    expect(await t.service.verifySeats()).toEqual([]);
  });

  it('L1/L3: with 200,000 holders no document passes 64 KB and a seat is still taken', async () => {
    await setup();
    const count = 200_000;
    const since = t.clock.now();
    const holders = t.service.models.SeatHolder.collection;
    for (let start = 0; start < count; start += 10_000) {
      const batch = Array.from({ length: 10_000 }, (_, j) =>
        holderFromEntry('D365_SALES', {
          op: 'bulk',
          key: `license:bulk-${start + j}`,
          state: 'assigned',
          at: since,
          since,
          accountId: `bulk-${start + j}`,
        }),
      );
      await holders.insertMany(batch as never[], { ordered: false });
    }
    await rawOf(t.service.models.Sku).updateOne(
      { _id: 'D365_SALES' },
      { $inc: { seats: count, assigned: count } },
    );

    const taken = await t.service.assignSeat('D365_SALES', 'license:one-more', {
      accountId: 'one-more',
    });
    expect(taken.created).toBe(true);
    expect(await t.service.seatSummary('D365_SALES')).toMatchObject({
      seats: count + 10,
      assigned: count + 1,
      free: 9,
    });
    const db = t.db.connection.db!;
    let largest = 0;
    for (const collection of await db.collections()) {
      const [top] = await collection
        .aggregate<{ size: number }>([
          { $project: { size: { $bsonSize: '$$ROOT' } } },
          { $sort: { size: -1 } },
          { $limit: 1 },
        ])
        .toArray();
      largest = Math.max(largest, top?.size ?? 0);
    }
    expect(largest).toBeLessThan(64 * 1024);
    expect(await t.service.verifySeats()).toEqual([]);
  }, 180_000);
});

describe('a SKU written by the first ledger', () => {
  it('L5: its holder array becomes holder documents on start, counters exact', async () => {
    await rawOf(t.service.models.Sku).insertOne({
      _id: SKU,
      name: 'Power Apps per user',
      seats: 3,
      free: 1,
      holders: [
        { key: 'a', state: 'assigned', accountId: 'acc-a', since: t.clock.now() },
        { key: 'b', state: 'held', since: t.clock.now(), expiresAt: t.clock.now() },
      ],
    } as never);
    await setup();
    expect(await t.service.seatSummary(SKU)).toMatchObject({
      seats: 3,
      assigned: 1,
      held: 1,
      free: 1,
    });
    expect(await t.service.seatHolder(SKU, 'a')).toMatchObject({ accountId: 'acc-a' });
    const sku = await rawOf(t.service.models.Sku).findOne({ _id: SKU });
    expect(sku).not.toHaveProperty('holders');
    expect(await t.service.verifySeats()).toEqual([]);
  });
});
