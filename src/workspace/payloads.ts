import { randomBytes } from 'node:crypto';
import type { Person } from './store.ts';
import type { WorkspaceIdentity } from './web-api.ts';

/** The `user` object of interaction payloads. */
export function payloadUser(p: Person, id: WorkspaceIdentity): Record<string, string> {
  return {
    id: p.slackId,
    username: p.email.split('@')[0] ?? p.slackId,
    name: p.email.split('@')[0] ?? p.slackId,
    team_id: id.teamId,
  };
}

/** The `team` object of interaction payloads. */
export function payloadTeam(id: WorkspaceIdentity): Record<string, string> {
  return { id: id.teamId, domain: teamDomain(id) };
}

function teamDomain(id: WorkspaceIdentity): string {
  return id.teamName.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

/** Form body of a slash command, field for field as Slack sends it. */
export function slashCommandBody(input: {
  id: WorkspaceIdentity;
  person: Person;
  channel: { id: string; name: string };
  command: string;
  text: string;
  triggerId: string;
  responseUrl: string;
}): string {
  const { id, person, channel } = input;
  return new URLSearchParams({
    token: 'local-workspace',
    team_id: id.teamId,
    team_domain: teamDomain(id),
    channel_id: channel.id,
    channel_name: channel.name,
    user_id: person.slackId,
    user_name: payloadUser(person, id).username!,
    command: input.command,
    text: input.text,
    api_app_id: id.appId,
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: input.triggerId,
  }).toString();
}

/** Form body of an interaction: `payload=<json>`. */
export function interactionBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** Common fields of every interaction payload. */
export function interactionBase(
  type: string,
  person: Person,
  id: WorkspaceIdentity,
): Record<string, unknown> {
  return {
    type,
    user: payloadUser(person, id),
    api_app_id: id.appId,
    token: 'local-workspace',
    team: payloadTeam(id),
    enterprise: null,
    is_enterprise_install: false,
  };
}

/** An Events API envelope around `event`. */
export function eventEnvelope(
  event: Record<string, unknown>,
  id: WorkspaceIdentity,
  nowSeconds: number,
): Record<string, unknown> {
  return {
    token: 'local-workspace',
    team_id: id.teamId,
    context_team_id: id.teamId,
    api_app_id: id.appId,
    event,
    type: 'event_callback',
    event_id: `Ev${randomBytes(6).toString('hex').toUpperCase()}`,
    event_time: Math.floor(nowSeconds),
    authorizations: [
      {
        enterprise_id: null,
        team_id: id.teamId,
        user_id: id.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
  };
}
