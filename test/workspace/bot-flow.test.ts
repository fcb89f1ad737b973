import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../src/workspace/index.ts';
import { APPROVALS, SIGNING_SECRET, startTestBot } from './test-bot.ts';

type Bot = Awaited<ReturnType<typeof startTestBot>>;

/** Waits until `probe` returns something truthy (the bot's Web API calls run after its ack). */
async function eventually<T>(probe: () => T | undefined | null | false, ms = 3000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the real Bolt app driven through the local workspace', () => {
  let bot: Bot;
  beforeAll(async () => {
    bot = await startTestBot();
  });
  afterAll(async () => {
    await bot.stop();
  });

  it('still answers 401 to an unsigned or forged request while the workspace is mounted', async () => {
    const body = 'command=%2Faccess&text=request&user_id=U0EMPLOYEE';
    const unsigned = await fetch(`${bot.base}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const forged = await fetch(`${bot.base}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...signSlackRequest('not-the-secret', body, Date.now() / 1000),
      },
      body,
    });
    const stale = await fetch(`${bot.base}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...signSlackRequest(SIGNING_SECRET, body, Date.now() / 1000 - 600),
      },
      body,
    });
    expect([unsigned.status, forged.status, stale.status]).toEqual([401, 401, 401]);
  });

  it('runs a request from slash command to approval', async () => {
    const erin = bot.workspace.as('U0EMPLOYEE');
    expect(await erin.command(APPROVALS, '/access request')).toEqual({ ok: true });
    const modal = await eventually(() => bot.workspace.stateFor('U0EMPLOYEE').modal);
    expect(modal.view.callback_id).toBe('access_request');
    expect(bot.workspace.stateFor('U0MANAGER').modal).toBeNull();

    // Choosing an environment dispatches block_actions; the bot narrows the business units.
    await erin.action({
      source: { kind: 'view', viewId: modal.id },
      blockId: 'env',
      actionId: 'env_select',
      value: 'prod',
      inputs: { env: { env_select: 'prod' } },
    });
    const narrowed = await eventually(() => {
      const m = bot.workspace.stateFor('U0EMPLOYEE').modal;
      return JSON.stringify(m?.view).includes('Service') && m;
    });
    expect(narrowed.id).toBe(modal.id);

    const inputs = {
      env: { env_select: 'prod' },
      bu: { bu_select: 'Sales' },
      roles: { roles_select: ['sales-rep', 'viewer'] },
      manager: { manager_select: 'U0MANAGER' },
      reason: { reason_input: 'no' },
    };
    await erin.submit(modal.id, inputs);
    expect(bot.workspace.stateFor('U0EMPLOYEE').modal?.errors).toEqual({
      reason: 'Tell us a bit more (5+ chars)',
    });

    await erin.submit(modal.id, { ...inputs, reason: { reason_input: 'Quarterly sales review' } });
    expect(bot.workspace.stateFor('U0EMPLOYEE').modal).toBeNull();
    const submission = bot.seen.submissions.at(-1) as { view: Record<string, unknown> };
    expect(submission.view.private_metadata).toBe(JSON.stringify({ origin: 'test' }));
    expect(submission.view.state).toEqual({
      values: {
        env: {
          env_select: {
            type: 'static_select',
            selected_option: { text: { type: 'plain_text', text: 'Production' }, value: 'prod' },
          },
        },
        bu: {
          bu_select: {
            type: 'static_select',
            selected_option: { text: { type: 'plain_text', text: 'Sales' }, value: 'Sales' },
          },
        },
        roles: {
          roles_select: {
            type: 'multi_static_select',
            selected_options: [
              { text: { type: 'plain_text', text: 'Sales rep' }, value: 'sales-rep' },
              { text: { type: 'plain_text', text: 'Viewer' }, value: 'viewer' },
            ],
          },
        },
        manager: { manager_select: { type: 'users_select', selected_user: 'U0MANAGER' } },
        reason: {
          reason_input: { type: 'plain_text_input', value: 'Quarterly sales review' },
        },
      },
    });

    const card = await eventually(() =>
      bot.workspace.stateFor('U0GADMIN').messages[APPROVALS]?.find((m) => m.blocks.length),
    );
    const dm = await eventually(
      () => bot.workspace.stateFor('U0EMPLOYEE').messages.D0EMPLOYEE?.[0],
    );
    expect(dm.text).toBe('Your request was sent to #access-approvals.');

    const gita = bot.workspace.as('U0GADMIN');
    await gita.action({
      source: { kind: 'message', channel: APPROVALS, ts: card.ts },
      blockId: 'decision',
      actionId: 'approve',
    });
    const approved = await eventually(() => {
      const msgs = bot.workspace.stateFor('U0GADMIN').messages[APPROVALS] ?? [];
      return msgs.find((m) => m.ts === card.ts && m.edited) && msgs;
    });
    expect(approved.find((m) => m.ts === card.ts)?.text).toBe('Access request approved');
    const ephemeral = await eventually(() =>
      bot.workspace.stateFor('U0GADMIN').messages[APPROVALS]?.find((m) => m.ephemeral),
    );
    expect(ephemeral.text).toBe('You approved req-1.');
    expect(bot.workspace.stateFor('U0MANAGER').messages[APPROVALS]?.some((m) => m.ephemeral)).toBe(
      false,
    );
    const click = bot.seen.actions.at(-1) as Record<string, unknown>;
    expect(click).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0GADMIN' },
      container: { type: 'message', channel_id: APPROVALS, message_ts: card.ts },
      channel: { id: APPROVALS, name: 'access-approvals' },
      actions: [{ action_id: 'approve', block_id: 'decision', value: 'req-1', type: 'button' }],
    });
  });

  it('shows a command ack with a body as an ephemeral message', async () => {
    await bot.workspace.as('U0MANAGER').command(APPROVALS, '/access help');
    const mine = bot.workspace.stateFor('U0MANAGER').messages[APPROVALS] ?? [];
    expect(mine.at(-1)).toMatchObject({ ephemeral: true, text: 'Usage: `/access request`' });
  });

  it('publishes App Home for the person who opened it', async () => {
    await bot.workspace.as('U0MANAGER').openHome();
    const home = await eventually(() => bot.workspace.stateFor('U0MANAGER').home);
    expect(JSON.stringify(home.view.blocks)).toContain('Your access');
    expect(bot.workspace.stateFor('U0EMPLOYEE').home).toBeNull();
  });
});
