import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK, FIELD } from '../../flows/ids.ts';
import { useTestDatabase } from '../support/db.ts';
import { FakeSlack, onboardingValues, post, startDesk, submit, U } from './support.ts';

const db = useTestDatabase('slack/request-ack');
/** Slack's users.info answers only after this long (it can take 1.5 s and more). */
const SLOW_SLACK_MS = 2_500;
/** Someone in Slack whose profile email is not in the tenant file. */
const STRANGER = 'U0STRANGER';
const slack = new FakeSlack({ [STRANGER]: 'stranger@elsewhere.example' });
let desk: Awaited<ReturnType<typeof startDesk>>;

beforeAll(async () => {
  // Registered before FakeSlack's own interceptor, so users.info is the slow one.
  nock('https://slack.com')
    .persist()
    .post('/api/users.info')
    .delay(SLOW_SLACK_MS)
    .reply(200, {
      ok: true,
      user: {
        id: STRANGER,
        real_name: 'Stranger',
        profile: { email: 'stranger@elsewhere.example' },
      },
    });
  slack.install();
  desk = await startDesk(db.connection);
});
afterAll(async () => {
  await desk?.stop();
  FakeSlack.uninstall();
});

const textOf = (call: { body: Record<string, unknown> }) => JSON.stringify(call.body);

describe('request modals are acked before Slack or the database is asked anything', () => {
  it('an unknown user submits the onboarding modal: acked at once, told privately after', async () => {
    const res = await post(desk, submit(STRANGER, CALLBACK.onboardingRequest, onboardingValues(1)));

    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(1_000);
    const told = await slack.waitFor('chat.postMessage', 'does not know you', 0);
    expect(told.body.channel).toBe(STRANGER);
    await desk.system.background.idle();
    expect(await desk.system.store.requests.countDocuments()).toBe(0);
  });

  it('a manager who is not in the tenant file: acked at once, the requester is told, nothing is written', async () => {
    const since = slack.mark();
    const values = onboardingValues(2, {
      [FIELD.manager]: { type: 'users_select', selected_user: STRANGER },
    });
    const res = await post(desk, submit(U.ada, CALLBACK.onboardingRequest, values));

    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(1_000);
    const told = await slack.waitFor('chat.postMessage', 'not in the tenant file', since);
    expect(told.body.channel).toBe(U.ada);
    expect(textOf(told)).toContain('not sent');
    await desk.system.background.idle();
    expect(await desk.system.store.requests.countDocuments()).toBe(0);
  });

  it('a role change for someone without an account: acked at once, told privately', async () => {
    const since = slack.mark();
    const values = {
      [FIELD.changeKind]: {
        [FIELD.changeKind]: { type: 'static_select', selected_option: { value: 'disable' } },
      },
      [FIELD.subjectEmail]: {
        [FIELD.subjectEmail]: { type: 'plain_text_input', value: 'nobody@contoso.example' },
      },
      [FIELD.justification]: {
        [FIELD.justification]: { type: 'plain_text_input', value: 'left the company' },
      },
    };
    const res = await post(desk, submit(U.ada, CALLBACK.roleChangeRequest, values));

    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(1_000);
    const told = await slack.waitFor('chat.postMessage', 'has no account yet', since);
    expect(told.body.channel).toBe(U.ada);
    expect(textOf(told)).toContain('nobody@contoso.example');
  });

  it('a role change about a Slack user accessdesk cannot find: acked at once, told privately', async () => {
    const since = slack.mark();
    const values = {
      [FIELD.changeKind]: {
        [FIELD.changeKind]: { type: 'static_select', selected_option: { value: 'disable' } },
      },
      [FIELD.subjectUser]: {
        [FIELD.subjectUser]: { type: 'users_select', selected_user: 'U0GHOST' },
      },
      [FIELD.justification]: {
        [FIELD.justification]: { type: 'plain_text_input', value: 'left the company' },
      },
    };
    const res = await post(desk, submit(U.ada, CALLBACK.roleChangeRequest, values));

    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(1_000);
    const told = await slack.waitFor('chat.postMessage', 'U0GHOST', since);
    expect(textOf(told)).toContain('not sent: <@U0GHOST> is not in the tenant file.');
    expect(textOf(told)).not.toContain('has no account');
  });
});
