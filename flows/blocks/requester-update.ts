import { ACTION } from '../ids.ts';
import { context, escapeMrkdwn, LIMIT, plain, section, who, whoPlain } from './kit.ts';
import { approvalsLine, requestTitle, timelineBlock, usedWords } from './request.ts';
import { type StatusWord, statusBadge } from './status.ts';
import type { Block, Message, RequestView } from './types.ts';

/**
 * What a status means for the requester, in one sentence. `by` is who decided (already
 * formatted); `esc` makes people's text safe for the target format.
 */
function sentence(
  request: RequestView,
  word: StatusWord,
  by: string,
  esc: (text: string) => string,
): string {
  const subject = esc(request.subject.name);
  const sku = request.sku ? ` of ${esc(request.sku.name)} (${usedWords(request.sku)})` : '';
  const denyReason = request.denyReason ? ` Reason: ${esc(request.denyReason)}` : '';
  const endReason = request.endReason ? `: ${esc(request.endReason)}` : '';
  const failureReason = request.failureReason ? `: ${esc(request.failureReason)}` : '';
  switch (word) {
    case 'waiting for approval':
      return 'Your request is waiting for a Global admin.';
    case 'approved':
      return `Approved${by}. It is being carried out.`;
    case 'waiting for a seat':
      return `Approved${by}. There is no free seat${sku} yet; it goes ahead as soon as one is free.`;
    case 'provisioning':
      if (request.kind === 'bulk_onboarding')
        return `Approved${by}. The people of the batch are being onboarded; one message shows the progress.`;
      return `Approved${by}. The account for ${subject} is being created.`;
    case 'provisioned':
      return `The account for ${subject} exists; the invitation is on its way.`;
    case 'invited':
      return `${subject} is invited. The invitation holds a seat until it is accepted or expires.`;
    case 'accepted':
      return `${subject} accepted the invitation. Done.`;
    case 'applied':
      return `Approved${by}. The change is in effect.`;
    case 'scheduled':
      return `Approved${by}. ${subject}'s access closes on the effective date; you can still cancel until then.`;
    case 'closing access':
      return `${subject}'s access is being closed.`;
    case 'offboarded':
      return `${subject}'s access is closed: sign-in blocked, groups left, admin roles and seats released. The account stays.`;
    case 'completed':
      return 'Every person of the batch is invited or has ended; the results file is in your messages.';
    case 'granted':
      return `Approved${by}. ${subject} has it until ${request.endsAt ?? 'its end'}; they are warned before it ends.`;
    case 'ending access':
      return `The time is up: what this grant gave ${subject} is being taken back.`;
    case 'revocation held':
      return `The time is up, but taking it back would leave no Global admin (A2): it is held, and the Global admins are told.`;
    case 'ended':
      return `The grant ended${endReason}. What only it gave ${subject} is taken back.`;
    case 'deleting account':
      return `${subject}'s retention period is over: the account is being deleted.`;
    case 'deleted':
      return `${subject}'s account was deleted after its retention period.`;
    case 'denied':
      return `Denied${by}.${denyReason}`;
    case 'cancelled':
      return `Cancelled${endReason}.`;
    case 'expired':
      return `Expired${endReason}.`;
    case 'failed':
      return `It failed${failureReason}. What was done has been undone.`;
  }
}

/** The requester's Cancel button (value = request id). */
export function cancelButton(requestId: string): Block {
  return {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: ACTION.cancelRequest,
        text: plain('Cancel request', LIMIT.buttonText),
        value: requestId,
        confirm: {
          title: plain('Cancel this request?'),
          text: plain('Nobody will be able to approve it afterwards.'),
          confirm: plain('Cancel it'),
          deny: plain('Keep it'),
        },
      },
    ],
  };
}

/**
 * The direct message to the requester at every change: what happened, in a sentence, with the
 * timeline; while it can still be cancelled, a Cancel button.
 */
export function requesterUpdate(request: RequestView): Message {
  // Every approval passes the seat step; a seat is news only when none is free.
  const seatFree = request.word === 'waiting for a seat' && (request.sku?.free ?? 0) > 0;
  const word = seatFree ? 'approved' : request.word;
  const by = request.decidedBy ? ` by ${whoPlain(request.decidedBy)}` : '';
  const byMention = request.decidedBy ? ` by ${who(request.decidedBy)}` : '';
  const approvals = approvalsLine(request);
  const timeline = timelineBlock(request);
  const title = `*${request.id}* · ${escapeMrkdwn(requestTitle(request))} — ${statusBadge(word)}`;
  const blocks: Block[] = [
    section(`${title}\n${sentence(request, word, byMention, escapeMrkdwn)}`),
    ...(approvals ? [context(approvals)] : []),
    ...(timeline ? [timeline] : []),
    ...(request.cancellable ? [cancelButton(request.id)] : []),
  ];
  const text = `${request.id} (${requestTitle(request)}): ${sentence(request, word, by, (t) => t)}`;
  return { text, blocks };
}
