import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK } from '../../flows/ids.ts';
import { TAG } from '../../machines/tags.ts';
import { requestMachines } from '../../src/lifecycle/machines.ts';
import { useTestDatabase } from '../support/db.ts';
import {
  approve,
  command,
  eventually,
  FakeSlack,
  onboardingValues,
  post,
  SIGNING_SECRET,
  sign,
  slowDirectory,
  startDesk,
  submit,
  U,
} from './support.ts';

const db = useTestDatabase('slack/delivery');
const slack = new FakeSlack();
let desk: Awaited<ReturnType<typeof startDesk>>;
const PROVISIONING_MS = 5000;

beforeAll(async () => {
  slack.install();
  // Provisioning takes 5 s: longer than Slack's 3 s to ack.
  desk = await startDesk(db.connection, {
    seats: 20,
    directory: (d) => slowDirectory(d, PROVISIONING_MS),
  });
});
afterAll(async () => {
  await desk?.stop();
  FakeSlack.uninstall();
});

const system = () => desk.system;
const counts = async () => ({
  requests: await system().store.requests.countDocuments(),
  audit: (await system().audit.exportJsonLines()).split('\n').filter(Boolean).length,
});

async function submitted(n: number): Promise<string> {
  const since = slack.mark();
  const res = await post(desk, submit(U.ada, CALLBACK.onboardingRequest, onboardingValues(n)));
  expect(res.status).toBe(200);
  const dm = await slack.waitFor('chat.postMessage', `Johnson${n} was sent`, since);
  await system().background.idle();
  return /REQ-[A-Z0-9]+/.exec(JSON.stringify(dm.body))![0];
}

async function approvals(id: string) {
  const trail = await system().audit.forRequest(id);
  const doc = await system().store.get(id);
  return {
    audited: trail.filter((e) => e.action === 'approver.approved').length,
    history: doc.history.filter((h) => h.event === 'approver.approved').length,
  };
}

/** Waits until the request left the approval queue and every effect ran. */
async function settled(id: string) {
  await eventually(async () => {
    const doc = await system().store.get(id);
    expect(requestMachines.hasTag(doc.kind, doc.status, TAG.undecided)).toBe(false);
    expect(doc.outbox.filter((i) => i.status === 'pending')).toEqual([]);
  }, 20_000);
  await system().background.idle();
}

describe('requests that are not from Slack', () => {
  it('unsigned, wrongly signed and stale requests get 401 and write nothing', async () => {
    const before = await counts();
    const calls = slack.mark();
    const body = submit(U.ada, CALLBACK.onboardingRequest, onboardingValues(100));
    const now = Math.floor(Date.now() / 1000);
    const stale = now - 6 * 60;

    expect((await post(desk, body, { signature: null })).status).toBe(401);
    expect(
      (await post(desk, body, { signature: sign(body.body, now, 'another-secret') })).status,
    ).toBe(401);
    expect((await post(desk, body, { signature: `${sign(body.body, now)}0` })).status).toBe(401);
    // Signed correctly, but more than five minutes old (a replay).
    expect(
      (
        await post(desk, body, {
          timestamp: stale,
          signature: sign(body.body, stale, SIGNING_SECRET),
        })
      ).status,
    ).toBe(401);
    // The body was changed after signing.
    const tampered = { ...body, body: body.body.replace('Johnson100', 'Johnson101') };
    expect((await post(desk, tampered, { signature: sign(body.body, now) })).status).toBe(401);
    expect(
      (await post(desk, command(U.grace, 'seats set D365_SALES 99'), { signature: null })).status,
    ).toBe(401);

    await new Promise((r) => setTimeout(r, 200));
    await system().background.idle();
    expect(await counts()).toEqual(before);
    expect(slack.calls.slice(calls)).toEqual([]);
    expect(await desk.tenant.seatSummary('D365_SALES')).toMatchObject({ seats: 20 });
  });
});

describe('Slack delivering twice', () => {
  it('a retried Approve (X-Slack-Retry-Num: 1) makes exactly one transition', async () => {
    const id = await submitted(1);
    const click = approve(U.grace, id);
    expect((await post(desk, click)).status).toBe(200);
    const retry = await post(desk, click, {
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect(retry.status).toBe(200);
    await settled(id);
    expect(await approvals(id)).toEqual({ audited: 1, history: 1 });
  });

  it('a double click (two identical Approve payloads at once) makes exactly one transition', async () => {
    const id = await submitted(2);
    const click = approve(U.grace, id);
    const [a, b] = await Promise.all([post(desk, click), post(desk, click)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await settled(id);
    expect(await approvals(id)).toEqual({ audited: 1, history: 1 });
    // The second click is told privately that it was already decided.
    await eventually(async () => {
      const trail = await system().audit.forRequest(id);
      expect(trail.filter((e) => e.action === 'refused:approver.approved')).toHaveLength(1);
    });
  });
});

describe('the 3-second ack', () => {
  it('Approve is acked well under 3 s while a 5 s provisioning runs, which then reaches invited', async () => {
    const id = await submitted(3);
    const started = Date.now();
    const res = await post(desk, approve(U.grace, id));
    const ackMs = Date.now() - started;
    expect(res.status).toBe(200);
    expect(ackMs).toBeLessThan(3000);
    // Still provisioning when the ack came back.
    await eventually(async () =>
      expect((await system().store.get(id)).status).toBe('approved.provisioning'),
    );
    expect(Date.now() - started).toBeLessThan(PROVISIONING_MS);
    await eventually(
      async () => expect((await system().store.get(id)).status).toBe('invited'),
      20_000,
    );
    await settled(id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(PROVISIONING_MS);
  });
});
