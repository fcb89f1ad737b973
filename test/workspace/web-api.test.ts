import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { createLocalWorkspace } from '../../src/workspace/index.ts';
import { PAGE_MESSAGES, pageState } from '../../src/workspace/page-state.ts';
import { callMethod } from '../../src/workspace/web-api.ts';
import {
  APPROVALS,
  BOT_TOKEN,
  BOT_USER_ID,
  people,
  requestModal,
  SIGNING_SECRET,
  startTestBot,
} from './test-bot.ts';

function offlineWorkspace(clock = new ManualClock()) {
  const workspace = createLocalWorkspace({
    signingSecret: SIGNING_SECRET,
    botToken: BOT_TOKEN,
    eventsUrl: 'http://127.0.0.1:9/slack/events',
    publicUrl: 'http://localhost:3000',
    people,
    channels: [{ id: APPROVALS, name: '#access-approvals' }],
    botUserId: BOT_USER_ID,
    teamId: 'T0LOCAL',
    clock,
  });
  const call = (method: string, args: Record<string, unknown> = {}) =>
    callMethod(method, args, workspace.store, workspace.identity);
  return { workspace, call, clock };
}

describe('Web API emulation (WebClient over HTTP, form-encoded)', () => {
  let bot: Awaited<ReturnType<typeof startTestBot>>;
  let client: InstanceType<typeof webApi.WebClient>;
  beforeAll(async () => {
    bot = await startTestBot();
    client = new webApi.WebClient(BOT_TOKEN, {
      slackApiUrl: `${bot.base}/api/`,
      retryConfig: { retries: 0 },
    });
  });
  afterAll(() => bot.stop());

  it('answers auth.test for the bot', async () => {
    const res = await client.auth.test();
    expect(res).toMatchObject({ ok: true, user_id: BOT_USER_ID, team_id: 'T0LOCAL' });
  });

  it('rejects a wrong token with invalid_auth and a missing one with not_authed', async () => {
    const wrong = new webApi.WebClient('xoxb-wrong', {
      slackApiUrl: `${bot.base}/api/`,
      retryConfig: { retries: 0 },
    });
    await expect(wrong.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    const res = await fetch(`${bot.base}/api/auth.test`, { method: 'POST' });
    expect(await res.json()).toEqual({ ok: false, error: 'not_authed' });
  });

  it('posts to a channel and to a user (their DM), with Slack-like ts, and updates in place', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }];
    const inChannel = await client.chat.postMessage({ channel: APPROVALS, text: 'hi', blocks });
    expect(inChannel).toMatchObject({ ok: true, channel: APPROVALS });
    expect(inChannel.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(inChannel.message?.blocks?.[0]?.block_id).toBeTruthy();

    const dm = await client.chat.postMessage({ channel: 'U0EMPLOYEE', text: 'psst' });
    expect(dm.channel).toBe('D0EMPLOYEE');
    expect(Number(dm.ts)).toBeGreaterThan(Number(inChannel.ts));

    const updated = await client.chat.update({
      channel: APPROVALS,
      ts: inChannel.ts!,
      text: 'bye',
      blocks: [],
    });
    expect(updated).toMatchObject({ ok: true, ts: inChannel.ts, text: 'bye' });
    expect(bot.workspace.store.findMessage(APPROVALS, inChannel.ts!)?.blocks).toEqual([]);
  });

  it('accepts JSON bodies too', async () => {
    const res = await fetch(`${bot.base}/api/chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: APPROVALS, blocks: [{ type: 'divider' }], text: 'json' }),
    });
    expect(await res.json()).toMatchObject({ ok: true, message: { text: 'json' } });
  });

  it('keeps an ephemeral message for its user only', async () => {
    const res = await client.chat.postEphemeral({
      channel: APPROVALS,
      user: 'U0GADMIN',
      text: 'shh',
    });
    expect(res.message_ts).toBeTruthy();
    const forGita = bot.workspace.stateFor('U0GADMIN').messages[APPROVALS] ?? [];
    const forMo = bot.workspace.stateFor('U0MANAGER').messages[APPROVALS] ?? [];
    expect(forGita.some((m) => m.text === 'shh' && m.ephemeral)).toBe(true);
    expect(forMo.some((m) => m.text === 'shh')).toBe(false);
  });

  it('looks people up by id and email, opens DMs and builds permalinks', async () => {
    const info = await client.users.info({ user: 'U0GADMIN' });
    expect(info.user).toMatchObject({
      id: 'U0GADMIN',
      real_name: 'Gita Admin',
      profile: { email: 'gita@contoso.test', title: 'Global admin' },
    });
    const byEmail = await client.users.lookupByEmail({ email: 'MO@contoso.test' });
    expect(byEmail.user?.id).toBe('U0MANAGER');
    await expect(
      client.users.lookupByEmail({ email: 'nobody@contoso.test' }),
    ).rejects.toMatchObject({ data: { error: 'users_not_found' } });
    const open = await client.conversations.open({ users: 'U0MANAGER' });
    expect(open.channel?.id).toBe('D0MANAGER');
    const posted = await client.chat.postMessage({ channel: APPROVALS, text: 'link me' });
    const link = await client.chat.getPermalink({ channel: APPROVALS, message_ts: posted.ts! });
    expect(link.permalink).toBe(
      `${bot.base}/#/archives/${APPROVALS}/p${posted.ts!.replace('.', '')}`,
    );
  });

  it('answers unknown methods with unknown_method', async () => {
    await expect(client.apiCall('files.upload.nope')).rejects.toMatchObject({
      data: { error: 'unknown_method' },
    });
  });
});

