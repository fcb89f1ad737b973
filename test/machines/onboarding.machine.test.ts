import { describe, expect, it } from 'vitest';
import { TAG } from '../../machines/tags.ts';
import { ADA, accept, approve, cancel, GRACE, NINA, type Step, send, start } from './support.ts';

const go = (from: Step, event: Record<string, unknown>) => send('onboarding', from, event);
const EXPIRES = '2026-01-15T09:00:00.000Z';

/** An onboarding approved by Grace, waiting for its seat. */
const waiting = () => go(start('onboarding'), approve(GRACE));
/** … provisioned in the directory. */
const provisioned = () =>
  go(go(waiting(), { type: 'seat.granted' }), {
    type: 'directory.provisioned',
    accountId: 'acc_1',
    upn: 'nina.new@contoso.example',
  });
/** … invited, the invitation valid until EXPIRES. */
const invited = () => go(provisioned(), { type: 'invitation.issued', expiresAt: EXPIRES });

describe('the onboarding lifecycle', () => {
  it('L3: an approved onboarding asks for a seat and waits for it', () => {
    const approved = waiting();

    expect(approved.status).toBe('approved.waitingForSeat');
    expect(approved.effects).toEqual(['requestSeat']);
  });

  it('L3: the requester may cancel while it waits for a seat; the seat request is released', () => {
    expect(go(waiting(), cancel(NINA))).toMatchObject({
      status: 'approved.waitingForSeat',
      refused: 'not_requester',
    });
    const cancelled = go(waiting(), cancel(ADA));
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.effects).toEqual(['releaseSeat']);
    expect(cancelled.context.endReason).toBe('cancelled by the requester');
  });

  it('P1: with a seat it provisions; the account it made is recorded; then the invitation goes out', () => {
    const provisioning = go(waiting(), { type: 'seat.granted' });
    expect(provisioning).toMatchObject({
      status: 'approved.provisioning',
      effects: ['provisionAccount'],
      tags: ['provisioning'],
    });

    const done = provisioned();
    expect(done).toMatchObject({ status: 'provisioned', tags: ['provisioned'] });
    expect(done.effects).toEqual(['issueInvitation']);
    expect(done.context).toMatchObject({ accountId: 'acc_1', upn: 'nina.new@contoso.example' });
  });

  it('P1: a failed provisioning ends in failed, with its reason, and undoes what it did', () => {
    const provisioning = go(waiting(), { type: 'seat.granted' });

    const failed = go(provisioning, { type: 'directory.failed', reason: 'no free seat (L3)' });

    expect(failed).toMatchObject({ status: 'failed', done: true });
    expect(failed.effects).toEqual(['undoProvisioning']);
    expect(failed.context.failureReason).toBe('no free seat (L3)');
    const lateFailure = go(provisioned(), { type: 'directory.failed', reason: 'mail down' });
    expect(lateFailure).toMatchObject({
      status: 'failed',
      context: { failureReason: 'mail down' },
    });
  });

  it('L4: the issued invitation holds the seat until its expiry, which is recorded', () => {
    const inv = invited();

    expect(inv.status).toBe('invited');
    expect(inv.tags).toEqual([TAG.awaitingAcceptance, 'invited'].sort());
    expect(inv.context.invitationExpiresAt).toBe(EXPIRES);
  });

  it('L4: the invitee accepts before expiry: the held seat is confirmed', () => {
    const accepted = go(invited(), accept(NINA, '2026-01-15T08:59:59.999Z'));

    expect(accepted).toMatchObject({ status: 'accepted', done: true, tags: ['accepted'] });
    expect(accepted.effects).toEqual(['confirmSeat']);
    expect(go(invited(), accept({ ...NINA, email: 'Nina@Example.org' })).status).toBe('accepted');
  });

  it('L4: only the invitee accepts, and not from the moment the invitation expires', () => {
    expect(go(invited(), accept(ADA))).toMatchObject({ status: 'invited', refused: 'not_invitee' });
    expect(go(invited(), accept(NINA, EXPIRES))).toMatchObject({
      status: 'invited',
      refused: 'invitation_expired',
    });
    expect(go(invited(), accept(NINA, '2026-02-01T00:00:00.000Z')).refused).toBe(
      'invitation_expired',
    );
  });

  it('L4: an invitation nobody accepted expires and releases its seat', () => {
    const expired = go(invited(), { type: 'timer.invitationExpired' });

    expect(expired).toMatchObject({ status: 'expired', done: true });
    expect(expired.effects).toEqual(['releaseSeat']);
    expect(expired.context.endReason).toBe('the invitation was not accepted within its time (L4)');
  });

  it('once provisioning started, cancelling and deciding change nothing', () => {
    for (const from of [provisioned(), invited()]) {
      for (const event of [cancel(ADA), approve(GRACE)]) {
        const after = go(from, event);
        expect(after.status).toBe(from.status);
        expect(after.effects).toEqual([]);
      }
    }
  });
});
