import type { GrantNotice } from '../../src/lifecycle/ports.ts';
import { ACTION } from '../ids.ts';
import { escapeMrkdwn, LIMIT, plain, section } from './kit.ts';
import type { Block, Message } from './types.ts';

/** What the notice is about: the request and what it grants, in words. */
export interface GrantNoticeSubject {
  requestId: string;
  /** What is granted, e.g. "Global admin" or "Salesperson in sales-prod". */
  what: string;
  /** Whose access it is. */
  personName: string;
}

/** "in 1 h", "in 45 min": how long until `endsAt` from `now`. */
export function timeLeftWords(endsAt: Date, now: Date): string {
  const minutes = Math.max(0, Math.round((endsAt.getTime() - now.getTime()) / 60_000));
  if (minutes >= 2 * 24 * 60) return `${Math.round(minutes / (24 * 60))} d`;
  if (minutes >= 120) return `${Math.round(minutes / 60)} h`;
  return `${minutes} min`;
}

/** The Extend button (value = the grant's request id). */
export function extendButton(requestId: string): Block {
  return {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: ACTION.extendGrant,
        text: plain('Extend', LIMIT.buttonText),
        style: 'primary',
        value: requestId,
      },
    ],
  };
}

/**
 * A time-bound grant's DM: its end comes (with Extend), it ended (with S6's warning if any), or
 * its revocation is held (A2, to the Global admins). Built from the notice only.
 */
export function grantNoticeMessage(
  subject: GrantNoticeSubject,
  notice: GrantNotice,
  now: Date,
): Message {
  const who = `${subject.personName}'s ${subject.what}`;
  if (notice.kind === 'ending') {
    const left = timeLeftWords(notice.endsAt, now);
    const text = `${who} ends in ${left}, at ${notice.endsAt.toISOString()} (${subject.requestId}). Extend asks a Global admin for the same time again.`;
    return { text, blocks: [section(escapeMrkdwn(text)), extendButton(subject.requestId)] };
  }
  if (notice.kind === 'ended') {
    const text = `${who} has ended (${subject.requestId}); what only this grant gave is taken back.${notice.warnings.map((w) => ` ${w}`).join('')}`;
    return { text, blocks: [section(escapeMrkdwn(text))] };
  }
  const text = `${who} has ended (${subject.requestId}) but is kept for now: ${notice.reason} Make someone else Global admin; it is tried again within the hour.`;
  return { text, blocks: [section(escapeMrkdwn(text))] };
}