describe('Web API emulation (views and triggers)', () => {
  it('opens a modal once per trigger, within 3 seconds, for the person it was issued to', () => {
    const { workspace, call, clock } = offlineWorkspace();
    const trigger = workspace.store.issueTrigger('U0EMPLOYEE');
    const opened = call('views.open', { trigger_id: trigger, view: requestModal(null) });
    expect(opened.ok).toBe(true);
    expect(workspace.stateFor('U0EMPLOYEE').modal?.id).toBe((opened.view as { id: string }).id);
    expect(workspace.stateFor('U0GADMIN').modal).toBeNull();
    expect(call('views.open', { trigger_id: trigger, view: requestModal(null) }).error).toBe(
      'exchanged_trigger_id',
    );
    const late = workspace.store.issueTrigger('U0EMPLOYEE');
    clock.advance(3_001);
    expect(call('views.open', { trigger_id: late, view: requestModal(null) }).error).toBe(
      'expired_trigger_id',
    );
    expect(call('views.open', { trigger_id: 'made-up', view: requestModal(null) }).error).toBe(
      'invalid_trigger_id',
    );
  });

  it('updates by view_id or external_id and refuses a stale hash', () => {
    const { workspace, call } = offlineWorkspace();
    const view = { ...requestModal(null), external_id: 'req-1' };
    const opened = call('views.open', {
      trigger_id: workspace.store.issueTrigger('U0EMPLOYEE'),
      view: JSON.stringify(view),
    });
    const { id, hash } = opened.view as { id: string; hash: string };
    const byId = call('views.update', { view_id: id, hash, view: requestModal('prod') });
    expect(byId.ok).toBe(true);
    expect(call('views.update', { view_id: id, hash, view: requestModal('test') }).error).toBe(
      'hash_conflict',
    );
    const byExternal = call('views.update', { external_id: 'req-1', view: requestModal('test') });
    expect((byExternal.view as { id: string }).id).toBe(id);
    expect(call('views.update', { view_id: 'VNOPE', view: requestModal(null) }).error).toBe(
      'not_found',
    );
  });

  it('pushes onto the open modal and publishes App Home per person', () => {
    const { workspace, call } = offlineWorkspace();
    call('views.open', {
      trigger_id: workspace.store.issueTrigger('U0EMPLOYEE'),
      view: requestModal(null),
    });
    const pushed = call('views.push', {
      trigger_id: workspace.store.issueTrigger('U0EMPLOYEE'),
      view: { type: 'modal', title: { type: 'plain_text', text: 'More' }, blocks: [] },
    });
    expect(pushed.ok).toBe(true);
    expect(workspace.stateFor('U0EMPLOYEE').modal?.depth).toBe(2);

    const home = { type: 'home', blocks: [{ type: 'divider' }] };
    const first = call('views.publish', { user_id: 'U0GADMIN', view: JSON.stringify(home) });
    const again = call('views.publish', { user_id: 'U0GADMIN', view: home });
    expect((again.view as { id: string }).id).toBe((first.view as { id: string }).id);
    expect(workspace.stateFor('U0GADMIN').home?.view.blocks).toHaveLength(1);
    expect(workspace.stateFor('U0MANAGER').home).toBeNull();
    expect(call('views.publish', { user_id: 'U0NOBODY', view: home }).error).toBe('user_not_found');
  });

  it('refuses chat.update on messages it cannot edit and reports missing arguments', () => {
    const { call } = offlineWorkspace();
    expect(call('chat.update', { channel: APPROVALS, ts: '1.000001', text: 'x' }).error).toBe(
      'message_not_found',
    );
    expect(call('chat.postMessage', { channel: 'C0NOPE', text: 'x' }).error).toBe(
      'channel_not_found',
    );
    expect(call('chat.postMessage', { channel: APPROVALS }).error).toBe('no_text');
    expect(call('chat.postMessage', {}).error).toBe('invalid_arguments');
  });
});

describe('the local workspace page', () => {
  it('shows a conversation’s newest messages only, at most PAGE_MESSAGES of them', () => {
    const { workspace, call } = offlineWorkspace();
    for (let i = 0; i < PAGE_MESSAGES + 50; i++) {
      expect(call('chat.postMessage', { channel: APPROVALS, text: `m${i}` }).ok).toBe(true);
    }
    const shown = pageState(workspace.store, workspace.identity, null).messages[APPROVALS]!;
    expect(shown).toHaveLength(PAGE_MESSAGES);
    expect(shown.at(-1)!.text).toBe(`m${PAGE_MESSAGES + 49}`);
    expect(shown[0]!.text).toBe('m50');
  });
});
