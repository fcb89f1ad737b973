import { context, escapeMrkdwn, section } from './kit.ts';
import type { Message } from './types.ts';

/** The sign-in details, available once at creation (T1, T2). */
export interface CredentialsView {
  upn: string;
  temporaryPassword: string;
  /** False when an admin set a permanent password (T1); true by default. */
  mustChangeAtFirstSignIn?: boolean;
  /** Set when the details go to the requester to pass on: whose they are. */
  forName?: string;
}

/**
 * The sign-in details for one person, privately (ephemeral or DM), once (T2). The password is
 * only in the blocks: the `text` fallback shows in notifications and previews, so it says where
 * to look instead of carrying the password.
 */
export function credentialsMessage(credentials: CredentialsView): Message {
  const { upn, temporaryPassword, mustChangeAtFirstSignIn = true, forName } = credentials;
  const they = forName ? `${escapeMrkdwn(forName)} must` : 'You must';
  const change = mustChangeAtFirstSignIn
    ? `${they} change this password at ${forName ? 'the' : 'your'} first sign-in.`
    : 'This password is permanent; keep it safe.';
  const heading = forName
    ? `:key: *Sign-in details for ${escapeMrkdwn(forName)}* (pass them on privately)`
    : ':key: *Sign-in details*';
  const label = mustChangeAtFirstSignIn ? 'Temporary password' : 'Password';
  return {
    text: `Sign-in details for ${upn} are in this message (shown once; open Slack to read them).`,
    blocks: [
      section(
        `${heading}\nUser name: \`${escapeMrkdwn(upn)}\`\n${label}: \`${escapeMrkdwn(temporaryPassword)}\``,
      ),
      section(change),
      context('Shown once: accessdesk does not keep them and cannot show them again.'),
    ],
  };
}
