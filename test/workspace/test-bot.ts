import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, webApi } from '@slack/bolt';
import { createLocalWorkspace, type LocalWorkspace } from '../../src/workspace/index.ts';

export const SIGNING_SECRET = 'local-test-signing-secret';
export const BOT_TOKEN = 'xoxb-local-test';
export const BOT_USER_ID = 'U0ACCESSBOT';
export const APPROVALS = 'C0APPROVALS';

export const people = [
  { slackId: 'U0EMPLOYEE', name: 'Erin Employee', email: 'erin@contoso.test', title: 'Analyst' },
  { slackId: 'U0GADMIN', name: 'Gita Admin', email: 'gita@contoso.test', title: 'Global admin' },
  { slackId: 'U0MANAGER', name: 'Mo Manager', email: 'mo@contoso.test', title: 'Manager' },
];

const businessUnits: Record<string, string[]> = {
  prod: ['Sales', 'Service'],
  test: ['Sandbox BU'],
};

const option = (value: string, text = value) => ({
  text: { type: 'plain_text' as const, text },
  value,
});

/** The request modal; `env` picks which business units the second select offers. */
export function requestModal(env: string | null) {
  return {
    type: 'modal' as const,
    callback_id: 'access_request',
    private_metadata: JSON.stringify({ origin: 'test' }),
    title: { type: 'plain_text' as const, text: 'Request access' },
    submit: { type: 'plain_text' as const, text: 'Submit' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: 'env',
        dispatch_action: true,
        label: { type: 'plain_text', text: 'Environment' },
        element: {
          type: 'static_select',
          action_id: 'env_select',
          options: [option('prod', 'Production'), option('test', 'Test')],
          ...(env ? { initial_option: option(env, env === 'prod' ? 'Production' : 'Test') } : {}),
        },
      },
      {
        type: 'input',
        block_id: 'bu',
        label: { type: 'plain_text', text: 'Business unit' },
        element: {
          type: 'static_select',
          action_id: 'bu_select',
          options: (businessUnits[env ?? ''] ?? ['(pick an environment first)']).map((b) =>
            option(b),
          ),
        },
      },
      {
        type: 'input',
        block_id: 'roles',
        optional: true,
        label: { type: 'plain_text', text: 'Roles' },
        element: {
          type: 'multi_static_select',
          action_id: 'roles_select',
          options: [option('sales-rep', 'Sales rep'), option('viewer', 'Viewer')],
        },
      },
      {
        type: 'input',
        block_id: 'manager',
        label: { type: 'plain_text', text: 'Manager' },
        element: { type: 'users_select', action_id: 'manager_select' },
      },
      {
        type: 'input',
        block_id: 'reason',
        label: { type: 'plain_text', text: 'Why do you need access?' },
        element: { type: 'plain_text_input', action_id: 'reason_input', multiline: true },
      },
    ],
  };
}

/** The bot's Web API client against a workspace at `base`, without retries. */
export function webClient(base: string, token = BOT_TOKEN) {
  return new webApi.WebClient(token, { slackApiUrl: `${base}/api/`, retryConfig: { retries: 0 } });
}

/** What the test bot saw, so tests can assert on payloads the workspace produced. */
export interface Seen {
  submissions: Array<Record<string, unknown>>;
  actions: Array<Record<string, unknown>>;
}

/** A small Bolt app (the real HTTPReceiver, signature checks on) with the workspace mounted. */
export async function startTestBot(): Promise<{
  app: App;
  server: Server;
  base: string;
  workspace: LocalWorkspace;
  seen: Seen;
  stop: () => Promise<void>;
}> {
  const workspace = createLocalWorkspace({
    signingSecret: SIGNING_SECRET,
    botToken: BOT_TOKEN,
    eventsUrl: 'http://127.0.0.1:0/slack/events',
    publicUrl: 'http://127.0.0.1:0',
    people,
    channels: [{ id: APPROVALS, name: '#access-approvals' }],
    botUserId: BOT_USER_ID,
    teamId: 'T0LOCAL',
  });
  const seen: Seen = { submissions: [], actions: [] };
  // Bolt keeps this object and copies it for each listener's client, so the URL can be set
  // once the server has a port.
  const clientOptions = { slackApiUrl: 'http://127.0.0.1:1/api/', retryConfig: { retries: 0 } };
  const app = new App({
    token: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    botId: 'B0LOCALBOT',
    botUserId: BOT_USER_ID,
    tokenVerificationEnabled: false,
    logLevel: LogLevel.ERROR,
    customRoutes: workspace.routes,
    clientOptions,
  });
  registerListeners(app, seen);
  const server = (await app.start(0)) as Server;
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  workspace.setUrls({ eventsUrl: `${base}/slack/events`, publicUrl: base });
  clientOptions.slackApiUrl = `${base}/api/`;
  return {
    app,
    server,
    base,
    workspace,
    seen,
    stop: async () => {
      workspace.close();
      await app.stop();
    },
  };
}

