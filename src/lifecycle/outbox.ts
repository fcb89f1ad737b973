import { randomBytes } from 'node:crypto';
import type { NamedAction } from './machine-registry.ts';
import type { OutboxItem } from './request.model.ts';

/** The action that refuses an attempt: audited and answered, never queued. */
export const REFUSE = 'refuseAttempt';

/**
 * Effects named by a transition, plus the requester's notice when the status changed, queued
 * by a save made at `now`; leased until `leaseUntil` to the process making the save (it runs
 * them next: one attempt each).
 */
export function outboxItems(
  actions: NamedAction[],
  version: number,
  statusChanged: boolean,
  now: Date,
  leaseUntil: Date,
): OutboxItem[] {
  const names = actions
    .filter((a) => !a.type.startsWith('xstate.') && a.type !== REFUSE)
    .map((a) => ({
      effect: a.type,
      params: (a.params ?? undefined) as Record<string, unknown> | undefined,
    }));
  // The requester's notice first: the effect after it usually ends by sending the next event,
  // whose save then completes both (one write fewer than settling the notice on its own).
  if (statusChanged) names.unshift({ effect: 'notifyRequester', params: undefined });
  return names.map(({ effect, params }, index) => ({
    key: `${effect}:v${version}:${index}`,
    effect,
    ...(params ? { params } : {}),
    status: 'pending',
    attempts: 1,
    leaseUntil,
    queuedAt: now,
  }));
}

const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** `REQ-` and eight characters that cannot be confused with each other. */
export function newRequestId(): string {
  const bytes = randomBytes(8);
  return `REQ-${[...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('')}`;
}
