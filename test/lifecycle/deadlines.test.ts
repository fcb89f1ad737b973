import { describe, expect, it } from 'vitest';
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
    const invited = await lifecycle.submitOnboarding(ADA, newHire('exp1'));
    await lifecycle.act(invited._id, GRACE, approve);
    const waiting = await lifecycle.submitOnboarding(ADA, newHire('exp2'));
    await lifecycle.idle();
    await lifecycle.act(waiting._id, GRACE, approve);
    await lifecycle.idle();
    expect((await lifecycle.get(invited._id)).status).toBe('invited');
    expect((await lifecycle.get(waiting._id)).status).toBe('approved.waitingForSeat');
    const issuedAt = clock.now().getTime();
    expect((await lifecycle.get(invited._id)).nextDeadlineAt?.getTime()).toBe(
      issuedAt + DEADLINES.invitationTtl,
    );

    // Restart: nothing in memory survives; only the stored deadline does.
    const restarted = first.rebuild();
    clock.advance(DEADLINES.invitationTtl - SECOND);
    expect(await restarted.scheduler.sweep()).toEqual({ fired: 0 });
    expect((await restarted.lifecycle.get(invited._id)).status).toBe('invited');

    clock.advance(2 * SECOND);
    expect(await restarted.scheduler.sweep()).toEqual({ fired: 1 });
    await restarted.lifecycle.idle();

    const expired = await restarted.lifecycle.get(invited._id);
    expect(expired).toMatchObject({ status: 'expired', done: true, deadlines: [] });
    expect(expired.context.endReason).toMatch(/L4/);
    expect(await tenant.seatHolder(SKU, invited._id)).toBeUndefined();
    const next = await restarted.lifecycle.get(waiting._id);
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
    const request = await first.system.lifecycle.submitOnboarding(ADA, newHire('dl'));
    await first.system.lifecycle.idle();
    const counts = () => ({
      reminders: notifier.count('remindApprovers', request._id),
      escalations: notifier.count('escalateToGlobalAdmins', request._id),
    });

    clock.advance(DEADLINES.reminderAfter - SECOND);
    expect(await first.system.scheduler.sweep()).toEqual({ fired: 0 });
    clock.advance(2 * SECOND);
    expect(await first.system.scheduler.sweep()).toEqual({ fired: 1 });
    expect(await first.system.scheduler.sweep()).toEqual({ fired: 0 });
    await first.system.lifecycle.idle();
    expect(counts()).toEqual({ reminders: 1, escalations: 0 });

    const second = rebuild();
    expect(await second.scheduler.sweep()).toEqual({ fired: 0 });
    clock.advance(DEADLINES.escalateAfter - DEADLINES.reminderAfter);
    expect(await second.scheduler.sweep()).toEqual({ fired: 1 });
    await second.lifecycle.idle();
    expect(counts()).toEqual({ reminders: 1, escalations: 1 });
    expect((await second.lifecycle.get(request._id)).status).toBe('requested.awaitingApproval');

    const third = rebuild();
    clock.advance(DEADLINES.requestTtl - DEADLINES.escalateAfter);
    expect(await third.scheduler.sweep()).toEqual({ fired: 1 });
    expect(await third.scheduler.sweep()).toEqual({ fired: 0 });
    await third.lifecycle.idle();
    expect(counts()).toEqual({ reminders: 1, escalations: 1 });
    const expired = await third.lifecycle.get(request._id);
    expect(expired).toMatchObject({ status: 'expired', done: true, nextDeadlineAt: null });
    expect(expired.context.endReason).toBe('no decision arrived in time');
    const trail = await third.lifecycle.audit.forRequest(request._id);
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
    const request = await system.lifecycle.submitOnboarding(ADA, newHire('late'));
    clock.advance(DEADLINES.requestTtl * 3);
    expect(await system.scheduler.sweep()).toEqual({ fired: 3 });
    await system.lifecycle.idle();
    expect(notifier.count('remindApprovers', request._id)).toBe(1);
    expect(notifier.count('escalateToGlobalAdmins', request._id)).toBe(1);
    expect((await system.lifecycle.get(request._id)).status).toBe('expired');
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
      Array.from({ length: 20 }, (_, i) => a.lifecycle.submitOnboarding(ADA, newHire(`two${i}`))),
    );
    await a.lifecycle.idle();

    clock.advance(DEADLINES.reminderAfter + SECOND);
    const reminders = await Promise.all([a.scheduler.sweep(), b.scheduler.sweep()]);
    await Promise.all([a.lifecycle.idle(), b.lifecycle.idle()]);
    expect(reminders[0].fired + reminders[1].fired).toBe(20);

    clock.advance(DEADLINES.requestTtl);
    const rest = await Promise.all([
      a.scheduler.sweep(),
      b.scheduler.sweep(),
      a.scheduler.sweep(),
      b.scheduler.sweep(),
    ]);
    await Promise.all([a.lifecycle.idle(), b.lifecycle.idle()]);
    expect(rest.reduce((sum, r) => sum + r.fired, 0)).toBe(40);

    for (const r of requests) {
      expect(notifier.count('remindApprovers', r._id)).toBe(1);
      expect(notifier.count('escalateToGlobalAdmins', r._id)).toBe(1);
      const doc = await a.lifecycle.get(r._id);
      expect(doc.status).toBe('expired');
      expect(doc.history.filter((h) => h.to === 'expired')).toHaveLength(1);
      const timers = (await a.lifecycle.audit.forRequest(r._id)).filter((e) =>
        e.action.startsWith('timer.'),
      );
      expect(timers.map((e) => e.action)).toEqual([
        'timer.reminderDue',
        'timer.escalationDue',
        'timer.requestExpired',
      ]);
    }
    expect(errors).toEqual([]);
    expect(await a.lifecycle.audit.verify()).toEqual({ ok: true, entries: 80 });
  });
});
