import { CALLBACK } from '../ids.ts';
import { input } from './inputs.ts';
import { context, LIMIT, plain, truncate } from './kit.ts';
import type { ModalView } from './types.ts';

/**
 * The offboarding modal the "Offboard this person" message shortcut opens (callback
 * `offboard_request`): the leaver (the message's author, changeable) and the effective date
 * (none: now). A Global admin decides, as for `/access offboard`.
 */
export function offboardingModal(leaverSlackId: string | undefined): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK.offboardRequest,
    title: plain('Offboard someone', LIMIT.modalTitle),
    submit: plain('Send request', LIMIT.modalTitle),
    close: plain('Cancel', LIMIT.modalTitle),
    private_metadata: truncate('', LIMIT.privateMetadata),
    blocks: [
      context(
        'Closes their access on the effective date: sign-in, security groups, admin roles, licenses, open requests and time-bound grants. The account stays. A Global admin decides; their manager is told.',
      ),
      input('leaver', 'Leaver', {
        type: 'users_select',
        ...(leaverSlackId ? { initial_user: leaverSlackId } : {}),
      }),
      input(
        'effective_date',
        'Effective date (none: now)',
        { type: 'datepicker' },
        { optional: true },
      ),
    ],
  };
}
