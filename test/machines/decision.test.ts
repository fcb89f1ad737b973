import { describe, expect, it } from 'vitest';
import { decisionGuards } from '../../machines/decision.guards.ts';
import { ADA, approve, BILLING, cancel, deny, GRACE, LINUS, NINA, send, start } from './support.ts';

/** The decision part both lifecycles share, checked on each. */
describe.each(['onboarding', 'role_change'] as const)('%s: the decision', (kind) => {
  const go = (from: ReturnType<typeof start>, event: Record<string, unknown>) =>
    send(kind, from, event);

  it('starts waiting for approval and tells the approvers', () => {
    const requested = start(kind);

    expect(requested.status).toBe('requested.awaitingApproval');
    expect(requested.effects).toEqual(['notifyApprovers']);
    expect(requested.context).toMatchObject({ approvals: [], requesterEmail: ADA.email });
  });

  it('A2: only a Global admin decides; anyone else is refused and nothing changes', () => {
    const requested = start(kind);

    for (const event of [approve(BILLING), deny(BILLING), approve(ADA)]) {
      const refused = go(requested, event);
      expect(refused).toMatchObject({ status: requested.status, refused: 'not_global_admin' });
      expect(refused.effects).toEqual([]);
      expect(refused.context).toEqual(requested.context);
    }
  });

  it('A2: nobody decides a request they made or that is about them, in any letter case', () => {
    const byRequester = start(kind, { requesterEmail: GRACE.email });
    const aboutSubject = start(kind, { subjectEmail: GRACE.email });
    const shouting = { ...GRACE, email: 'GRACE@Contoso.Example' };

    expect(go(byRequester, approve()).refused).toBe('own_request');
    expect(go(aboutSubject, approve()).refused).toBe('own_request');
    expect(go(aboutSubject, approve(shouting)).refused).toBe('own_request');
    expect(go(byRequester, deny()).refused).toBe('own_request');
    expect(go(byRequester, approve()).status).toBe('requested.awaitingApproval');
  });

  it('a Global admin approves: the decision and the approver are recorded in lower case', () => {
    const approved = go(start(kind), approve({ ...GRACE, email: 'Grace@Contoso.example' }));

    expect(approved.status).toMatch(/^approved\./);
    expect(approved.refused).toBeUndefined();
    expect(approved.context).toMatchObject({
      decidedBy: GRACE.email,
      approvals: [{ by: GRACE.email }],
    });
  });

  it('A2: granting Global admin takes two different Global admins', () => {
    const first = go(start(kind, { grantsGlobalAdmin: true }), approve(GRACE));
    expect(first.status).toBe('requested.awaitingSecondApproval');
    expect(first.context).toMatchObject({ approvals: [{ by: GRACE.email }] });
    expect(first.context.decidedBy).toBeUndefined();

    const again = go(first, approve(GRACE));
    expect(again).toMatchObject({ status: first.status, refused: 'same_approver_twice' });
    expect(go(first, approve(BILLING)).refused).toBe('not_global_admin');
    expect(
      go(first, approve({ ...LINUS, email: ADA.email, adminRoles: ['Global admin'] })).refused,
    ).toBe('own_request');

    const second = go(first, approve(LINUS));
    expect(second.status).toMatch(/^approved\./);
    expect(second.context).toMatchObject({
      decidedBy: LINUS.email,
      approvals: [{ by: GRACE.email }, { by: LINUS.email }],
    });
  });

  it('a Global admin denies with a reason; the second approval can still be denied', () => {
    const denied = go(start(kind), deny(GRACE, 'no budget'));
    expect(denied.status).toBe('denied');
    expect(denied.context).toMatchObject({ decidedBy: GRACE.email, denyReason: 'no budget' });

    const halfway = go(start(kind, { grantsGlobalAdmin: true }), approve(GRACE));
    expect(go(halfway, deny(LINUS)).status).toBe('denied');
  });

  it('the requester, and only the requester, cancels while it waits for a decision', () => {
    const requested = start(kind);

    expect(go(requested, cancel(NINA))).toMatchObject({
      status: requested.status,
      refused: 'not_requester',
    });
    const cancelled = go(requested, cancel({ ...ADA, email: 'ADA@contoso.example' }));
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.context.endReason).toBe('cancelled by the requester');
  });

  it('reminders and escalations name their effect and stay; no decision in time expires it', () => {
    const requested = start(kind);

    const reminded = go(requested, { type: 'timer.reminderDue' });
    expect(reminded).toMatchObject({ status: requested.status, effects: ['remindApprovers'] });
    const escalated = go(requested, { type: 'timer.escalationDue' });
    expect(escalated).toMatchObject({
      status: requested.status,
      effects: ['escalateToGlobalAdmins'],
    });
    const expired = go(requested, { type: 'timer.requestExpired' });
    expect(expired.status).toBe('expired');
    expect(expired.context.endReason).toBe('no decision arrived in time');
  });

  it('a decided, cancelled or expired request has ended; later events change nothing', () => {
    const ends = [
      go(start(kind), deny(GRACE)),
      go(start(kind), cancel(ADA)),
      go(start(kind), { type: 'timer.requestExpired' }),
    ];
    for (const end of ends) {
      expect(end.done).toBe(true);
      for (const event of [approve(LINUS), cancel(ADA), { type: 'timer.reminderDue' }]) {
        const after = go(end, event);
        expect(after).toMatchObject({ status: end.status, effects: [], done: true });
      }
    }
    expect(start(kind).done).toBe(false);
  });

  it('events of later stages change nothing while it waits for a decision', () => {
    const requested = start(kind);

    for (const type of ['seat.granted', 'directory.failed', 'timer.invitationExpired']) {
      const after = go(requested, { type, reason: 'x' });
      expect(after.status).toBe(requested.status);
      expect(after.effects).toEqual([]);
    }
  });
});

describe('the decision guards', () => {
  const context = {
    requestId: 'REQ-1',
    requesterEmail: ADA.email,
    subjectEmail: NINA.email,
    grantsGlobalAdmin: true,
    approvals: [{ by: LINUS.email }, { by: GRACE.email }],
  };

  it('A2: a Global admin who approved already is known among several approvals, in any case', () => {
    const by = (email: string) => ({
      context,
      event: { type: 'approver.approved' as const, actor: { ...GRACE, email } },
    });

    expect(decisionGuards.hasApprovedAlready(by('GRACE@contoso.example'))).toBe(true);
    expect(decisionGuards.hasApprovedAlready(by(LINUS.email))).toBe(true);
    expect(decisionGuards.hasApprovedAlready(by('ines@contoso.example'))).toBe(false);
  });
});
