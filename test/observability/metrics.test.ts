import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION, CALLBACK } from '../../flows/ids.ts';
import {
  approve,
  click,
  command,
  FakeSlack,
  onboardingValues,
  post,
  startDesk,
  submit,
  U,
} from '../slack/support.ts';
import { useTestDatabase } from '../support/db.ts';

/**
 * /metrics scraped after a story told over signed HTTP (real Bolt, real mongod): the counters and
 * gauges say what the story did. One SKU with one seat, so the second approval waits for it.
 */
const db = useTestDatabase('observability/metrics');
const slack = new FakeSlack({ U0KATE1: 'katherine1@example.org' });
let desk: Awaited<ReturnType<typeof startDesk>>;
const HOUR = 3_600_000;

beforeAll(async () => {
  slack.install();
  desk = await startDesk(db.connection, { seats: 1 });
});
afterAll(async () => {
  await desk?.stop();
  FakeSlack.uninstall();
});

/** The value of the sample `name{labels}` in the Prometheus text (labels in any order). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => {
    const [series] = l.split(' ');
    if (!series || (series !== name && !series.startsWith(`${name}{`))) return false;
    const inner = series
      .slice(name.length + 1, -1)
      .split(',')
      .filter(Boolean);
    return wanted.length === inner.length && wanted.every((w) => inner.includes(w));
  });
  if (!line) throw new Error(`no sample ${name} ${JSON.stringify(labels)}`);
  return Number(line.split(' ').at(-1));
}

async function scrape(): Promise<string> {
  const res = await fetch(`${desk.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

async function newRequest(n: number): Promise<string> {
  expect(
    (await post(desk, submit(U.ada, CALLBACK.onboardingRequest, onboardingValues(n)))).status,
  ).toBe(200);
  const dm = await slack.waitFor('chat.postMessage', `Johnson${n} was sent`);
  await desk.system.background.idle();
  return /REQ-[A-Z0-9]+/.exec(JSON.stringify(dm.body))![0];
}

describe('GET /metrics after a story', () => {
  let a = '';

  it('counts requests, refusals and acks, and reads the seats, the queue and the deadlines', async () => {
    a = await newRequest(1);
    // Alan is no Global admin: refused. A forged call: refused at the edge.
    expect((await post(desk, approve(U.alan, a))).status).toBe(200);
    expect(
      (await post(desk, command(U.alan, 'help'), { signature: `v0=${'0'.repeat(64)}` })).status,
    ).toBe(401);
    expect((await post(desk, approve(U.grace, a))).status).toBe(200);
    await desk.system.background.idle();
    const b = await newRequest(2);
    expect((await post(desk, approve(U.grace, b))).status).toBe(200);
    await desk.system.background.idle();
    await newRequest(3);
    // A day and an hour later, nobody swept: the undecided request's reminder is due.
    desk.clock.advance(25 * HOUR);
    expect((await desk.system.store.get(a)).status).toBe('invited');
    expect((await desk.system.store.get(b)).status).toBe('approved.waitingForSeat');

    const text = await scrape();
    expect(sample(text, 'accessdesk_requests_submitted_total', { kind: 'onboarding' })).toBe(3);
    expect(sample(text, 'accessdesk_refusals_total', { reason: 'invalid_signature' })).toBe(1);
    expect(sample(text, 'accessdesk_refusals_total', { reason: 'not_global_admin' })).toBe(1);
    // Two modals and three clicks reached Bolt and were acked; the forged call never did.
    expect(sample(text, 'accessdesk_ack_seconds_count', { type: 'view_submission' })).toBe(3);
    expect(sample(text, 'accessdesk_ack_seconds_count', { type: 'block_actions' })).toBe(3);
    expect(
      sample(text, 'accessdesk_decision_to_provisioned_seconds_count', { kind: 'onboarding' }),
    ).toBe(1);
    expect(sample(text, 'accessdesk_seats', { sku: 'D365_SALES', state: 'used' })).toBe(1);
    expect(sample(text, 'accessdesk_seats', { sku: 'D365_SALES', state: 'held' })).toBe(1);
    expect(sample(text, 'accessdesk_seats', { sku: 'D365_SALES', state: 'free' })).toBe(0);
    expect(sample(text, 'accessdesk_requests_waiting_for_seat', { sku: 'D365_SALES' })).toBe(1);
    expect(sample(text, 'accessdesk_deadlines_due')).toBe(1);
    expect(sample(text, 'accessdesk_outbox_depth')).toBe(0);
    expect(sample(text, 'accessdesk_slack_api_retries_total')).toBe(0);
    expect(sample(text, 'accessdesk_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(text).not.toMatch(/accessdesk_requests_ended_total\{/);
  });

  it('an accepted invitation ends the request and assigns its seat', async () => {
    // Slack refuses the card's update: counted, and the effect waits in the outbox for a retry.
    slack.failNext.set('chat.update', 'message_not_found');
    expect((await post(desk, click('U0KATE1', ACTION.acceptInvitation, a, 'D0KATE1'))).status).toBe(
      200,
    );
    await desk.system.background.idle();
    const text = await scrape();
    expect(
      sample(text, 'accessdesk_requests_ended_total', { kind: 'onboarding', state: 'accepted' }),
    ).toBe(1);
    expect(sample(text, 'accessdesk_seats', { sku: 'D365_SALES', state: 'used' })).toBe(1);
    expect(sample(text, 'accessdesk_seats', { sku: 'D365_SALES', state: 'held' })).toBe(0);
    expect(sample(text, 'accessdesk_ack_seconds_count', { type: 'block_actions' })).toBe(4);
    expect(sample(text, 'accessdesk_slack_api_errors_total', { kind: 'notifier' })).toBe(1);
    expect(sample(text, 'accessdesk_outbox_depth')).toBe(1);
    for (const effect of ['notifyApprovers', 'notifyRequester']) {
      expect(
        sample(text, 'accessdesk_effect_seconds_count', { effect, outcome: 'done' }),
      ).toBeGreaterThan(0);
    }
  });
});
