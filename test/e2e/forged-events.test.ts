import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Accessdesk } from '../../src/server.ts';
import { useTestDatabase } from '../support/db.ts';
import { startDesk } from './support.ts';

/** While the local workspace runs, /slack/events still checks Slack's request signature. */
const db = useTestDatabase('e2e/forged-events');

function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

describe('forged requests to /slack/events', () => {
  let desk: Accessdesk;
  const body = new URLSearchParams({
    command: '/access',
    text: 'seats set D365_SALES 999',
    user_id: 'U0GRACE',
    team_id: 'T0LOCAL',
    channel_id: 'C0APPROVALS',
    trigger_id: 'forged.trigger',
    response_url: 'http://127.0.0.1:9/forged',
  }).toString();
  const post = (headers: Record<string, string>) =>
    fetch(`${desk.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });

  beforeAll(async () => {
    desk = await startDesk(db, 'tenant.yaml');
  });
  afterAll(async () => {
    await desk?.stop();
  });

  it('serves the workspace page', async () => {
    const page = await fetch(`${desk.url}/`);
    expect(page.status).toBe(200);
  });

  it('refuses a request with a bad signature (401)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await post({
      'x-slack-request-timestamp': String(now),
      'x-slack-signature': `v0=${'0'.repeat(64)}`,
    });
    expect(res.status).toBe(401);
  });

  it('refuses a request signed with the wrong secret (401)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await post({
      'x-slack-request-timestamp': String(now),
      'x-slack-signature': sign(`not-${desk.signingSecret}`, now, body),
    });
    expect(res.status).toBe(401);
  });

  it('refuses an unsigned request (401)', async () => {
    expect((await post({})).status).toBe(401);
  });

  it('changed nothing, while the same command from the workspace (signed) goes through', async () => {
    expect((await desk.tenant.seatSummary('D365_SALES'))?.seats).toBe(25);
    const sent = await desk
      .workspace!.as('U0GRACE')
      .command('C0APPROVALS', '/access seats set D365_SALES 30');
    expect(sent).toEqual({ ok: true });
    await desk.system.background.idle();
    await expect.poll(async () => (await desk.tenant.seatSummary('D365_SALES'))?.seats).toBe(30);
  });
});
