import { describe, expect, it } from 'vitest';
import { submitOnboarding } from '../../src/lifecycle/submit.ts';
import { useTestDatabase } from '../support/db.ts';
import { buildSystem, DEADLINES, newHire, resetDatabase } from './support.ts';

const db = useTestDatabase('lifecycle/deadlines');

const SKU = 'D365_SALES';
const ADA = 'ada@contoso.example';
const GRACE = 'grace@contoso.example';
const SECOND = 1000;
const approve = { type: 'approver.approved' };

describe('durable deadlines on a fake clock', () => {
  it('L4: an invitation expires 14 days after issue even across a restart; its seat goes to the next in line', async () => {
    await resetDatabase(db.connection);
    const first = await buildSystem(db.connection, { seats: 1 });
    const { clock, tenant, notifier, errors } = first;
    const lifecycle = first.system.lifecycle;
    const { store, background } = first.system;
    const invited = await submitOnboarding(lifecycle, ADA, newHire('exp1'));
    await lifecycle.act(invited._id, GRACE, approve);
    const waiting = await submitOnboarding(lifecycle, ADA, newHire('exp2'));
    await background.idle();
    await lifecycle.act(waiting._id, GRACE, approve);
    await background.idle();
    expect((await store.get(invited._id)).status).toBe('invited');
    expect((await store.get(waiting._id)).status).toBe('approved.waitingForSeat');
    const issuedAt = clock.now().getTime();
    expect((await store.get(invited._id)).nextDeadlineAt?.getTime()).toBe(
      issuedAt + DEADLINES.invitationTtl,
    );

    // Restart: nothing in memory survives; only the stored deadline does.
    const restarted = first.rebuild();
    clock.advance(DEADLINES.invitationTtl - SECOND);
    expect(await restarted.scheduler.sweep()).toEqual({ fired: 0 });
    expect((await restarted.store.get(invited._id)).status).toBe('invited');

    clock.advance(2 * SECOND);
    expect(await restarted.scheduler.sweep()).toEqual({ fired: 1 });
    await restarted.background.idle();

    const expired = await restarted.store.get(invited._id);
    expect(expired).toMatchObject({ status: 'expired', done: true, deadlines: [] });
    expect(expired.context.endReason).toMatch(/L4/);
    expect(await tenant.seatHolder(SKU, invited._id)).toBeUndefined();
    const next = await restarted.store.get(waiting._id);
    expect(next.status).toBe('invited');
    expect(await tenant.seatHolder(SKU, waiting._id)).toMatchObject({ state: 'held' });
    expect(await tenant.seatSummary(SKU)).toMatchObject({ seats: 1, held: 1, free: 0 });
    // The new invitation gets its own 14 days, from now.
    expect(next.invitation?.expiresAt.getTime()).toBe(
      clock.now().getTime() + DEADLINES.invitationTtl,
    );
    expect(notifier.invitations.map((i) => i.requestId)).toEqual([invited._id, waiting._id]);

    // Accepting the expired invitation is too late.
    const late = await restarted.lifecycle.act(invited._id, newHire('exp1').email, {
      type: 'invitee.accepted',
    });
    expect(late).toMatchObject({ kind: 'ignored', reason: 'already_decided' });
    expect(errors).toEqual([]);
  });

  it('reminder (24 h), escalation (72 h) and request expiry (7 days) fire once each, across restarts', async () => {
    await resetDatabase(db.connection);
    const first = await buildSystem(db.connection, { seats: 1 });
    const { clock, notifier, errors, rebuild } = first;
    const request = await submitOnboarding(first.system.lifecycle, ADA, newHire('dl'));
    await first.system.background.idle();
    const counts = () => ({
      reminders: notifier.count('remindApprovers', request._id),
      escalations: notifier.count('escalateToGlobalAdmins', request._id),
    });

    clock.advance(DEADLINES.reminderAfter - SECOND);
    expect(await first.system.scheduler.sweep()).toEqual({ fired: 0 });
    clock.advance(2 * SECOND);
    expect(await first.system.scheduler.sweep()).toEqual({ fired: 1 });
    expect(await first.system.scheduler.sweep()).toEqual({ fired: 0 });
    await first.system.background.idle();
    expect(counts()).toEqual({ reminders: 1, escalations: 0 });

    const second = rebuild();
    expect(await second.scheduler.sweep()).toEqual({ fired: 0 });
    clock.advance(DEADLINES.escalateAfter - DEADLINES.reminderAfter);
    expect(await second.scheduler.sweep()).toEqual({ fired: 1 });
    await second.background.idle();
    expect(counts()).toEqual({ reminders: 1, escalations: 1 });
    expect((await second.store.get(request._id)).status).toBe('requested.awaitingApproval');

    const third = rebuild();
    clock.advance(DEADLINES.requestTtl - DEADLINES.escalateAfter);
    expect(await third.scheduler.sweep()).toEqual({ fired: 1 });
    expect(await third.scheduler.sweep()).toEqual({ fired: 0 });
    await third.background.idle();
    expect(counts()).toEqual({ reminders: 1, escalations: 1 });
    const expired = await third.store.get(request._id);
    expect(expired).toMatchObject({ status: 'expired', done: true, nextDeadlineAt: null });
    expect(expired.context.endReason).toBe('no decision arrived in time');
    const trail = await third.audit.forRequest(request._id);
    expect(trail.map((e) => e.action)).toEqual([
      'requester.submitted',
      'timer.reminderDue',
      'timer.escalationDue',
      'timer.requestExpired',
    ]);
    expect(errors).toEqual([]);
  });

  it('a sweep long after all three deadlines fires them once each, in order', async () => {
    await resetDatabase(db.connection);
    const { system, clock, notifier } = await buildSystem(db.connection, { seats: 1 });
    const request = await submitOnboarding(system.lifecycle, ADA, newHire('late'));
    clock.advance(DEADLINES.requestTtl * 3);
    expect(await system.scheduler.sweep()).toEqual({ fired: 3 });
    await system.background.idle();
    expect(notifier.count('remindApprovers', request._id)).toBe(1);
    expect(notifier.count('escalateToGlobalAdmins', request._id)).toBe(1);
    expect((await system.store.get(request._id)).status).toBe('expired');
  });
});

