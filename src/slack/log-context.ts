import { randomUUID } from 'node:crypto';
import { currentLogContext, type LogContext, withLogContext } from '../log.ts';

type Body = Record<string, unknown> | undefined;

const field = (value: unknown, key: string): unknown =>
  value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
const text = (...values: unknown[]): string | undefined =>
  values.find((v): v is string => typeof v === 'string' && v.length > 0);
const REQUEST_ID = /^REQ-[A-Z0-9]{8}$/;

/** The Slack ids a payload concerns (who, where, which team) and the access request it names. */
export function idsOf(body: unknown): LogContext {
  const b = body as Body;
  const event = field(b, 'event');
  const action = (field(b, 'actions') as unknown[] | undefined)?.[0];
  const named = text(field(action, 'value'), field(field(b, 'view'), 'private_metadata'));
  return {
    reqId: randomUUID(),
    slackUser: text(field(field(b, 'user'), 'id'), field(b, 'user_id'), field(event, 'user')),
    slackChannel: text(
      field(field(b, 'channel'), 'id'),
      field(b, 'channel_id'),
      field(event, 'channel'),
      field(field(b, 'container'), 'channel_id'),
    ),
    slackTeam: text(field(field(b, 'team'), 'id'), field(b, 'team_id')),
    ...(named && REQUEST_ID.test(named) ? { requestId: named } : {}),
  };
}

/**
 * Runs `next` with the payload's ids on every line it logs, unless the call already has them (the
 * HTTP edge binds them before Bolt, so its error handler's lines carry them too).
 */
export function inContext<T>(body: unknown, next: () => T): T {
  return currentLogContext()?.reqId ? next() : withLogContext(idsOf(body), next);
}
