import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION, CALLBACK } from '../../flows/ids.ts';
import { useTestDatabase } from '../support/db.ts';
import {
  approve,
  eventually,
  FakeSlack,
  onboardingValues,
  post,
  type SlackCall,
  startDesk,
  submit,
  U,
} from './support.ts';

/**
 * What the requester hears (issue 10, defects 2 and 3): a seat only when there is a real wait,
 * and, for a new hire who is not in Slack, a message addressed to them with the link and the
 * sign-in details to pass on, and no Accept button they could not use.
 */
const db = useTestDatabase('slack/requester-notices');
// Nobody here maps to a Slack user: the new hires are not in Slack.
const slack = new FakeSlack();
let desk: Awaited<ReturnType<typeof startDesk>>;

beforeAll(async () => {
  slack.install();
  desk = await startDesk(db.connection, { seats: 1 });
});
afterAll(async () => {
  await desk?.stop();
  FakeSlack.uninstall();
});

const toAda = (since: number) =>
  slack.calls
    .slice(since)
    .filter((c) => c.method === 'chat.postMessage' && c.body.channel === U.ada);
const text = (c: SlackCall) => JSON.stringify(c.body);

/** Ada asks for new hire `n`, Grace approves; returns the request id once it settles at `status`. */
async function requestAndApprove(n: number, status: string): Promise<string> {
  expect(
    (await post(desk, submit(U.ada, CALLBACK.onboardingRequest, onboardingValues(n)))).status,
  ).toBe(200);
  const dm = await slack.waitFor('chat.postMessage', `Johnson${n} was sent`);
  const id = /REQ-[A-Z0-9]+/.exec(text(dm))![0];
  await desk.system.background.idle();
  expect((await post(desk, approve(U.grace, id))).status).toBe(200);
  await eventually(async () => {
    const doc = await desk.system.store.get(id);
    expect(doc.status).toBe(status);
    expect(doc.outbox.filter((i) => i.status === 'pending')).toEqual([]);
  });
  await desk.system.background.idle();
  return id;
}

describe('the requester hears', () => {
  let since = 0;
  it('L3: about a seat only when none is free (an approval with a free seat says nothing of it)', async () => {
    since = slack.mark();
    await requestAndApprove(1, 'invited');
    const notices = toAda(since);
    expect(notices.length).toBeGreaterThan(0);
    for (const n of notices) expect(text(n)).not.toContain('no free seat');
  });

  it('T2: for a new hire not in Slack, the link and sign-in details addressed to them, no Accept button', async () => {
    const notices = toAda(since);
    const invitation = notices.find((c) => text(c).includes('/invitations/'));
    expect(invitation, 'the one-time link reached the requester').toBeDefined();
    expect(text(invitation!)).toContain('Katherine Johnson1');
    expect(text(invitation!)).toContain('pass on');
    expect(text(invitation!)).not.toContain('You are invited');
    expect(text(invitation!)).not.toContain(ACTION.acceptInvitation);
    const credentials = notices.find((c) => text(c).includes('Temporary password'));
    expect(text(credentials!)).toContain('Sign-in details for Katherine Johnson1');
  });

  it('L3: that there is no free seat when the SKU is full', async () => {
    since = slack.mark();
    await requestAndApprove(2, 'approved.waitingForSeat');
    expect(toAda(since).some((c) => text(c).includes('There is no free seat'))).toBe(true);
  });
});