describe('two scheduler instances side by side', () => {
  it('each deadline fires once when two systems sweep the same database at the same moment', async () => {
    await resetDatabase(db.connection);
    const {
      system: a,
      clock,
      notifier,
      errors,
      rebuild,
    } = await buildSystem(db.connection, {
      seats: 1,
    });
    const b = rebuild();
    const requests = await Promise.all(
      Array.from({ length: 20 }, (_, i) => submitOnboarding(a.lifecycle, ADA, newHire(`two${i}`))),
    );
    await a.background.idle();

    clock.advance(DEADLINES.reminderAfter + SECOND);
    const reminders = await Promise.all([a.scheduler.sweep(), b.scheduler.sweep()]);
    await Promise.all([a.background.idle(), b.background.idle()]);
    expect(reminders[0].fired + reminders[1].fired).toBe(20);

    clock.advance(DEADLINES.requestTtl);
    const rest = await Promise.all([
      a.scheduler.sweep(),
      b.scheduler.sweep(),
      a.scheduler.sweep(),
      b.scheduler.sweep(),
    ]);
    await Promise.all([a.background.idle(), b.background.idle()]);
    expect(rest.reduce((sum, r) => sum + r.fired, 0)).toBe(40);

    for (const r of requests) {
      expect(notifier.count('remindApprovers', r._id)).toBe(1);
      expect(notifier.count('escalateToGlobalAdmins', r._id)).toBe(1);
      const doc = await a.store.get(r._id);
      expect(doc.status).toBe('expired');
      expect(doc.history.filter((h) => h.to === 'expired')).toHaveLength(1);
      const timers = (await a.audit.forRequest(r._id)).filter((e) => e.action.startsWith('timer.'));
      expect(timers.map((e) => e.action)).toEqual([
        'timer.reminderDue',
        'timer.escalationDue',
        'timer.requestExpired',
      ]);
    }
    expect(errors).toEqual([]);
    expect(await a.audit.verify()).toEqual({ ok: true, entries: 80 });
  });
});
