import { describe, expect, it } from 'vitest';
import { TAG } from '../../machines/tags.ts';
import { ADA, accept, approve, cancel, GRACE, NINA, type Step, send, start } from './support.ts';

const go = (from: Step, event: Record<string, unknown>) => send('role_change', from, event);
const EXPIRES = '2026-01-15T09:00:00.000Z';
const applied = { type: 'directory.applied' };

describe('the role-change lifecycle', () => {
  it('a change without a license is applied as soon as it is approved', () => {
    const approved = go(start('role_change'), approve(GRACE));

    expect(approved).toMatchObject({
      status: 'approved.applying',
      effects: ['applyChange'],
      tags: ['approved'],
    });
    const done = go(approved, applied);
    expect(done).toMatchObject({ status: 'applied', done: true, effects: [], tags: ['applied'] });
    expect(approved.done).toBe(false);
  });

  it('L3: a change that adds a license waits for a seat, then applies', () => {
    const waiting = go(start('role_change', { needsSeat: true }), approve(GRACE));
    expect(waiting).toMatchObject({ status: 'approved.waitingForSeat', effects: ['requestSeat'] });

    expect(go(waiting, { type: 'seat.granted' })).toMatchObject({
      status: 'approved.applying',
      effects: ['applyChange'],
    });
    const cancelled = go(waiting, cancel(ADA));
    expect(cancelled).toMatchObject({ status: 'cancelled', effects: ['releaseSeat'], done: true });
    expect(cancelled.context.endReason).toBe('cancelled by the requester');
    expect(go(waiting, cancel(NINA)).refused).toBe('not_requester');
  });

  it('a change the directory refuses ends in failed with the reason', () => {
    const applying = go(start('role_change'), approve(GRACE));

    const failed = go(applying, { type: 'directory.failed', reason: 'S5: user disabled' });

    expect(failed).toMatchObject({ status: 'failed', effects: ['undoProvisioning'] });
    expect(failed.context.failureReason).toBe('S5: user disabled');
  });

  it('E3: re-enabling a disabled user goes through a new invitation the subject accepts', () => {
    const applying = go(start('role_change', { reenables: true }), approve(GRACE));

    const inv = go(applying, applied);
    expect(inv).toMatchObject({
      status: 'invited',
      effects: ['issueInvitation'],
      tags: [TAG.awaitingAcceptance, 'invited'].sort(),
    });
    const issued = go(inv, { type: 'invitation.issued', expiresAt: EXPIRES });
    expect(issued.status).toBe('invited');
    expect(issued.context.invitationExpiresAt).toBe(EXPIRES);

    expect(go(issued, accept(ADA)).refused).toBe('not_invitee');
    expect(go(issued, accept(NINA, EXPIRES)).refused).toBe('invitation_expired');
    const accepted = go(issued, accept(NINA, '2026-01-10T00:00:00.000Z'));
    expect(accepted).toMatchObject({
      status: 'accepted',
      effects: ['completeReenable'],
      tags: ['accepted'],
    });
  });

  it('E3: the subject may accept while the invitation is being issued (no expiry known yet)', () => {
    const inv = go(go(start('role_change', { reenables: true }), approve(GRACE)), applied);

    const accepted = go(inv, accept(NINA, '2026-01-10T00:00:00.000Z'));

    expect(accepted).toMatchObject({ status: 'accepted', done: true });
  });

  it('E3/L4: a re-invitation nobody accepts expires and releases its seat', () => {
    const inv = go(go(start('role_change', { reenables: true }), approve(GRACE)), applied);

    const expired = go(inv, { type: 'timer.invitationExpired' });

    expect(expired).toMatchObject({ status: 'expired', effects: ['releaseSeat'] });
    expect(expired.context.endReason).toBe('the invitation was not accepted within its time (L4)');
  });
});
