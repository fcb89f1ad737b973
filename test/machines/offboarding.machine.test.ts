import { describe, expect, it } from 'vitest';
import { TAG } from '../../machines/tags.ts';
import { ADA, approve, cancel, deny, GRACE, NINA, type Step, send, start } from './support.ts';

const go = (from: Step, event: Record<string, unknown>) => send('offboarding', from, event);
const EFFECTIVE = '2026-01-31T17:00:00.000Z';
const DELETE_AT = '2026-04-30T17:00:00.000Z';
const through = (from: Step, ...types: string[]) =>
  types.reduce((at, type) => go(at, { type }), from);

/** An offboarding of Nina, asked by Ada, effective at EFFECTIVE. */
const requested = () => start('offboarding', { effectiveAt: EFFECTIVE });
/** … approved by Grace: waiting for the effective date. */
const scheduled = () => go(requested(), approve(GRACE));
/** … the date came: the first step (block sign-in) runs. */
const closing = () => go(scheduled(), { type: 'timer.effectiveDateReached' });

/** The steps in order: the event each step's effect sends back, the next state and its effect. */
const STEPS = [
  ['directory.signInBlocked', 'closing.leavingGroups', 'leaveSecurityGroups'],
  ['directory.groupsLeft', 'closing.revokingAdminRoles', 'revokeAdminRoles'],
  ['directory.adminRolesRevoked', 'closing.releasingSeats', 'releaseSeats'],
  ['directory.seatsReleased', 'closing.cancellingRequests', 'cancelOpenRequests'],
  ['requests.cancelled', 'closing.tellingManager', 'tellManager'],
] as const;
/** … every step done but telling the manager. */
const tellingManager = () => through(closing(), ...STEPS.map(([event]) => event as string));

