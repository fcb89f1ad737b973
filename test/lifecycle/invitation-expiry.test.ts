import { describe, expect, it } from 'vitest';
import type { RequestDoc } from '../../src/lifecycle/request.model.ts';
import { submitOnboarding } from '../../src/lifecycle/submit.ts';
import { useTestDatabase } from '../support/db.ts';
import { buildSystem, DEADLINES, newHire, resetDatabase } from './support.ts';

const db = useTestDatabase('lifecycle/invitation-expiry');

const GRACE = 'grace@contoso.example';
const ADA = 'ada@contoso.example';
const LEASE_MS = 60_000;

/** The request as stored when each invitation went out; the first delivery "crashes". */
async function crashOnFirstDelivery(prepareRetry?: (id: string) => Promise<void>) {
  await resetDatabase(db.connection);
  const built = await buildSystem(db.connection, { seats: 3 });
  const { system, clock, notifier, rebuild } = built;
  const storedAtDelivery: RequestDoc[] = [];
  const deliver = notifier.deliverInvitation.bind(notifier);
  notifier.deliverInvitation = async (request, delivery) => {
    storedAtDelivery.push(await system.store.get(request._id));
    await deliver(request, delivery);
    if (storedAtDelivery.length === 1) throw new Error('simulated crash after deliverInvitation');
  };
  const request = await submitOnboarding(system.lifecycle, ADA, newHire('expiry'));
  await system.lifecycle.act(request._id, GRACE, { type: 'approver.approved' });
  await system.background.idle();
  await prepareRetry?.(request._id);
  const restarted = rebuild();
  clock.advance(LEASE_MS + 1000);
  await restarted.scheduler.sweep();
  await restarted.background.idle();
  const sent = notifier.invitations.filter((i) => i.requestId === request._id);
  return { ...built, request, storedAtDelivery, sent, done: await system.store.get(request._id) };
}

describe("an invitation's 14 days (L4)", () => {
  it('L4: run from when issuing it was queued: nothing is saved before it goes out, and a retry keeps them', async () => {
    const { storedAtDelivery, sent, done } = await crashOnFirstDelivery();

    const [first] = storedAtDelivery;
    expect(first!.invitation?.expiresAt).toBeUndefined();
    const item = first!.outbox.find((i) => i.effect === 'issueInvitation');
    expect(item?.queuedAt).toBeInstanceOf(Date);
    const end = new Date(item!.queuedAt!.getTime() + DEADLINES.invitationTtl);
    expect(sent.map((s) => s.delivery.expiresAt)).toEqual([end, end]);
    expect(done.status).toBe('invited');
    expect(done.invitation?.expiresAt).toEqual(end);
  });

  it('L4: an item queued before items kept that time saves the end first, and the retry keeps it', async () => {
    const { storedAtDelivery, sent, done } = await crashOnFirstDelivery(async (id) => {
      // As a request stored by the code before: its pending item does not say when it was queued.
      await db.connection
        .db!.collection('requests')
        .updateOne({ _id: id as never }, { $unset: { 'outbox.$[].queuedAt': '' } });
    });

    const retried = storedAtDelivery[1]!;
    expect(retried.outbox.find((i) => i.effect === 'issueInvitation')?.queuedAt).toBeUndefined();
    expect(retried.invitation?.expiresAt).toEqual(sent[1]!.delivery.expiresAt);
    expect(done.invitation?.expiresAt).toEqual(sent[1]!.delivery.expiresAt);
    expect(done.status).toBe('invited');
  });
});
