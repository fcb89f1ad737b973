import type { Deadlines } from '../config.ts';
import type { Deadline } from './request.model.ts';

/** The decision deadlines a new request gets: reminder, escalation, expiry. */
export function decisionDeadlines(createdAt: Date, config: Deadlines): Deadline[] {
  const at = (ms: number) => new Date(createdAt.getTime() + ms);
  return [
    { kind: 'reminder', at: at(config.reminderAfter), event: 'timer.reminderDue', fired: false },
    {
      kind: 'escalation',
      at: at(config.escalateAfter),
      event: 'timer.escalationDue',
      fired: false,
    },
    {
      kind: 'requestExpiry',
      at: at(config.requestTtl),
      event: 'timer.requestExpired',
      fired: false,
    },
  ];
}

/**
 * An approved offboarding's effective date (stored once approved): the scheduler sends
 * `timer.effectiveDateReached` when it has come.
 */
export function effectiveDateDeadline(at: Date): Deadline {
  return { kind: 'effectiveDate', at, event: 'timer.effectiveDateReached', fired: false };
}

/**
 * Deadlines after a transition: decision deadlines go once the request is no longer
 * `undecided` (a tag of its state); an issued invitation adds its expiry (L4); a finished
 * request keeps none.
 */
export function planDeadlines(
  current: Deadline[],
  undecided: boolean,
  done: boolean,
  invitationExpiresAt: string | undefined,
): Deadline[] {
  if (done) return [];
  let next = undecided ? current : current.filter((d) => d.kind === 'invitationExpiry');
  if (invitationExpiresAt && !next.some((d) => d.kind === 'invitationExpiry')) {
    next = [
      ...next,
      {
        kind: 'invitationExpiry',
        at: new Date(invitationExpiresAt),
        event: 'timer.invitationExpired',
        fired: false,
      },
    ];
  }
  return next;
}

/** The earliest deadline not yet fired, or null: what the scheduler's index looks at. */
export function nextDeadline(deadlines: Deadline[]): Date | null {
  const pending = deadlines.filter((d) => !d.fired).map((d) => new Date(d.at).getTime());
  return pending.length ? new Date(Math.min(...pending)) : null;
}