describe('the offboarding lifecycle', () => {
  it('starts waiting for a Global admin; the approvers and the leaver’s manager hear of it at once', () => {
    const asked = requested();

    expect(asked).toMatchObject({
      status: 'requested.awaitingApproval',
      effects: ['notifyApprovers', 'noticeManager'],
      tags: [TAG.undecided, 'waiting for approval'].sort(),
      done: false,
    });
    expect(asked.context).toMatchObject({ effectiveAt: EFFECTIVE, subjectEmail: NINA.email });
  });

  it('A2: the leaver and the requester cannot approve it; a Global admin can', () => {
    const byLeaver = start('offboarding', { effectiveAt: EFFECTIVE, subjectEmail: GRACE.email });

    expect(go(byLeaver, approve(GRACE)).refused).toBe('own_request');
    expect(go(requested(), approve(NINA)).refused).toBe('not_global_admin');
    const denied = go(requested(), deny(GRACE, 'she stays'));
    expect(denied).toMatchObject({ status: 'denied', done: true });
    expect(denied.context.denyReason).toBe('she stays');
  });

  it('approved, it waits for the effective date (a stored deadline); nothing is closed yet', () => {
    const waiting = scheduled();

    expect(waiting).toMatchObject({
      status: 'approved.scheduled',
      effects: ['scheduleOffboarding'],
      tags: ['scheduled'],
      done: false,
    });
    expect(waiting.context).toMatchObject({ decidedBy: GRACE.email, effectiveAt: EFFECTIVE });
    expect(waiting.snapshot.can(cancel(ADA))).toBe(true);
  });

  it('the requester, and only they, may cancel until the date comes', () => {
    expect(go(scheduled(), cancel(NINA))).toMatchObject({
      status: 'approved.scheduled',
      refused: 'not_requester',
      effects: [],
    });

    const cancelled = go(scheduled(), cancel(ADA));
    expect(cancelled).toMatchObject({
      status: 'cancelled',
      done: true,
      tags: [TAG.endedWithoutSeat, 'cancelled'].sort(),
    });
    expect(cancelled.context.endReason).toBe('cancelled by the requester');

    const system = go(scheduled(), { type: 'system.cancelled', reason: 'Ada left the company' });
    expect(system).toMatchObject({ status: 'cancelled', done: true });
    expect(system.context.endReason).toBe('Ada left the company');
  });

  it('T4: on the effective date, closing starts by blocking sign-in; it can no longer be cancelled', () => {
    const started = closing();

    expect(started).toMatchObject({
      status: 'closing.blockingSignIn',
      effects: ['blockSignIn'],
      tags: ['closing access'],
    });
    expect(started.snapshot.can(cancel(ADA))).toBe(false);
    expect(go(started, cancel(ADA))).toMatchObject({ status: started.status, effects: [] });
    expect(go(started, { type: 'system.cancelled', reason: 'x' }).status).toBe(started.status);
  });

  it('T4, E2, A2, T5/L6: each step runs on its own effect, in order, when the last is done', () => {
    let at = closing();
    for (const [event, next, effect] of STEPS) {
      at = go(at, { type: event });
      expect(at, event).toMatchObject({
        status: next,
        effects: [effect],
        tags: ['closing access'],
      });
    }
  });

  it('a late repeat of an earlier step never moves a later one on', () => {
    let at = closing();
    const seen: string[] = [];
    for (const [event] of STEPS) {
      for (const repeat of seen) {
        const after = go(at, { type: repeat });
        expect(after, `${repeat} in ${at.status}`).toMatchObject({
          status: at.status,
          effects: [],
        });
      }
      seen.push(event);
      at = go(at, { type: event });
    }
    expect(go(closing(), { type: 'requests.cancelled' }).status).toBe('closing.blockingSignIn');
    expect(go(closing(), { type: 'manager.told' }).status).toBe('closing.blockingSignIn');
  });

  it('A2: a directory step refused for good ends the offboarding failed, with the reason', () => {
    let at = closing();
    for (const [event] of STEPS.slice(0, 4)) {
      const failed = go(at, { type: 'directory.failed', reason: `refused in ${at.status}` });
      expect(failed, at.status).toMatchObject({
        status: 'failed',
        effects: ['undoProvisioning'],
        done: true,
      });
      expect(failed.context.failureReason).toBe(`refused in ${at.status}`);
      at = go(at, { type: event });
    }
    // Cancelling the leaver's requests and telling the manager are not the directory's.
    for (const from of [at, tellingManager()]) {
      const after = go(from, { type: 'directory.failed', reason: 'x' });
      expect(after).toMatchObject({ status: from.status, effects: [] });
    }
  });

  it('E5: once the manager is told, the leaver is offboarded and the account stays', () => {
    const done = go(tellingManager(), { type: 'manager.told' });

    expect(done).toMatchObject({ status: 'offboarded', tags: ['offboarded'], done: true });
    expect(done.effects).toEqual([]);
    expect(done.context.deleteAt).toBeUndefined();
    const noDate = go(tellingManager(), { type: 'manager.told', deleteAt: '' });
    expect(noDate).toMatchObject({ status: 'offboarded', done: true });
  });

  it('T5: with a retention period the account is kept until its deletion date, then deleted', () => {
    const kept = go(tellingManager(), { type: 'manager.told', deleteAt: DELETE_AT });
    expect(kept).toMatchObject({
      status: 'retained',
      effects: ['scheduleDeletion'],
      tags: ['offboarded'],
      done: false,
    });
    expect(kept.context.deleteAt).toBe(DELETE_AT);

    const deleting = go(kept, { type: 'timer.retentionEnded' });
    expect(deleting).toMatchObject({
      status: 'deleting',
      effects: ['deleteAccount'],
      tags: ['deleting account'],
    });
    const deleted = go(deleting, { type: 'directory.accountDeleted' });
    expect(deleted).toMatchObject({ status: 'deleted', tags: ['deleted'], done: true });
  });

  it('a rehire before the deletion keeps the account: the offboarding ends offboarded', () => {
    const kept = go(tellingManager(), { type: 'manager.told', deleteAt: DELETE_AT });
    const deleting = go(kept, { type: 'timer.retentionEnded' });

    expect(go(deleting, { type: 'account.kept' })).toMatchObject({
      status: 'offboarded',
      done: true,
      effects: [],
    });
    expect(go(kept, { type: 'directory.accountDeleted' }).status).toBe('retained');
  });
});
