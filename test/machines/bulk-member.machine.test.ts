import { describe, expect, it } from 'vitest';
import { TAG } from '../../machines/tags.ts';
import { ADA, accept, approve, cancel, NINA, type Step, send, start } from './support.ts';

const go = (from: Step, event: Record<string, unknown>) => send('bulk_member', from, event);
const EXPIRES = '2026-01-15T09:00:00.000Z';
const report = (state: string) => ({ type: 'reportToBatch', params: { state } });

/** Nina, a person of Ada's approved batch, not yet admitted. */
const admitted = () => start('bulk_member');
/** … admitted with no seat held for her: queued for one. */
const waiting = () => go(admitted(), { type: 'batch.admitted' });
/** … with a seat: being provisioned. */
const provisioning = () => go(waiting(), { type: 'seat.granted' });
/** … provisioned; the invitation is being issued. */
const provisioned = () =>
  go(provisioning(), {
    type: 'directory.provisioned',
    accountId: 'acc_7',
    upn: 'nina@contoso.example',
  });
/** … invited until EXPIRES. */
const invited = () => go(provisioned(), { type: 'invitation.issued', expiresAt: EXPIRES });

describe('a person of a bulk onboarding', () => {
  it('starts decided with the batch but undecided for the seat queue, telling the batch nothing yet', () => {
    const person = admitted();

    expect(person).toMatchObject({
      status: 'admitted',
      effects: [],
      tags: [TAG.undecided, 'approved'].sort(),
      done: false,
    });
    expect(person.context).toMatchObject({ subjectEmail: NINA.email, approvals: [] });
    expect(person.snapshot.can(approve())).toBe(false);
    expect(person.snapshot.can(cancel(ADA))).toBe(false);
  });

  it('L3: admitted without a held seat, the person queues for one and the batch counts them waiting', () => {
    const queued = waiting();

    expect(queued).toMatchObject({
      status: 'approved.waitingForSeat',
      tags: [TAG.waitingForSeat, 'waiting for a seat'].sort(),
      actions: [{ type: 'requestSeat' }, report('waiting')],
    });
    expect(go(admitted(), { type: 'batch.admitted', seatHeld: false }).status).toBe(
      'approved.waitingForSeat',
    );
  });

  it('L3/P1: admitted with the seat the batch held for them, the person is provisioned at once', () => {
    const going = go(admitted(), { type: 'batch.admitted', seatHeld: true });

    expect(going).toMatchObject({
      status: 'approved.provisioning',
      tags: ['provisioning'],
      actions: [{ type: 'provisionAccount' }, report('provisioning')],
    });
  });

  it('accessdesk may end the person before admission (the requester left); the batch hears it ended', () => {
    const ended = go(admitted(), { type: 'system.cancelled', reason: 'Ada left the company' });

    expect(ended).toMatchObject({
      status: 'cancelled',
      done: true,
      tags: [TAG.endedWithoutSeat, 'cancelled'].sort(),
      actions: [report('ended')],
    });
    expect(ended.context.endReason).toBe('Ada left the company');
  });

  it('L3: the requester, and only they, may cancel while the person waits for a seat', () => {
    expect(go(waiting(), cancel(NINA))).toMatchObject({
      status: 'approved.waitingForSeat',
      refused: 'not_requester',
      actions: [],
    });
    const cancelled = go(waiting(), cancel(ADA));
    expect(cancelled).toMatchObject({
      status: 'cancelled',
      actions: [{ type: 'releaseSeat' }, report('ended')],
    });
    expect(cancelled.context.endReason).toBe('cancelled by the requester');
  });

  it('P1: with a seat the account is made and recorded, then the invitation goes out (P2)', () => {
    expect(provisioning()).toMatchObject({
      status: 'approved.provisioning',
      actions: [{ type: 'provisionAccount' }, report('provisioning')],
    });

    const made = provisioned();
    expect(made).toMatchObject({
      status: 'provisioned',
      tags: ['provisioned'],
      actions: [{ type: 'issueInvitation' }, report('provisioned')],
    });
    expect(made.context).toMatchObject({ accountId: 'acc_7', upn: 'nina@contoso.example' });
  });

  it('L3: a seat lost between the hold and the assignment puts the person back in the queue', () => {
    const again = go(provisioning(), { type: 'seat.lost' });

    expect(again).toMatchObject({
      status: 'approved.waitingForSeat',
      actions: [{ type: 'requestSeat' }, report('waiting')],
    });
  });

  it('P1: a failed provisioning or invitation ends the person failed, undone, with the reason', () => {
    for (const from of [provisioning(), provisioned()]) {
      const failed = go(from, { type: 'directory.failed', reason: 'mail down' });
      expect(failed, from.status).toMatchObject({
        status: 'failed',
        done: true,
        actions: [{ type: 'undoProvisioning' }, report('ended')],
      });
      expect(failed.context.failureReason).toBe('mail down');
    }
  });

  it('L4: the invitation holds the seat until its recorded expiry; the batch counts the person invited', () => {
    const inv = invited();

    expect(inv).toMatchObject({
      status: 'invited',
      tags: [TAG.awaitingAcceptance, 'invited'].sort(),
      actions: [report('invited')],
    });
    expect(inv.context.invitationExpiresAt).toBe(EXPIRES);
  });

  it('L4: only the invitee accepts, before the expiry; the held seat is confirmed', () => {
    expect(go(invited(), accept(ADA))).toMatchObject({ status: 'invited', refused: 'not_invitee' });
    expect(go(invited(), accept(NINA, EXPIRES))).toMatchObject({
      status: 'invited',
      refused: 'invitation_expired',
    });

    const accepted = go(invited(), accept(NINA, '2026-01-14T09:00:00.000Z'));
    expect(accepted).toMatchObject({
      status: 'accepted',
      tags: ['accepted'],
      done: true,
      actions: [{ type: 'confirmSeat' }, report('accepted')],
    });
  });

  it('L4: an invitation nobody accepted expires, releases its seat, and the batch hears it ended', () => {
    const expired = go(invited(), { type: 'timer.invitationExpired' });

    expect(expired).toMatchObject({
      status: 'expired',
      done: true,
      actions: [{ type: 'releaseSeat' }, report('ended')],
    });
    expect(expired.context.endReason).toBe('the invitation was not accepted within its time (L4)');
  });
});
