import { describe, expect, it } from 'vitest';
import type { AuditTrail } from '../../src/lifecycle/audit.ts';
import type { RequestDoc } from '../../src/lifecycle/request.model.ts';
import { submitOnboarding } from '../../src/lifecycle/submit.ts';
import { useTestDatabase } from '../support/db.ts';
import { TickingClock } from './directories.ts';
import { buildSystem, DEADLINES, newHire, resetDatabase } from './support.ts';

const db = useTestDatabase('lifecycle/seat-queue');

const SKU = 'D365_SALES';
const WAITING = 'approved.waitingForSeat';

/** The order in which requests got a seat: their `seat.granted` entries in the audit chain. */
async function grantOrder(audit: AuditTrail, ids: string[]): Promise<string[]> {
  const entries = await audit.entries
    .find({ action: 'seat.granted', requestId: { $in: ids } })
    .sort({ seq: 1 })
    .lean();
  return entries.map((e) => e.requestId);
}

const byApproval = (docs: RequestDoc[]) =>
  [...docs]
    .sort((a, b) => a.approvedAt!.getTime() - b.approvedAt!.getTime() || (a._id < b._id ? -1 : 1))
    .map((d) => d._id);

describe('seats under concurrent approvals', () => {
  it('L3: 100 approvals at once on 10 seats: 10 go on, 90 wait, the SKU never over-allocates; freed seats go in approval order (L4)', async () => {
    // Every read of the clock moves it 1 ms, so concurrent approvals get distinct approvedAt.
    const clock = new TickingClock();
    const { system, tenant, errors } = await buildSystem(db.connection, { seats: 10, clock });
    const { lifecycle, scheduler, seats, store, background, audit } = system;
    const requests = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        submitOnboarding(lifecycle, 'ada@contoso.example', newHire(i)),
      ),
    );
    await background.idle();

    const outcomes = await Promise.all(
      requests.map((r, i) =>
        lifecycle.act(r._id, i % 2 ? 'grace@contoso.example' : 'linus@contoso.example', {
          type: 'approver.approved',
        }),
      ),
    );
    expect(outcomes.every((o) => o.kind === 'transitioned')).toBe(true);
    await background.idle();

    const ids = requests.map((r) => r._id);
    const counts = async () => {
      const docs = await store.requests.find({ _id: { $in: ids } }).lean<RequestDoc[]>();
      const tally: Record<string, number> = {};
      for (const d of docs) tally[d.status] = (tally[d.status] ?? 0) + 1;
      return { docs, tally };
    };
    const first = await counts();
    expect(first.tally).toEqual({ invited: 10, [WAITING]: 90 });
    expect(await tenant.seatSummary(SKU)).toMatchObject({ seats: 10, held: 10, free: 0 });
    const summary = await tenant.seatSummary(SKU);
    expect(summary.held + summary.assigned).toBe(10);
    // Every seat holder is one of the invited requests, each exactly once.
    const holders = await tenant.models.SeatHolder.find({ sku: SKU }).lean();
    const invitedIds = first.docs.filter((d) => d.status === 'invited').map((d) => d._id);
    expect(holders.map((h) => h.key).sort()).toEqual(invitedIds.sort());

    // Buying 5 seats: the 5 earliest approved of the waiting ones move on, in that order.
    const waiting = first.docs.filter((d) => d.status === WAITING);
    const queue = byApproval(waiting);
    await tenant.addSeats(SKU, 5);
    await seats.promote(SKU);
    await background.idle();
    const second = await counts();
    expect(second.tally).toEqual({ invited: 15, [WAITING]: 85 });
    expect(await grantOrder(audit, queue)).toEqual(queue.slice(0, 5));
    expect(await tenant.seatSummary(SKU)).toMatchObject({ seats: 15, held: 15, free: 0 });

    // The 15 invitations expire unaccepted (L4): their seats go to the next 15, in order.
    clock.advance(DEADLINES.invitationTtl + 1000);
    await scheduler.sweep();
    await background.idle();
    const third = await counts();
    expect(third.tally).toEqual({ expired: 15, invited: 15, [WAITING]: 70 });
    expect(await grantOrder(audit, queue)).toEqual(queue.slice(0, 20));
    expect(await tenant.seatSummary(SKU)).toMatchObject({ seats: 15, held: 15, free: 0 });
    const stillWaiting = third.docs.filter((d) => d.status === WAITING).map((d) => d._id);
    expect(stillWaiting.sort()).toEqual(queue.slice(20).sort());

    expect(errors).toEqual([]);
    expect(await audit.verify()).toMatchObject({ ok: true });
  }, 120_000);

  it('L3: after a restart, a seat a stopped queue left with a later request goes to the earliest waiting one', async () => {
    await resetDatabase(db.connection);
    const clock = new TickingClock();
    const { system, tenant } = await buildSystem(db.connection, { seats: 0, clock });
    const { lifecycle, store, background } = system;
    const early = await submitOnboarding(lifecycle, 'ada@contoso.example', newHire('s1'));
    const late = await submitOnboarding(lifecycle, 'ada@contoso.example', newHire('s2'));
    for (const r of [early, late]) {
      await lifecycle.act(r._id, 'grace@contoso.example', { type: 'approver.approved' });
    }
    expect((await store.get(early._id)).approvedAt! < (await store.get(late._id)).approvedAt!).toBe(
      true,
    );
    await background.idle();
    // What a queue stopped between taking seats together and giving back one out of order leaves.
    await tenant.addSeats(SKU, 1);
    await tenant.holdSeat(SKU, late._id);
    expect((await tenant.seatSummary(SKU)).free).toBe(0);

    const restarted = await buildSystem(db.connection, { seats: 1, clock });
    await restarted.system.seats.promote(SKU);
    await restarted.system.background.idle();
    expect((await store.get(early._id)).status).toBe('invited');
    expect((await store.get(late._id)).status).toBe(WAITING);
    expect(await tenant.seatHolder(SKU, late._id)).toBeUndefined();
    expect(await tenant.seatSummary(SKU)).toMatchObject({ seats: 1, held: 1, free: 0 });
  });

  it("L3: the grant of the seat a request's own effect asked for completes that effect in its save", async () => {
    await resetDatabase(db.connection);
    const { system } = await buildSystem(db.connection, { seats: 1 });
    // Every document the store saves, as saved (the store itself, on the real database).
    const saves: RequestDoc[] = [];
    const compareAndSet = system.store.compareAndSet.bind(system.store);
    system.store.compareAndSet = async (...args) => {
      const saved = await compareAndSet(...args);
      if (saved) saves.push(saved);
      return saved;
    };
    const request = await submitOnboarding(system.lifecycle, 'ada@contoso.example', newHire('s'));
    await system.lifecycle.act(request._id, 'grace@contoso.example', {
      type: 'approver.approved',
    });
    await system.background.idle();

    expect((await system.store.get(request._id)).status).toBe('invited');
    const effects = (doc: RequestDoc) => doc.outbox.map((i) => i.effect);
    const granted = saves.find((doc) => doc.status === 'approved.provisioning')!;
    expect(effects(granted)).toEqual(['notifyRequester', 'provisionAccount']);
    // Only the approval's save holds the seat request: no later write exists to settle it.
    expect(saves.filter((doc) => effects(doc).includes('requestSeat'))).toHaveLength(1);
  });

  it('L3: a cancelled waiting request gives up its place and never takes a seat', async () => {
    await resetDatabase(db.connection);
    const { system, tenant } = await buildSystem(db.connection, { seats: 0 });
    const { lifecycle, seats, store, background } = system;
    const a = await submitOnboarding(lifecycle, 'ada@contoso.example', newHire('c1'));
    const b = await submitOnboarding(lifecycle, 'ada@contoso.example', newHire('c2'));
    for (const r of [a, b]) {
      await lifecycle.act(r._id, 'grace@contoso.example', { type: 'approver.approved' });
    }
    await background.idle();
    expect((await store.get(a._id)).status).toBe(WAITING);
    await lifecycle.act(a._id, 'ada@contoso.example', { type: 'requester.cancelled' });
    await tenant.addSeats(SKU, 1);
    await seats.promote(SKU);
    await background.idle();
    expect((await store.get(a._id)).status).toBe('cancelled');
    expect((await store.get(b._id)).status).toBe('invited');
    expect(await tenant.seatHolder(SKU, a._id)).toBeUndefined();
    expect((await tenant.seatSummary(SKU)).free).toBe(0);
  });
});
