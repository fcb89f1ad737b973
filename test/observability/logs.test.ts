import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION, CALLBACK } from '../../flows/ids.ts';
import { createLogger } from '../../src/log.ts';
import {
  approve,
  click,
  command,
  FakeSlack,
  onboardingValues,
  post,
  SIGNING_SECRET,
  startDesk,
  submit,
  U,
} from '../slack/support.ts';
import { useTestDatabase } from '../support/db.ts';

/**
 * The logs of a full onboarding story, over signed HTTP into the real Bolt app and a real mongod:
 * JSON lines with a level, every one naming the request, none carrying a secret.
 */
const db = useTestDatabase('observability/logs');
const slack = new FakeSlack({ U0KATE1: 'katherine1@example.org' });
let desk: Awaited<ReturnType<typeof startDesk>>;

beforeAll(async () => {
  slack.install();
  desk = await startDesk(db.connection, { seats: 2 });
});
afterAll(async () => {
  await desk?.stop();
  FakeSlack.uninstall();
});

type Line = Record<string, unknown> & { level: string; msg: string };
const lines = () => desk.errors.map((l) => JSON.parse(l) as Line);
const textOf = (call: { body: Record<string, unknown> }) => JSON.stringify(call.body);

describe('structured logs', () => {
  let requestId = '';
  let password = '';

  it('a full onboarding story logs JSON lines, each with a level and its request id', async () => {
    desk.errors.length = 0;
    const submitted = await post(
      desk,
      submit(U.ada, CALLBACK.onboardingRequest, onboardingValues(1)),
    );
    expect(submitted.status).toBe(200);
    const dm = await slack.waitFor('chat.postMessage', 'Johnson1 was sent');
    requestId = /REQ-[A-Z0-9]+/.exec(textOf(dm))![0];
    await desk.system.background.idle();
    expect((await post(desk, approve(U.grace, requestId))).status).toBe(200);
    await slack.waitFor('chat.postMessage', ACTION.acceptInvitation);
    await desk.system.background.idle();
    expect(
      (await post(desk, click('U0KATE1', ACTION.acceptInvitation, requestId, 'D0KATE1'))).status,
    ).toBe(200);
    await desk.system.background.idle();
    expect((await desk.system.store.get(requestId)).status).toBe('accepted');

    const story = lines();
    // The story is told: submitted, approved, invited, accepted, each transition one line.
    expect(story.map((l) => l.msg)).toEqual([
      `${requestId} submitted`,
      `${requestId}: requested.awaitingApproval → approved.waitingForSeat`,
      `${requestId}: approved.waitingForSeat → approved.provisioning`,
      `${requestId}: approved.provisioning → provisioned`,
      `${requestId}: provisioned → invited`,
      `${requestId}: invited → accepted`,
    ]);
    for (const line of story) {
      expect(line.level).toMatch(/^(trace|debug|info|warn|error|fatal)$/);
      expect(line.requestId, line.msg).toBe(requestId);
      expect(typeof line.time).toBe('string');
    }
    // The lines logged while a Slack call was handled name that call and who made it.
    const approval = story.find((l) => l.event === 'approver.approved');
    expect(approval).toMatchObject({ slackUser: U.grace, reqId: expect.any(String) });
  });

  it('T2: no line carries the temporary password, the bot token or the signing secret', async () => {
    const credentials = slack
      .of('chat.postMessage')
      .map(textOf)
      .find((t) => t.includes('Temporary password'));
    password = /Temporary password[^`]*`([^`\\]+)`/.exec(credentials ?? '')?.[1] ?? '';
    expect(password.length).toBeGreaterThanOrEqual(12);
    const all = desk.errors.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(password);
    expect(all).not.toContain('xoxb-test');
    expect(all).not.toContain(SIGNING_SECRET);
  });

  it('a forged request is one warning line that says what was refused', async () => {
    desk.errors.length = 0;
    const res = await post(desk, command(U.alan, 'help'), { signature: `v0=${'0'.repeat(64)}` });
    expect(res.status).toBe(401);
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 'warn',
        refused: 'invalid_signature',
        msg: expect.stringContaining('signature mismatch'),
      }),
    ]);
  });

  it('a failing listener is one error line naming the Slack call and who made it', async () => {
    desk.errors.length = 0;
    slack.failNext.set('views.open', 'expired_trigger_id');
    expect((await post(desk, command(U.ada, 'request'))).status).toBe(200);
    await desk.system.background.idle();
    expect(lines().filter((l) => l.level === 'error')).toEqual([
      expect.objectContaining({
        slackUser: U.ada,
        slackTeam: 'T0TEST',
        reqId: expect.any(String),
        msg: expect.stringContaining('expired_trigger_id'),
      }),
    ]);
  });

  it('secrets are redacted by the logger, whoever passes them', () => {
    const out: string[] = [];
    const logger = createLogger({ sink: (l) => out.push(l) });
    logger.info(
      {
        password: 'hunter2-password',
        account: { temporaryPassword: 'Tmp-Passw0rd!' },
        headers: { authorization: 'Bearer abc.def' },
        config: { signingSecret: 'sig-secret', botToken: 'xoxb-1-2' },
      },
      'sent with xoxb-12345-abcdef and Bearer abc.def in the text',
    );
    const line = JSON.parse(out[0]!);
    expect(line).toMatchObject({
      level: 'info',
      password: '[Redacted]',
      account: { temporaryPassword: '[Redacted]' },
      headers: { authorization: '[Redacted]' },
      config: { signingSecret: '[Redacted]', botToken: '[Redacted]' },
    });
    expect(out[0]).not.toMatch(/hunter2|Tmp-Passw0rd|abc\.def|sig-secret|xoxb-1/);
  });
});
