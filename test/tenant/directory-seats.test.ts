import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { applyDirectorySeats, withDirectorySeats } from '../../src/tenant/directory-seats.ts';
import { smallConfig, useTenant } from './helpers.ts';

const t = useTenant('tenant/directory-seats');
const SKU = 'D365_SALES'; // 10 seats in the small tenant

/** Microsoft 365's figures for the SKU, as a sync applies them. */
const apply = (seats: number, external: number) =>
  applyDirectorySeats(t.db.connection, SKU, { seats, external }, t.clock.now());

const counters = async () =>
  (await t.db.connection
    .collection<{ _id: string; seats: number; free: number; held: number; external?: number }>(
      'skus',
    )
    .findOne({ _id: SKU }))!;

describe("the directory's seat figures on the ledger (graph mode)", () => {
  it('L3: seats used outside accessdesk are not free; the sum seats = free + held + assigned + external holds', async () => {
    await t.service.applyConfig(smallConfig());
    await t.service.holdSeat(SKU, 'req-1');
    const applied = await apply(12, 9);
    expect(applied).toMatchObject({ seats: 12, held: 1, external: 9, free: 2, short: 0 });
    // What `/access seats` and the approval card read.
    expect(await t.service.seatSummary(SKU)).toMatchObject({ seats: 12, held: 1, external: 9 });
    const listed = (await t.service.listSeatSummaries()).find((s) => s.skuId === SKU);
    expect(listed).toMatchObject({ seats: 12, held: 1, external: 9, free: 2 });
    await t.service.holdSeat(SKU, 'req-2');
    await t.service.holdSeat(SKU, 'req-3');
    await expect(t.service.holdSeat(SKU, 'req-4')).rejects.toMatchObject({
      code: ErrorCode.NoFreeSeat,
      rule: 'L3',
    });
    expect(await t.service.verifySeats()).toEqual([]);
  });

  it('L5: figures that do not fit keep accessdesk’s own seats and free none', async () => {
    await t.service.applyConfig(smallConfig());
    for (const key of ['a', 'b', 'c']) await t.service.holdSeat(SKU, key);
    // Microsoft 365 says 2 seats, 1 of them used outside: accessdesk holds 3 already.
    const applied = await apply(2, 1);
    expect(applied).toMatchObject({ seats: 3, held: 3, external: 0, free: 0, short: 2 });
    expect(await t.service.verifySeats()).toEqual([]);
  });

  it('L3: concurrent holds and syncs never hand out more seats than the directory has', async () => {
    await t.service.applyConfig(smallConfig());
    const outside = [4, 7, 2, 6, 5, 3];
    const results = await Promise.allSettled([
      ...Array.from({ length: 12 }, (_, i) => t.service.holdSeat(SKU, `req-${i}`)),
      ...outside.map((external) =>
        applyDirectorySeats(t.db.connection, SKU, { seats: 10, external }, t.clock.now()),
      ),
    ]);
    const held = results.slice(0, 12).filter((r) => r.status === 'fulfilled').length;
    const sku = await counters();
    expect(sku.held).toBe(held);
    expect(sku.seats).toBe(10);
    expect(sku.free).toBeGreaterThanOrEqual(0);
    expect(sku.free + sku.held + (sku.external ?? 0)).toBe(sku.seats);
    expect(await t.service.verifySeats()).toEqual([]);
    // The last figures, applied once more, leave exactly what fits.
    await apply(10, 3);
    const after = await counters();
    expect(after.held + (after.external ?? 0)).toBeLessThanOrEqual(10);
  });

  it('a restart applies the tenant file with the seats the last sync set, not the file’s', async () => {
    const config = smallConfig();
    await t.service.applyConfig(config);
    await t.service.holdSeat(SKU, 'req-1');
    await apply(40, 30);
    // The file still says 10, below the 31 in use: applied as is, L5 would refuse to start.
    const applied = await withDirectorySeats(t.db.connection, config);
    expect(applied.skus.find((s) => s.id === SKU)?.seats).toBe(40);
    await t.service.applyConfig(applied);
    expect(await counters()).toMatchObject({ seats: 40, held: 1, external: 30, free: 9 });
  });
});
