import { ACTION } from '../ids.ts';
import { context, header, LIMIT, plain, section, who, whoPlain } from './kit.ts';
import {
  approvalsLine,
  outcomeLine,
  outcomePlain,
  requestKindWord,
  requestTitle,
  seatLine,
  seatWords,
  subjectLine,
  summaryBlocks,
} from './request.ts';
import type { Block, Message, RequestView } from './types.ts';

/** Approve (primary) and Deny (danger) buttons; each button's value is the request id. */
export function decisionButtons(request: RequestView): Block {
  return {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: ACTION.approveRequest,
        text: plain('Approve', LIMIT.buttonText),
        style: 'primary',
        value: request.id,
      },
      {
        type: 'button',
        action_id: ACTION.denyRequest,
        text: plain('Deny', LIMIT.buttonText),
        style: 'danger',
        value: request.id,
      },
    ],
  };
}

/** The request as a Global admin weighs it: subject, what is asked, seats, requester. */
export function requestDetails(request: RequestView): Block[] {
  const seats = seatLine(request);
  const approvals = approvalsLine(request);
  return [
    section(subjectLine(request)),
    ...summaryBlocks(request),
    ...(seats ? [section(seats)] : []),
    context(`Requested by ${who(request.requester)} · ${request.id}`),
    ...(approvals ? [context(`:busts_in_silhouette: ${approvals}`)] : []),
  ];
}

/**
 * The card posted to the Global admins. While undecided it carries Approve/Deny; once decided it
 * has no buttons and says who decided, when, and the current status.
 */
export function approvalCard(request: RequestView): Message {
  const open = request.undecided;
  const outcome = outcomeLine(request);
  const blocks: Block[] = [
    header(`${requestKindWord(request)} request ${request.id}`),
    ...requestDetails(request),
    ...(open ? [decisionButtons(request)] : []),
    ...(outcome ? [section(outcome)] : []),
  ];
  const seats = request.sku ? ` ${request.sku.name}: ${seatWords(request.sku)}.` : '';
  const text = `${request.id}: ${requestTitle(request)}, requested by ${whoPlain(request.requester)} — ${outcomePlain(request)}.${seats}`;
  return { text, blocks };
}
