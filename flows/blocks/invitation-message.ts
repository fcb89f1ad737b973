import { ACTION } from '../ids.ts';
import { context, escapeMrkdwn, LIMIT, plain, section, when, whenPlain } from './kit.ts';
import type { Block, Message } from './types.ts';

/** What the invitation shows. */
export interface InvitationView {
  requestId: string;
  /** The account's user principal name (T1). */
  upn: string;
  /** ISO 8601 instant, 14 days after issue (L4). */
  expiresAt: string;
  /** The portal, when the directory gives a link (P2). */
  acceptUrl?: string;
}

/**
 * The invitation for a new hire who is not in Slack, sent to the requester to pass on: the
 * one-time link (where the new hire accepts) and a word on the sign-in details; no Accept
 * button, since only the invitee may accept.
 */
export function invitationForRequester(
  invitation: InvitationView & { acceptUrl: string; inviteeName: string },
): Message {
  const { requestId, upn, expiresAt, acceptUrl, inviteeName } = invitation;
  const name = escapeMrkdwn(inviteeName);
  return {
    text: `The account for ${inviteeName} (${upn}) is ready. Pass on the one-time link ${acceptUrl} before ${whenPlain(expiresAt)}.`,
    blocks: [
      section(
        `:envelope: *The account for ${name} is ready:* \`${escapeMrkdwn(upn)}\`.\n${name} is not in Slack, so the invitation comes to you to pass on privately. They accept it at this one-time link before ${when(expiresAt)}:\n<${acceptUrl}>`,
      ),
      context(
        `Request ${requestId}. Their sign-in details follow in a separate message, shown once: hand them over privately too, never in a channel.`,
      ),
    ],
  };
}

/** The invitee's direct message with an Accept button (value = request id). */
export function invitationMessage(invitation: InvitationView): Message {
  const { requestId, upn, expiresAt, acceptUrl } = invitation;
  const buttons: Block = {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: ACTION.acceptInvitation,
        text: plain('Accept', LIMIT.buttonText),
        style: 'primary',
        value: requestId,
      },
      ...(acceptUrl
        ? [
            {
              type: 'button' as const,
              action_id: ACTION.openPortal,
              text: plain('Open the portal', LIMIT.buttonText),
              url: acceptUrl,
            },
          ]
        : []),
    ],
  };
  return {
    text: `You are invited: your account ${upn} is ready. Accept before ${whenPlain(expiresAt)}.`,
    blocks: [
      section(
        `:wave: *You are invited.* Your account \`${upn}\` is ready.\nAccept before ${when(expiresAt)}; after that the invitation expires and its seat is released.`,
      ),
      buttons,
      context(
        `Request ${requestId}. Your sign-in details come in a separate message, shown once. The services open once your roles are set up.`,
      ),
    ],
  };
}
