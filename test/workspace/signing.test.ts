import { isValidSlackRequest, verifySlackRequest } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLocalWorkspace,
  type LocalWorkspace,
  signSlackRequest,
} from '../../src/workspace/index.ts';
import { callMethod } from '../../src/workspace/web-api.ts';
import { captureServer, payloadOf, verifies } from './capture.ts';
import { APPROVALS, BOT_USER_ID, people, requestModal, SIGNING_SECRET } from './test-bot.ts';

describe('signSlackRequest', () => {
  it('produces headers Bolt verifies, and only with the same secret', () => {
    const body = 'command=%2Faccess&text=request';
    const now = Date.now();
    const headers = signSlackRequest(SIGNING_SECRET, body, now / 1000);
    const options = {
      body,
      nowMilliseconds: now,
      headers: {
        'x-slack-signature': headers['x-slack-signature'],
        'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
      },
    };
    expect(() => verifySlackRequest({ ...options, signingSecret: SIGNING_SECRET })).not.toThrow();
    expect(isValidSlackRequest({ ...options, signingSecret: 'another-secret' })).toBe(false);
    expect(
      isValidSlackRequest({ ...options, body: `${body}x`, signingSecret: SIGNING_SECRET }),
    ).toBe(false);
  });
});

describe('payloads the workspace posts to the bot', () => {
  let bot: Awaited<ReturnType<typeof captureServer>>;
  let workspace: LocalWorkspace;
  let ackBody = '';

  beforeAll(async () => {
    bot = await captureServer(() => ackBody);
    workspace = createLocalWorkspace({
      signingSecret: SIGNING_SECRET,
      botToken: 'xoxb-x',
      eventsUrl: bot.url,
      publicUrl: 'http://localhost:3000',
      people,
      channels: [{ id: APPROVALS, name: '#access-approvals' }],
      botUserId: BOT_USER_ID,
      teamId: 'T0LOCAL',
    });
  });
  afterAll(() => new Promise<void>((r) => bot.server.close(() => r())));

  it('signs a slash command and sends every field Slack sends', async () => {
    await workspace.as('U0EMPLOYEE').command(APPROVALS, '/access request now');
    const sent = bot.seen.at(-1)!;
    expect(verifies(sent)).toBe(true);
    expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = Object.fromEntries(new URLSearchParams(sent.body));
    expect(form).toMatchObject({
      command: '/access',
      text: 'request now',
      user_id: 'U0EMPLOYEE',
      user_name: 'erin',
      team_id: 'T0LOCAL',
      channel_id: APPROVALS,
      channel_name: 'access-approvals',
    });
    expect(form.trigger_id).toMatch(/^\d+\.\d+\.[0-9a-f]{32}$/);
    expect(form.response_url).toMatch(/^http:\/\/localhost:3000\/workspace\/response\/[0-9a-f]+$/);
  });

  it('signs block_actions from a message with the message, channel and response_url', async () => {
    const posted = callMethod(
      'chat.postMessage',
      {
        channel: APPROVALS,
        text: 'card',
        blocks: JSON.stringify([
          {
            type: 'actions',
            block_id: 'decision',
            elements: [
              {
                type: 'button',
                action_id: 'approve',
                value: 'req-9',
                text: { type: 'plain_text', text: 'Approve' },
              },
            ],
          },
        ]),
      },
      workspace.store,
      workspace.identity,
    );
    await workspace.as('U0GADMIN').action({
      source: { kind: 'message', channel: APPROVALS, ts: String(posted.ts) },
      blockId: 'decision',
      actionId: 'approve',
    });
    const sent = bot.seen.at(-1)!;
    expect(verifies(sent)).toBe(true);
    const payload = payloadOf(sent);
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0GADMIN', name: 'gita' },
      team: { id: 'T0LOCAL' },
      container: { type: 'message', message_ts: posted.ts, channel_id: APPROVALS },
      channel: { id: APPROVALS, name: 'access-approvals' },
      message: { ts: posted.ts, text: 'card', bot_id: 'B0LOCALBOT' },
      actions: [{ action_id: 'approve', block_id: 'decision', value: 'req-9', type: 'button' }],
    });
    expect(typeof payload.trigger_id).toBe('string');
    expect(typeof payload.response_url).toBe('string');
  });

  it('signs view_submission with state values, callback_id and private_metadata', async () => {
    await workspace.as('U0EMPLOYEE').command(APPROVALS, '/access request');
    const trigger = new URLSearchParams(bot.seen.at(-1)!.body).get('trigger_id')!;
    const opened = callMethod(
      'views.open',
      { trigger_id: trigger, view: JSON.stringify(requestModal('test')) },
      workspace.store,
      workspace.identity,
    );
    const viewId = (opened.view as { id: string }).id;
    ackBody = JSON.stringify({ response_action: 'errors', errors: { bu: 'Pick one' } });
    await workspace.as('U0EMPLOYEE').submit(viewId, { reason: { reason_input: 'because' } });
    ackBody = '';
    const sent = bot.seen.at(-1)!;
    expect(verifies(sent)).toBe(true);
    const view = payloadOf(sent).view as Record<string, unknown> & { state: { values: object } };
    expect(view).toMatchObject({
      id: viewId,
      type: 'modal',
      callback_id: 'access_request',
      private_metadata: JSON.stringify({ origin: 'test' }),
    });
    // Untouched inputs report their initial value, or null, as Slack does.
    expect(view.state.values).toMatchObject({
      env: { env_select: { type: 'static_select', selected_option: { value: 'test' } } },
      bu: { bu_select: { type: 'static_select', selected_option: null } },
      roles: { roles_select: { type: 'multi_static_select', selected_options: [] } },
      manager: { manager_select: { type: 'users_select', selected_user: null } },
      reason: { reason_input: { type: 'plain_text_input', value: 'because' } },
    });
    expect(workspace.stateFor('U0EMPLOYEE').modal?.errors).toEqual({ bu: 'Pick one' });
  });

  it('signs app_home_opened as an Events API envelope in JSON', async () => {
    await workspace.as('U0MANAGER').openHome();
    const sent = bot.seen.at(-1)!;
    expect(verifies(sent)).toBe(true);
    expect(sent.headers['content-type']).toBe('application/json');
    const envelope = JSON.parse(sent.body);
    expect(envelope).toMatchObject({
      type: 'event_callback',
      team_id: 'T0LOCAL',
      api_app_id: 'A0LOCALAPP',
      event: { type: 'app_home_opened', user: 'U0MANAGER', channel: 'D0MANAGER', tab: 'home' },
    });
    expect(envelope.event_id).toMatch(/^Ev/);
  });
});
