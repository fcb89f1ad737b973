import { setTimeout as delay } from 'node:timers/promises';
import type { webApi } from '@slack/bolt';

type WebClient = webApi.WebClient;

import type { TenantLookup } from './deps.ts';

/** Who clicked: the tenant's person (by slackId, else by their Slack profile email). */
export interface Viewer {
  slackId: string;
  email: string;
  name: string;
  known: boolean;
}

/**
 * Maps a Slack user to a tenant person: `slackId` in the tenant file first, then the email of
 * their Slack profile. Someone unknown still gets a viewer (email from Slack) with `known: false`.
 */
export async function resolveViewer(
  tenant: TenantLookup,
  client: WebClient,
  slackId: string,
): Promise<Viewer | undefined> {
  const person = await tenant.personBySlackId(slackId);
  if (person)
    return {
      slackId,
      email: person._id,
      name: `${person.firstName} ${person.lastName}`,
      known: true,
    };
  // Often called before an ack: give Slack 1.5 s at most, so the ack still makes its 3 s.
  const info = await Promise.race([
    client.users.info({ user: slackId }).catch(() => undefined),
    delay(1500, undefined, { ref: false }),
  ]);
  const email = info?.user?.profile?.email?.toLowerCase();
  if (!email) return undefined;
  const byEmail = await tenant.personByEmail(email);
  const name = byEmail
    ? `${byEmail.firstName} ${byEmail.lastName}`
    : (info?.user?.real_name ?? email);
  return { slackId, email, name, known: !!byEmail };
}

/** What an unknown user is told. */
export function unknownUserText(slackId: string): string {
  return (
    `accessdesk does not know you yet. Ask a Global admin to add you to the tenant file ` +
    `(\`people:\` with your work email and \`slackId: ${slackId}\`), then try again.`
  );
}

/** A private reply to `slackId` (a DM from the bot). */
export type Tell = (text: string) => Promise<unknown>;

/**
 * After an ack: who acted, with a private reply to them. Someone accessdesk does not know is
 * told so privately, and nothing more happens (undefined).
 */
export async function knownViewer(
  tenant: TenantLookup,
  client: WebClient,
  slackId: string,
): Promise<{ viewer: Viewer; tell: Tell } | undefined> {
  const tell: Tell = (text) => client.chat.postMessage({ channel: slackId, text });
  const viewer = await resolveViewer(tenant, client, slackId);
  if (viewer?.known) return { viewer, tell };
  await tell(unknownUserText(slackId));
  return undefined;
}