function registerListeners(app: App, seen: Seen): void {
  app.command('/access', async ({ ack, command, client }) => {
    if (command.text.trim() === 'help') {
      await ack({ text: 'Usage: `/access request`' });
      return;
    }
    await ack();
    await client.views.open({ trigger_id: command.trigger_id, view: requestModal(null) });
  });

  app.action('env_select', async ({ ack, body, client }) => {
    await ack();
    seen.actions.push(body as unknown as Record<string, unknown>);
    if (body.type !== 'block_actions' || !body.view) return;
    const env = body.view.state.values.env?.env_select?.selected_option?.value ?? null;
    await client.views.update({
      view_id: body.view.id,
      hash: body.view.hash,
      view: requestModal(env),
    });
  });

  app.view('access_request', async ({ ack, view, body, client }) => {
    seen.submissions.push(body as unknown as Record<string, unknown>);
    const v = view.state.values;
    const reason = v.reason?.reason_input?.value ?? '';
    if (reason.length < 5) {
      await ack({ response_action: 'errors', errors: { reason: 'Tell us a bit more (5+ chars)' } });
      return;
    }
    await ack();
    const env = v.env?.env_select?.selected_option?.text.text ?? '?';
    const bu = v.bu?.bu_select?.selected_option?.value ?? '?';
    const manager = v.manager?.manager_select?.selected_user ?? '';
    await client.chat.postMessage({
      channel: APPROVALS,
      text: `Access request from <@${body.user.id}>`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Access request' } },
        {
          type: 'section',
          block_id: 'summary',
          text: { type: 'mrkdwn', text: `*<@${body.user.id}>* asks for _${env}_ access` },
          fields: [
            { type: 'mrkdwn', text: `*Business unit*\n${bu}` },
            { type: 'mrkdwn', text: `*Manager*\n<@${manager}>` },
          ],
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: `Reason: \`${reason}\`` }] },
        { type: 'divider' },
        {
          type: 'actions',
          block_id: 'decision',
          elements: [
            {
              type: 'button',
              action_id: 'approve',
              style: 'primary',
              value: 'req-1',
              text: { type: 'plain_text', text: 'Approve' },
            },
            {
              type: 'button',
              action_id: 'reject',
              style: 'danger',
              value: 'req-1',
              text: { type: 'plain_text', text: 'Reject' },
            },
          ],
        },
      ],
    });
    await client.chat.postMessage({
      channel: body.user.id,
      text: 'Your request was sent to #access-approvals.',
    });
  });

  app.action('approve', async ({ ack, body, client, respond }) => {
    await ack();
    seen.actions.push(body as unknown as Record<string, unknown>);
    if (body.type !== 'block_actions' || !body.channel || !body.message) return;
    await client.chat.update({
      channel: body.channel.id,
      ts: body.message.ts,
      text: 'Access request approved',
      blocks: [
        {
          type: 'section',
          text: { type: 'mrkdwn', text: `:white_check_mark: Approved by <@${body.user.id}>` },
        },
      ],
    });
    await respond({ response_type: 'ephemeral', text: 'You approved req-1.' });
  });

  app.event('app_home_opened', async ({ event, client }) => {
    await client.views.publish({
      user_id: event.user,
      view: {
        type: 'home',
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: 'Your access' } },
          {
            type: 'section',
            text: { type: 'mrkdwn', text: `Hello <@${event.user}>, you have *1* open request.` },
            accessory: {
              type: 'button',
              action_id: 'home_refresh',
              text: { type: 'plain_text', text: 'Refresh' },
            },
          },
        ],
      },
    });
  });

  app.action('home_refresh', async ({ ack, body }) => {
    await ack();
    seen.actions.push(body as unknown as Record<string, unknown>);
  });
}
