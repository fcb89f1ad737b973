import type { App } from '@slack/bolt';
import type { SendOutcome } from '../../src/lifecycle/lifecycle.service.ts';
import { decidedAt, requestStatus } from '../../src/lifecycle/status.ts';
import { denyReasonModal } from '../blocks/deny-reason-modal.ts';
import { refusalMessage } from '../blocks/refusal-message.ts';
import type { Message } from '../blocks/types.ts';
import type { FlowDeps } from '../deps.ts';
import { resolveViewer, unknownUserText } from '../identity.ts';
import { ACTION, CALLBACK, FIELD } from '../ids.ts';
import { takeTurn } from '../turns.ts';
import { personRef } from '../views.ts';

type Client = App['client'];

/** Tells `user` privately why nothing changed (ephemeral in the channel, else a DM). */
async function tellPrivately(
  client: Client,
  user: string,
  channel: string | undefined,
  message: Message,
) {
  if (channel?.startsWith('C')) {
    await client.chat.postEphemeral({ channel, user, ...message });
  } else {
    await client.chat.postMessage({ channel: user, ...message });
  }
}

/** Who clicked, as a tenant person; someone the tenant does not know is told so privately. */
async function clickerOrTell(deps: FlowDeps, client: Client, user: string, channel?: string) {
  const viewer = await resolveViewer(deps.tenant, client, user);
  if (!viewer)
    await tellPrivately(client, user, channel, { text: unknownUserText(user), blocks: [] });
  return viewer;
}

/** The private answer to an attempt that changed nothing; undefined when it went through. */
export async function refusalFor(deps: FlowDeps, outcome: SendOutcome | { kind: 'allowed' }) {
  if (outcome.kind === 'refused') return refusalMessage({ reason: outcome.reason });
  if (outcome.kind !== 'ignored') return undefined;
  const ctx = outcome.request.context as { decidedBy?: string };
  const decided = decidedAt(outcome.request);
  return refusalMessage({
    reason: 'already_decided',
    word: requestStatus(outcome.request).word,
    ...(ctx.decidedBy ? { by: await personRef(deps.tenant, ctx.decidedBy) } : {}),
    ...(decided ? { at: decided.toISOString() } : {}),
  });
}

/** Approve, Deny (with a reason), Cancel: buttons that make one lifecycle call each. */
export function register(app: App, deps: FlowDeps): void {
  app.action(ACTION.approveRequest, async ({ ack, body, action, client, context }) => {
    await ack();
    await takeTurn(context);
    const requestId = 'value' in action ? String(action.value) : '';
    const channel = 'channel' in body ? body.channel?.id : undefined;
    const viewer = await clickerOrTell(deps, client, body.user.id, channel);
    if (!viewer) return;
    const outcome = await deps.lifecycle.act(requestId, viewer.email, {
      type: 'approver.approved',
    });
    const refusal = await refusalFor(deps, outcome);
    if (refusal) await tellPrivately(client, body.user.id, channel, refusal);
  });

  app.action(ACTION.denyRequest, async ({ ack, body, action, client }) => {
    await ack();
    const requestId = 'value' in action ? String(action.value) : '';
    const channel = 'channel' in body ? body.channel?.id : undefined;
    const viewer = await clickerOrTell(deps, client, body.user.id, channel);
    if (!viewer) return;
    // Refuse before asking for a reason: the check is audited like any refused attempt.
    const check = await deps.lifecycle.check(requestId, viewer.email, {
      type: 'approver.denied',
      reason: '',
    });
    const refusal = await refusalFor(deps, check);
    if (refusal) return tellPrivately(client, body.user.id, channel, refusal);
    if ('trigger_id' in body) {
      await client.views.open({ trigger_id: body.trigger_id, view: denyReasonModal(requestId) });
    }
  });

  app.view(CALLBACK.denyRequest, async ({ ack, body, view, client, context }) => {
    const reason = view.state.values[FIELD.reason]?.[FIELD.reason]?.value?.trim();
    if (!reason) {
      await ack({
        response_action: 'errors',
        errors: { [FIELD.reason]: 'Say why, so the requester knows.' },
      });
      return;
    }
    await ack();
    await takeTurn(context);
    const viewer = await resolveViewer(deps.tenant, client, body.user.id);
    if (!viewer) return;
    const outcome = await deps.lifecycle.act(view.private_metadata, viewer.email, {
      type: 'approver.denied',
      reason,
    });
    const refusal = await refusalFor(deps, outcome);
    if (refusal) await client.chat.postMessage({ channel: body.user.id, ...refusal });
  });

  app.action(ACTION.cancelRequest, async ({ ack, body, action, client, context }) => {
    await ack();
    await takeTurn(context);
    const requestId = 'value' in action ? String(action.value) : '';
    const viewer = await resolveViewer(deps.tenant, client, body.user.id);
    if (!viewer) return;
    const outcome = await deps.lifecycle.act(requestId, viewer.email, {
      type: 'requester.cancelled',
    });
    const refusal = await refusalFor(deps, outcome);
    if (refusal) await client.chat.postMessage({ channel: body.user.id, ...refusal });
  });
}
