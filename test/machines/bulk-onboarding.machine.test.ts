import { describe, expect, it } from 'vitest';
import { TAG } from '../../machines/tags.ts';
import { ADA, approve, cancel, deny, GRACE, NINA, type Step, send, start } from './support.ts';

const go = (from: Step, event: Record<string, unknown>) => send('bulk_onboarding', from, event);
const batch = (input: Record<string, unknown> = {}) =>
  start('bulk_onboarding', { subjectEmail: ADA.email, people: 40, ...input });

/** Ada's batch of 40, approved by Grace: its people are being admitted. */
const admitting = () => go(batch(), approve(GRACE));
/** … every person admitted as a request of their own. */
const running = () => go(admitting(), { type: 'batch.queued' });
/** … every person invited or ended: the results file is being sent. */
const reporting = () => go(running(), { type: 'batch.settled' });

describe('the bulk onboarding lifecycle', () => {
  it('one request for the batch, waiting for one decision, keeps the size of the batch', () => {
    const asked = batch();

    expect(asked).toMatchObject({
      status: 'requested.awaitingApproval',
      effects: ['notifyApprovers'],
      tags: [TAG.undecided, 'waiting for approval'].sort(),
    });
    expect(asked.context).toMatchObject({ people: 40, requesterEmail: ADA.email, approvals: [] });
  });

  it('A2: the requester cannot approve their own batch; someone without the role cannot either', () => {
    const byGrace = batch({ requesterEmail: GRACE.email, subjectEmail: GRACE.email });

    expect(go(byGrace, approve(GRACE)).refused).toBe('own_request');
    expect(go(batch(), approve(NINA)).refused).toBe('not_global_admin');
  });

  it('approved, progress is shown and the people are admitted a chunk per step', () => {
    const approved = admitting();
    expect(approved).toMatchObject({
      status: 'approved.admitting',
      effects: ['startProgress', 'admitPeople'],
      tags: ['provisioning'],
    });

    const next = go(approved, { type: 'batch.progressed' });
    expect(next).toMatchObject({ status: 'approved.admitting', effects: ['admitPeople'] });
    expect(go(next, { type: 'batch.progressed' }).effects).toEqual(['admitPeople']);
  });

  it('every person admitted, the batch waits for them all, then sends the results file', () => {
    const waiting = running();
    expect(waiting).toMatchObject({
      status: 'approved.running',
      effects: [],
      tags: ['provisioning'],
    });
    expect(go(admitting(), { type: 'batch.settled' }).status).toBe('approved.admitting');

    const sending = reporting();
    expect(sending).toMatchObject({
      status: 'reporting',
      effects: ['sendBatchResults'],
      tags: ['provisioning'],
      done: false,
    });

    const done = go(sending, { type: 'batch.reported' });
    expect(done).toMatchObject({ status: 'completed', tags: ['completed'], done: true });
  });

  it('once approved it cannot be cancelled; its people end on their own', () => {
    for (const from of [admitting(), running(), reporting()]) {
      expect(from.snapshot.can(cancel(ADA))).toBe(false);
      expect(go(from, cancel(ADA))).toMatchObject({ status: from.status, effects: [] });
    }
  });

  it('denied, cancelled or expired before anyone was admitted: the staged people are dropped', () => {
    const ends = [
      go(batch(), deny(GRACE, 'hiring freeze')),
      go(batch(), cancel(ADA)),
      go(batch(), { type: 'timer.requestExpired' }),
      go(batch(), { type: 'system.cancelled', reason: 'Ada left the company' }),
    ];

    expect(ends.map((e) => e.status)).toEqual(['denied', 'cancelled', 'expired', 'cancelled']);
    for (const end of ends) {
      expect(end, end.status).toMatchObject({ effects: ['dropStagedPeople'], done: true });
      expect(end.tags).toContain(TAG.endedWithoutSeat);
    }
    expect(ends[0]!.context.denyReason).toBe('hiring freeze');
    expect(ends[3]!.context.endReason).toBe('Ada left the company');
  });
});
