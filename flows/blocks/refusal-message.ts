import type { RefusalReason } from '../../machines/events.ts';
import { when, whenPlain, who, whoPlain } from './kit.ts';
import type { StatusWord } from './status.ts';
import type { Message, PersonRef } from './types.ts';

/** Why an attempt was refused: the machine's reasons, or a decision that came first. */
export type Refusal =
  | { reason: RefusalReason }
  | { reason: 'already_decided'; by?: PersonRef; at?: string; word: StatusWord };

const SENTENCES: Record<RefusalReason, string> = {
  not_global_admin: 'Only a Global admin can approve or deny access requests.',
  own_request: 'You cannot decide a request you made or one that is about you.',
  same_approver_twice:
    'You already approved this request; a second, different Global admin must approve it too.',
  not_requester: 'Only the person who made this request can cancel it.',
  not_invitee: 'This invitation is for someone else; only the invited person can accept it.',
  invitation_expired:
    'This invitation has expired and its seat was given back. Ask the person who requested your access for a new one.',
};

/** The ephemeral reply when an attempt changes nothing, in plain human words. */
export function refusalMessage(refusal: Refusal): Message {
  if (refusal.reason !== 'already_decided') {
    const text = SENTENCES[refusal.reason];
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const { word } = refusal;
  if (!refusal.by) {
    const text = `This request is no longer waiting for a decision: it is ${word}.`;
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const at = refusal.at ? ` on ${when(refusal.at)}` : '';
  const atPlain = refusal.at ? ` on ${whenPlain(refusal.at)}` : '';
  const verb = word === 'denied' ? 'denied' : 'approved';
  const now = word === verb ? '' : `; it is now ${word}`;
  const mrkdwn = `This request was already *${verb}* by ${who(refusal.by)}${at}${now}.`;
  return {
    text: `This request was already ${verb} by ${whoPlain(refusal.by)}${atPlain}${now}.`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: mrkdwn } }],
  };
}
