import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalWorkspace, type LocalWorkspace } from '../../src/workspace/index.ts';
import { applyResponse } from '../../src/workspace/responses.ts';
import { callMethod } from '../../src/workspace/web-api.ts';
import { captureServer, payloadOf } from './capture.ts';
import { APPROVALS, BOT_USER_ID, people, requestModal, SIGNING_SECRET } from './test-bot.ts';

const modal = (title: string) => ({
  type: 'modal',
  callback_id: title,
  notify_on_close: true,
  title: { type: 'plain_text', text: title },
  submit: { type: 'plain_text', text: 'Next' },
  blocks: [],
});

describe('what the workspace does with the bot’s answers', () => {
  let bot: Awaited<ReturnType<typeof captureServer>>;
  let workspace: LocalWorkspace;
  let ackBody = '';
  const call = (method: string, args: Record<string, unknown>) =>
    callMethod(method, args, workspace.store, workspace.identity);
  const modalOf = (user: string) => workspace.stateFor(user).modal;

  beforeAll(async () => {
    bot = await captureServer(() => ackBody);
    workspace = createLocalWorkspace({
      signingSecret: SIGNING_SECRET,
      botToken: 'xoxb-x',
      eventsUrl: bot.url,
      publicUrl: 'http://localhost:3000',
      people,
      channels: [{ id: APPROVALS, name: 'access-approvals' }],
      botUserId: BOT_USER_ID,
      teamId: 'T0LOCAL',
    });
  });
  afterAll(() => new Promise<void>((r) => bot.server.close(() => r())));

  const openFor = (user: string, view: object) =>
    call('views.open', { trigger_id: workspace.store.issueTrigger(user), view });

  it('applies response_action update, push, clear and a plain ack', async () => {
    const erin = workspace.as('U0EMPLOYEE');
    const first = (openFor('U0EMPLOYEE', modal('one')).view as { id: string }).id;

    ackBody = JSON.stringify({ response_action: 'update', view: modal('one, updated') });
    await erin.submit(first, {});
    expect(modalOf('U0EMPLOYEE')).toMatchObject({
      id: first,
      view: { callback_id: 'one, updated' },
    });

    ackBody = JSON.stringify({ response_action: 'push', view: modal('two') });
    await erin.submit(first, {});
    const second = modalOf('U0EMPLOYEE')!;
    expect(second).toMatchObject({ depth: 2, view: { callback_id: 'two' } });

    ackBody = '';
    await erin.submit(second.id, {});
    expect(modalOf('U0EMPLOYEE')).toMatchObject({ id: first, depth: 1 });

    ackBody = JSON.stringify({ response_action: 'push', view: modal('three') });
    await erin.submit(first, {});
    ackBody = JSON.stringify({ response_action: 'clear' });
    await erin.submit(modalOf('U0EMPLOYEE')!.id, {});
    expect(modalOf('U0EMPLOYEE')).toBeNull();
    ackBody = '';
  });

  it('refuses to submit a modal that is not on top of that person’s stack', async () => {
    const id = (openFor('U0EMPLOYEE', modal('mine')).view as { id: string }).id;
    expect(await workspace.as('U0GADMIN').submit(id, {})).toEqual({
      ok: false,
      error: 'view_not_found',
    });
    await workspace.as('U0EMPLOYEE').close(id);
  });

  it('sends view_closed when the modal asked for it', async () => {
    const id = (openFor('U0MANAGER', modal('closing')).view as { id: string }).id;
    await workspace.as('U0MANAGER').close(id);
    expect(modalOf('U0MANAGER')).toBeNull();
    expect(payloadOf(bot.seen.at(-1)!)).toMatchObject({
      type: 'view_closed',
      user: { id: 'U0MANAGER' },
      view: { id, callback_id: 'closing' },
      is_cleared: false,
    });
  });

  it('sends block_actions for a select in a modal, with the view and its current state', async () => {
    const id = (openFor('U0EMPLOYEE', requestModal(null)).view as { id: string }).id;
    await workspace.as('U0EMPLOYEE').action({
      source: { kind: 'view', viewId: id },
      blockId: 'env',
      actionId: 'env_select',
      value: 'test',
      inputs: { env: { env_select: 'test' }, reason: { reason_input: 'draft' } },
    });
    const payload = payloadOf(bot.seen.at(-1)!);
    expect(payload).toMatchObject({
      type: 'block_actions',
      container: { type: 'view', view_id: id },
      view: {
        id,
        callback_id: 'access_request',
        state: {
          values: { reason: { reason_input: { type: 'plain_text_input', value: 'draft' } } },
        },
      },
      actions: [
        {
          type: 'static_select',
          action_id: 'env_select',
          block_id: 'env',
          selected_option: { text: { type: 'plain_text', text: 'Test' }, value: 'test' },
        },
      ],
    });
    expect(payload.response_url).toBeUndefined();
    await workspace.as('U0EMPLOYEE').close(id);
  });

  it('posts through a response_url: ephemeral by default, in_channel, replace and delete', () => {
    const card = call('chat.postMessage', { channel: APPROVALS, text: 'card' });
    const target = { user: 'U0GADMIN', channel: APPROVALS, messageTs: String(card.ts), uses: 0 };
    const messages = (user: string) => workspace.stateFor(user).messages[APPROVALS] ?? [];

    applyResponse(workspace.store, target, { text: 'only you' }, BOT_USER_ID);
    expect(messages('U0GADMIN').at(-1)).toMatchObject({ text: 'only you', ephemeral: true });
    expect(messages('U0MANAGER').some((m) => m.text === 'only you')).toBe(false);

    applyResponse(
      workspace.store,
      target,
      { text: 'all', response_type: 'in_channel' },
      BOT_USER_ID,
    );
    expect(messages('U0MANAGER').at(-1)).toMatchObject({ text: 'all', ephemeral: false });

    applyResponse(
      workspace.store,
      target,
      { text: 'replaced', replace_original: true },
      BOT_USER_ID,
    );
    expect(messages('U0MANAGER').find((m) => m.ts === card.ts)).toMatchObject({
      text: 'replaced',
      edited: true,
    });

    applyResponse(workspace.store, target, { delete_original: true }, BOT_USER_ID);
    expect(messages('U0MANAGER').some((m) => m.ts === card.ts)).toBe(false);
    expect(applyResponse(workspace.store, target, { text: 'fifth' }, BOT_USER_ID).ok).toBe(true);
    // Slack allows five uses of a response_url.
    expect(applyResponse(workspace.store, target, { text: 'sixth' }, BOT_USER_ID)).toEqual({
      ok: false,
      error: 'used_too_many_times',
    });
  });
});
