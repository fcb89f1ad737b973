import type { App } from '@slack/bolt';
import { describeError } from '../../src/errors.ts';
import { submitExtension } from '../../src/lifecycle/submit.ts';
import type { FlowDeps } from '../deps.ts';
import { knownViewer } from '../identity.ts';
import { ACTION } from '../ids.ts';
import { takeTurn } from '../turns.ts';

/**
 * Extend (a time-bound grant's warning, App Home): asks for the same grant again, a new request
 * a Global admin decides. Only the person or the grant's requester may ask; for anyone else the
 * grant does not exist.
 */
export function register(app: App, deps: FlowDeps): void {
  app.action(ACTION.extendGrant, async ({ ack, body, action, client, context }) => {
    await ack();
    await takeTurn(context);
    const known = await knownViewer(deps.tenant, client, body.user.id);
    if (!known) return;
    const { viewer, tell } = known;
    const grantId = 'value' in action ? String(action.value) : '';
    const original = await deps.requests.find(grantId);
    if (!original) return void (await tell(`Not found: ${grantId}.`));
    try {
      const extension = await submitExtension(deps.lifecycle, viewer.email, original);
      await tell(
        `Your extension ${extension._id} of ${original._id} was sent to the Global admins. I will message you at every change.`,
      );
    } catch (error) {
      await tell(describeError(error));
    }
  });
}
