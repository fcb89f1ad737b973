import type { App } from '@slack/bolt';
import { offboardingModal } from '../blocks/offboarding-modal.ts';
import { askOffboarding } from '../command/index.ts';
import type { FlowDeps } from '../deps.ts';
import { knownViewer } from '../identity.ts';
import { CALLBACK } from '../ids.ts';
import { readFields } from '../request/parse.ts';
import { takeTurn } from '../turns.ts';

type Values = Record<string, Record<string, never>>;

/**
 * "Offboard this person", a message shortcut: opens the offboarding modal with the message's
 * author as the leaver; its submission asks exactly what `/access offboard` asks.
 */
export function register(app: App, deps: FlowDeps): void {
  app.shortcut(
    { callback_id: CALLBACK.offboardShortcut, type: 'message_action' },
    async ({ ack, shortcut, client }) => {
      await ack();
      const author = 'message' in shortcut ? shortcut.message.user : undefined;
      await client.views.open({ trigger_id: shortcut.trigger_id, view: offboardingModal(author) });
    },
  );

  app.view(CALLBACK.offboardRequest, async ({ ack, body, view, client, context }) => {
    const fields = readFields(view.state.values as Values);
    if (typeof fields.leaver !== 'string') {
      await ack({ response_action: 'errors', errors: { leaver: 'Choose the leaver.' } });
      return;
    }
    await ack();
    await takeTurn(context);
    const known = await knownViewer(deps.tenant, client, body.user.id);
    if (!known) return;
    const { viewer, tell } = known;
    const date = typeof fields.effective_date === 'string' ? fields.effective_date : undefined;
    await tell((await askOffboarding(deps, client, viewer, fields.leaver, date)).text);
  });
}
