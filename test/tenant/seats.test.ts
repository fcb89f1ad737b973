import { describe, expect, it } from 'vitest';
import { ErrorCode, RuleViolation } from '../../src/errors.ts';
import { INVITATION_HOLD_DAYS } from '../../src/tenant/licenses.rules.ts';
import { smallConfig, useTenant } from './helpers.ts';

const t = useTenant('tenant/seats');
const DAY = 24 * 60 * 60 * 1000;

async function setup() {
  await t.service.applyConfig(smallConfig());
}

describe('license seats', () => {
  it('L1: one seat per account: a second seat of the same SKU for the account is refused', async () => {
    await setup();
    const ada = (await t.service.accountByEmail('ada@contoso.example'))!;
    await t.service.assignSeat('D365_SALES', 'request:1', { accountId: ada._id });
    const second = t.service.assignSeat('D365_SALES', 'request:2', { accountId: ada._id });
    await expect(second).rejects.toMatchObject({ code: ErrorCode.Conflict, rule: 'L1' });
    expect(await t.service.seatSummary('D365_SALES')).toMatchObject({ assigned: 1, free: 9 });
  });

  it('L2: a license can be assigned at creation or later', async () => {
    await setup();
    const { account } = await t.service.createAccount({
      personEmail: 'new@personal.example',
      firstName: 'New',
      lastName: 'Hire',
    });
    expect(await t.service.seatsOf(account._id)).toEqual([]);
    t.clock.advance(3 * DAY);
    await t.service.assignSeat('POWERAPPS', 'later', { accountId: account._id });
    expect(await t.service.seatsOf(account._id)).toEqual([
      { skuId: 'POWERAPPS', key: 'later', state: 'assigned' },
    ]);
  });

  it('L3: no assignment happens when the SKU has no free seat; buying adds seats', async () => {
    await setup();
    for (const key of ['a', 'b', 'c']) await t.service.assignSeat('POWERAPPS', key);
    const refused = await t.service.assignSeat('POWERAPPS', 'd').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RuleViolation);
    expect(refused).toMatchObject({ code: ErrorCode.NoFreeSeat, rule: 'L3' });
    expect((refused as Error).message).toMatch(/No free seat of Power Apps per user/);
    expect(await t.service.seatHolder('POWERAPPS', 'd')).toBeUndefined();
    expect(await t.service.seatSummary('POWERAPPS')).toMatchObject({
      seats: 3,
      assigned: 3,
      free: 0,
    });
    await t.service.addSeats('POWERAPPS', 2);
    await t.service.assignSeat('POWERAPPS', 'd');
    expect(await t.service.seatSummary('POWERAPPS')).toMatchObject({
      seats: 5,
      assigned: 4,
      free: 1,
    });
  });

  it('L3: 50 parallel holds and assignments against 10 free seats take exactly 10', async () => {
    await setup();
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        i % 2 === 0
          ? t.service.holdSeat('D365_SALES', `hold:${i}`)
          : t.service.assignSeat('D365_SALES', `assign:${i}`),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(10);
    expect(lost).toHaveLength(40);
    for (const r of lost) {
      expect(r.reason).toBeInstanceOf(RuleViolation);
      expect(r.reason).toMatchObject({ code: 'no_free_seat', rule: 'L3' });
    }
    const summary = await t.service.seatSummary('D365_SALES');
    expect(summary.assigned + summary.held).toBe(10);
    expect(summary.free).toBe(0);
    expect(await t.service.models.SeatHolder.countDocuments({ sku: 'D365_SALES' })).toBe(10);
  });

  it('L3: holding the same key twice takes one seat (idempotent), even in parallel', async () => {
    await setup();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => t.service.holdSeat('POWERAPPS', 'request:42')),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await t.service.seatSummary('POWERAPPS')).toMatchObject({ held: 1, free: 2 });
    const again = await t.service.holdSeat('POWERAPPS', 'request:42');
    expect(again.created).toBe(false);
    expect(await t.service.seatSummary('POWERAPPS')).toMatchObject({ held: 1, free: 2 });
  });

  it(`L4: an unaccepted invitation holds a seat until it expires ${INVITATION_HOLD_DAYS} days after issue`, async () => {
    await setup();
    const { holder } = await t.service.holdSeat('POWERAPPS', 'invite:ada');
    expect(holder.expiresAt).toEqual(new Date(t.clock.now().getTime() + 14 * DAY));
    t.clock.advance(14 * DAY - 1000);
    expect(await t.service.expireHeldSeats(t.clock.now())).toEqual([]);
    expect(await t.service.seatSummary('POWERAPPS')).toMatchObject({ held: 1, free: 2 });
    t.clock.advance(1000);
    expect(await t.service.expireHeldSeats(t.clock.now())).toEqual([
      { skuId: 'POWERAPPS', key: 'invite:ada' },
    ]);
    expect(await t.service.seatSummary('POWERAPPS')).toMatchObject({ held: 0, free: 3 });
  });

  it('L4: confirming without reading back still assigns the seat, and says what it set', async () => {
    await setup();
    const ada = (await t.service.accountByEmail('ada@contoso.example'))!;
    await t.service.holdSeat('POWERAPPS', 'invite:quiet', { accountId: ada._id });
    const built = await t.service.confirmHeldSeat('POWERAPPS', 'invite:quiet', undefined, {
      readBack: false,
    });
    expect(built).toEqual({ key: 'invite:quiet', state: 'assigned', since: t.clock.now() });
    expect(await t.service.seatHolder('POWERAPPS', 'invite:quiet')).toMatchObject({
      state: 'assigned',
      accountId: ada._id,
    });
    // Again: already assigned, so this time it reads what is stored.
    expect(
      await t.service.confirmHeldSeat('POWERAPPS', 'invite:quiet', undefined, { readBack: false }),
    ).toMatchObject({ state: 'assigned', accountId: ada._id });
  });

  it('L4: accepting the invitation turns the held seat into an assigned one; expired ones refuse', async () => {
    await setup();
    const ada = (await t.service.accountByEmail('ada@contoso.example'))!;
    await t.service.holdSeat('POWERAPPS', 'invite:1', { accountId: ada._id });
    t.clock.advance(3 * DAY);
    const confirmed = await t.service.confirmHeldSeat('POWERAPPS', 'invite:1');
    expect(confirmed).toMatchObject({ state: 'assigned', accountId: ada._id });
    expect(await t.service.confirmHeldSeat('POWERAPPS', 'invite:1')).toMatchObject({
      state: 'assigned',
    });
    expect(await t.service.seatSummary('POWERAPPS')).toMatchObject({ assigned: 1, held: 0 });
    t.clock.advance(30 * DAY);
    expect(await t.service.expireHeldSeats(t.clock.now())).toEqual([]);

    await t.service.holdSeat('POWERAPPS', 'invite:2');
    t.clock.advance(15 * DAY);
    const late = t.service.confirmHeldSeat('POWERAPPS', 'invite:2');
    await expect(late).rejects.toMatchObject({ code: ErrorCode.InvitationInvalid, rule: 'L4' });
    expect(await t.service.seatHolder('POWERAPPS', 'invite:2')).toBeUndefined();
    expect(await t.service.seatSummary('POWERAPPS')).toMatchObject({
      assigned: 1,
      held: 0,
      free: 2,
    });
  });

  it('L5: the seat count cannot go below assigned + held seats', async () => {
    await setup();
    await t.service.assignSeat('POWERAPPS', 'a');
    await t.service.holdSeat('POWERAPPS', 'b');
    const refused = t.service.setSeatCount('POWERAPPS', 1);
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.SeatsInUse, rule: 'L5' });
    expect(await t.service.setSeatCount('POWERAPPS', 2)).toMatchObject({ seats: 2, free: 0 });
    expect(await t.service.setSeatCount('POWERAPPS', 6)).toMatchObject({ seats: 6, free: 4 });
  });

  it('L5: a tenant file that shrinks a SKU below its seats in use is refused before any write', async () => {
    await setup();
    for (const key of ['a', 'b']) await t.service.assignSeat('POWERAPPS', key);
    const shrunk = smallConfig();
    shrunk.skus.find((s) => s.id === 'POWERAPPS')!.seats = 1;
    shrunk.skus.find((s) => s.id === 'D365_SALES')!.seats = 99;
    await expect(t.service.applyConfig(shrunk)).rejects.toMatchObject({ rule: 'L5' });
    expect(await t.service.seatSummary('D365_SALES')).toMatchObject({ seats: 10 });
  });

  it('L5: concurrent reductions and takes never make free negative', async () => {
    await setup();
    await Promise.allSettled([
      ...Array.from({ length: 8 }, (_, i) => t.service.assignSeat('D365_SALES', `k${i}`)),
      t.service.setSeatCount('D365_SALES', 4),
      t.service.setSeatCount('D365_SALES', 6),
    ]);
    const s = await t.service.seatSummary('D365_SALES');
    expect(s.free).toBeGreaterThanOrEqual(0);
    expect(s.assigned + s.held + s.free).toBe(s.seats);
  });

  it('L6: removing a license frees its seat; releasing twice is harmless', async () => {
    await setup();
    await t.service.assignSeat('POWERAPPS', 'x');
    expect(await t.service.releaseSeat('POWERAPPS', 'x')).toBe(true);
    expect(await t.service.releaseSeat('POWERAPPS', 'x')).toBe(false);
    expect(await t.service.seatSummary('POWERAPPS')).toMatchObject({ assigned: 0, free: 3 });
  });

  it('refuses unknown SKUs with not_found, naming no rule', async () => {
    await setup();
    const refused = t.service.assignSeat('NOPE', 'k');
    await expect(refused).rejects.toMatchObject({ code: 'not_found' });
    await expect(refused).rejects.not.toBeInstanceOf(RuleViolation);
  });

  it('L5: a Global admin sets seats by SKU id or name in any case; others and unknown SKUs are refused', async () => {
    await setup();
    const grace = 'grace@contoso.example';
    expect(await t.service.setSeatCountAs(grace, 'power apps PER USER', 5)).toMatchObject({
      skuId: 'POWERAPPS',
      seats: 5,
    });
    expect(await t.service.setSeatCountAs(grace, 'powerapps', 4)).toMatchObject({ seats: 4 });

    const byAda = t.service.setSeatCountAs('ada@contoso.example', 'POWERAPPS', 9);
    await expect(byAda).rejects.toMatchObject({ code: ErrorCode.NotAllowed });
    const unknown = t.service.setSeatCountAs(grace, 'Dynamics', 9);
    await expect(unknown).rejects.toMatchObject({
      code: ErrorCode.NotFound,
      message: 'There is no SKU "Dynamics". SKU ids: CONNECTED_SPACES, D365_SALES, POWERAPPS.',
    });
    await expect(unknown).rejects.not.toBeInstanceOf(RuleViolation);
    expect(await t.service.seatSummary('POWERAPPS')).toMatchObject({ seats: 4 });
  });
});
