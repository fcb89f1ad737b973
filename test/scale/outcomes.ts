import type { Connection } from 'mongoose';
import { expect } from 'vitest';
import { CALLBACK } from '../../flows/ids.ts';
import type { RequestDoc } from '../../src/lifecycle/request.model.ts';
import {
  approve,
  eventually,
  type FakeSlack,
  onboardingValues,
  post,
  submit,
  U,
} from '../slack/support.ts';

/** New hires who are in Slack (found by email), so each gets the invitation by DM. */
export function inviteesInSlack(n: number): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`U0NEW${i + 1}`, `katherine${i + 1}@example.org`]),
  );
}

/** Ada asks for `n` new hires through `target`; resolves with the request ids, oldest first. */
export async function submitOnboardings(
  target: { url: string },
  connection: Connection,
  n: number,
): Promise<string[]> {
  for (let i = 1; i <= n; i++) {
    const res = await post(target, submit(U.ada, CALLBACK.onboardingRequest, onboardingValues(i)));
    expect(res.status).toBe(200);
  }
  const ids = await eventually(async () => {
    const found = await requestIds(connection);
    expect(found).toHaveLength(n);
    return found;
  }, 60_000);
  await allReach(connection, ids, 'requested.awaitingApproval', 60_000);
  return ids;
}

/**
 * Grace clicks Approve on each request twice at once (a double click): through a round-robin
 * balancer the two clicks reach two instances, which race on the same request.
 */
export function doubleClickApprovals(target: { url: string }, ids: string[]) {
  return Promise.all(
    ids.flatMap((id) => [post(target, approve(U.grace, id)), post(target, approve(U.grace, id))]),
  );
}

/** Invitation DMs (not the sign-in details) sent to `slackId`. */
export function invitationDms(fake: FakeSlack, slackId: string) {
  return fake
    .of('chat.postMessage')
    .filter((c) => c.body.channel === slackId && String(c.body.text).startsWith('You are invited'));
}

/** The request ids in the database, oldest first (the tests' databases hold only their own). */
export async function requestIds(connection: Connection): Promise<string[]> {
  const docs = await connection
    .collection<{ _id: string }>('requests')
    .find({}, { projection: { _id: 1 }, sort: { createdAt: 1 } })
    .toArray();
  return docs.map((d) => d._id);
}

/** Waits (`timeoutMs`) until every request of `ids` is `status` with nothing left in its outbox. */
export async function allReach(
  connection: Connection,
  ids: string[],
  status: string,
  timeoutMs: number,
): Promise<void> {
  await eventually(async () => {
    const docs = await connection
      .collection<RequestDoc>('requests')
      .find({ _id: { $in: ids } })
      .toArray();
    const behind = docs.filter(
      (d) => d.status !== status || d.outbox.some((i) => i.status === 'pending'),
    );
    if (docs.length !== ids.length || behind.length) {
      throw new Error(
        `${behind.length} of ${ids.length} not ${status} yet: ${behind
          .slice(0, 5)
          .map((d) => `${d._id} ${d.status} (${d.outbox.map((i) => i.effect).join(',')})`)
          .join('; ')}`,
      );
    }
  }, timeoutMs);
}

/**
 * Every request of `ids` (onboardings) happened once: one approval in its history,
 * each state entered once, one account for the person, one seat holder under the request, one
 * audit line of the approval; and the SKU's counters grew by exactly one seat per request.
 * Resolves with the new hires' emails, in the order of `ids`.
 */
export async function expectEachOnce(
  connection: Connection,
  ids: string[],
  seatsBefore: number,
  { auditLines = 'one' }: { auditLines?: 'one' | 'at most one' } = {},
): Promise<string[]> {
  const emails: string[] = [];
  const requests = connection.collection<RequestDoc>('requests');
  for (const id of ids) {
    const doc = (await requests.findOne({ _id: id }))!;
    emails.push(doc.subjectEmail);
    const approvals = doc.history.filter((h) => h.event === 'approver.approved');
    expect(approvals, `${id} approvals`).toHaveLength(1);
    const entered = doc.history.map((h) => h.to);
    expect(new Set(entered).size, `${id} entered a state twice: ${entered}`).toBe(entered.length);
    expect(
      await connection.collection('accounts').countDocuments({ personEmail: doc.subjectEmail }),
      `accounts of ${doc.subjectEmail}`,
    ).toBe(1);
    expect(await connection.collection('seat_holders').countDocuments({ key: id })).toBe(1);
    const audited = await connection
      .collection('audit')
      .countDocuments({ requestId: id, action: 'approver.approved', to: { $type: 'string' } });
    // A kill -9 between the saved approval and its audit line loses the line (README).
    if (auditLines === 'one') expect(audited, `${id} approval audit lines`).toBe(1);
    else expect(audited, `${id} approval audit lines`).toBeLessThanOrEqual(1);
  }
  expect(await seatsInUse(connection)).toBe(seatsBefore + ids.length);
  return emails;
}

/** Seats held or assigned, over every SKU, from the counters. */
export async function seatsInUse(connection: Connection): Promise<number> {
  const skus = await connection
    .collection<{ held: number; assigned: number }>('skus')
    .find({})
    .toArray();
  return skus.reduce((sum, s) => sum + s.held + s.assigned, 0);
}
