import { CALLBACK } from '../ids.ts';
import { textInput } from './inputs.ts';
import { context, LIMIT, plain } from './kit.ts';
import type { ModalView } from './types.ts';

/** The modal a Global admin fills to deny (callback `deny_request`, private_metadata = id). */
export function denyReasonModal(requestId: string): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK.denyRequest,
    title: plain('Deny request', LIMIT.modalTitle),
    submit: plain('Deny', LIMIT.modalTitle),
    close: plain('Back', LIMIT.modalTitle),
    private_metadata: requestId,
    blocks: [
      context(`Request *${requestId}*. The requester will read your reason.`),
      textInput('reason', 'Reason', { multiline: true, maxLength: 500 }),
    ],
  };
}
