import { describe, expect, it } from 'vitest';
import { TAG } from '../../machines/tags.ts';
import { ADA, approve, cancel, GRACE, NINA, type Step, send, start } from './support.ts';

const go = (from: Step, event: Record<string, unknown>) => send('time_bound_grant', from, event);
const APPLIED_AT = '2026-01-10T09:00:00.000Z';
const ENDS_AT = '2026-01-10T17:00:00.000Z';
const applied = { type: 'grant.applied', appliedAt: APPLIED_AT, endsAt: ENDS_AT };
const ended = { type: 'timer.grantEnded' };

/** A grant of a role (no seat) approved by Grace, being applied. */
const applying = () => go(start('time_bound_grant'), approve(GRACE));
/** … a license grant approved by Grace, queued for a seat. */
const waiting = () => go(start('time_bound_grant', { needsSeat: true }), approve(GRACE));
/** … applied: running until ENDS_AT. */
const active = () => go(applying(), applied);
/** … its end came: the revocation runs. */
const ending = () => go(active(), ended);

describe('the time-bound grant lifecycle', () => {
  it('starts undecided, waiting for a Global admin, and keeps whether it needs a seat', () => {
    const requested = start('time_bound_grant', { needsSeat: true });

    expect(requested).toMatchObject({
      status: 'requested.awaitingApproval',
      effects: ['notifyApprovers'],
      tags: [TAG.undecided, 'waiting for approval'].sort(),
      done: false,
    });
    expect(requested.context).toMatchObject({ needsSeat: true, approvals: [], requestId: 'REQ-1' });
    expect(start('time_bound_grant').context.needsSeat).toBe(false);
  });

  it('A2: only a Global admin who is not the requester nor the subject approves it', () => {
    const requested = start('time_bound_grant');

    expect(go(requested, approve(ADA))).toMatchObject({
      status: 'requested.awaitingApproval',
      refused: 'not_global_admin',
    });
    const own = start('time_bound_grant', { subjectEmail: GRACE.email });
    expect(go(own, approve(GRACE)).refused).toBe('own_request');
    const twice = go(start('time_bound_grant', { grantsGlobalAdmin: true }), approve(GRACE));
    expect(twice.status).toBe('requested.awaitingSecondApproval');
  });

  it('a role grant is applied as soon as it is approved; its clock has not started yet', () => {
    const approved = applying();

    expect(approved).toMatchObject({
      status: 'approved.applying',
      effects: ['applyGrant'],
      tags: ['approved'],
    });
    expect(approved.context.appliedAt).toBeUndefined();
    expect(approved.snapshot.hasTag(TAG.grantRunning)).toBe(false);
  });

  it('L3: a license grant waits for a seat in approval order, then is applied', () => {
    const queued = waiting();
    expect(queued).toMatchObject({
      status: 'approved.waitingForSeat',
      effects: ['requestSeat'],
      tags: [TAG.waitingForSeat, 'waiting for a seat'].sort(),
    });

    expect(go(queued, { type: 'seat.granted' })).toMatchObject({
      status: 'approved.applying',
      effects: ['applyGrant'],
    });
  });

  it('L3: the requester, and only they, may cancel while it waits for a seat; the place is given up', () => {
    expect(go(waiting(), cancel(NINA))).toMatchObject({
      status: 'approved.waitingForSeat',
      refused: 'not_requester',
      effects: [],
    });

    const cancelled = go(waiting(), cancel(ADA));
    expect(cancelled).toMatchObject({
      status: 'cancelled',
      effects: ['releaseSeat'],
      done: true,
      tags: [TAG.endedWithoutSeat, 'cancelled'].sort(),
    });
    expect(cancelled.context.endReason).toBe('cancelled by the requester');

    const left = go(waiting(), { type: 'system.cancelled', reason: 'Nina left the company' });
    expect(left).toMatchObject({ status: 'cancelled', effects: ['releaseSeat'] });
    expect(left.context.endReason).toBe('Nina left the company');
  });

  it('once applied it runs: the clock starts when it was applied, its end is a stored deadline', () => {
    const running = active();

    expect(running).toMatchObject({
      status: 'active',
      effects: ['scheduleGrantEnd'],
      tags: [TAG.grantRunning, 'granted'].sort(),
      done: false,
    });
    expect(running.context).toMatchObject({ appliedAt: APPLIED_AT, endsAt: ENDS_AT });
  });

  it('a grant the directory refuses to apply ends in failed with the reason, undoing what it did', () => {
    const failed = go(applying(), { type: 'directory.failed', reason: 'S5: user disabled' });

    expect(failed).toMatchObject({
      status: 'failed',
      effects: ['undoProvisioning'],
      done: true,
      tags: [TAG.endedWithoutSeat, 'failed'].sort(),
    });
    expect(failed.context.failureReason).toBe('S5: user disabled');
  });

  it('while it runs, each warning is named and it keeps running; cancelling is not offered', () => {
    const warned = go(active(), { type: 'timer.grantWarningDue' });

    expect(warned).toMatchObject({ status: 'active', effects: ['warnGrantEnding'] });
    expect(warned.context.endsAt).toBe(ENDS_AT);
    expect(active().snapshot.can(cancel(ADA))).toBe(false);
    expect(go(active(), cancel(ADA))).toMatchObject({ status: 'active', effects: [] });
  });

  it('at its end what it gave is revoked; a revoked grant has ended for good', () => {
    const revoking = ending();
    expect(revoking).toMatchObject({
      status: 'ending',
      effects: ['revokeGrant'],
      tags: ['ending access'],
      done: false,
    });

    const done = go(revoking, { type: 'grant.revoked' });
    expect(done).toMatchObject({ status: 'ended', tags: ['ended'], done: true, effects: [] });
    expect(done.snapshot.can({ type: 'timer.grantEnded' })).toBe(false);
  });

  it('the leaver’s grant ends at once when accessdesk cancels it (an offboarding step)', () => {
    const cut = go(active(), { type: 'system.cancelled', reason: 'Nina left the company' });

    expect(cut).toMatchObject({ status: 'ending', effects: ['revokeGrant'] });
    expect(cut.context.endReason).toBe('Nina left the company');
  });

  it('A2: a revocation that would leave no Global admin is held, told, and tried again later', () => {
    const held = go(ending(), { type: 'grant.revokeHeld', reason: 'last Global admin (A2)' });
    expect(held).toMatchObject({
      status: 'held',
      effects: ['holdRevocation'],
      tags: [TAG.revocationHeld, 'revocation held'].sort(),
      done: false,
    });
    expect(held.context.heldReason).toBe('last Global admin (A2)');
    expect(held.context.heldTries).toBe(1);

    // The scheduled retry revokes from `held` itself: no history line per try.
    const retried = go(held, ended);
    expect(retried).toMatchObject({ status: 'held', effects: ['revokeGrant'] });
    const refused = go(retried, {
      type: 'grant.revokeHeld',
      reason: 'last Global admin (A2)',
      triedAt: '2026-01-01T02:00:00.000Z',
    });
    expect(refused).toMatchObject({ status: 'held', effects: [] });
    expect(refused.context).toMatchObject({
      heldTries: 2,
      heldLastTriedAt: '2026-01-01T02:00:00.000Z',
    });
    expect(go(refused, { type: 'grant.revoked' }).status).toBe('ended');
  });

  it('events of other stages change nothing', () => {
    const cases: Array<[Step, Record<string, unknown>]> = [
      [applying(), ended],
      [applying(), { type: 'grant.revoked' }],
      [active(), { type: 'grant.revoked' }],
      [active(), applied],
      [ending(), ended],
      [waiting(), applied],
    ];
    for (const [from, event] of cases) {
      const after = go(from, event);
      expect(after.status, `${from.status} ${event.type}`).toBe(from.status);
      expect(after.effects).toEqual([]);
    }
  });
});
