/**
 * Time-bound grants: the durations a request may choose, and the tenant file's caps per role or
 * license. Pure functions: the modal checks them before anything is written.
 */

/** A cap of the tenant file on one role (admin or security role name) or license (SKU id). */
export interface GrantLimit {
  role: string;
  maxMs?: number;
  required: boolean;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The choices of "for how long", in the modal's order; `revoked` and `date` are not durations. */
export const GRANT_DURATIONS = {
  revoked: { label: 'Until revoked', ms: undefined },
  '1h': { label: '1 hour', ms: HOUR },
  '8h': { label: '8 hours', ms: 8 * HOUR },
  '1d': { label: '1 day', ms: DAY },
  '7d': { label: '7 days', ms: 7 * DAY },
  '30d': { label: '30 days', ms: 30 * DAY },
  '90d': { label: '90 days', ms: 90 * DAY },
  date: { label: 'Until a date', ms: undefined },
} as const;

/** One choice of "for how long". */
export type GrantDurationChoice = keyof typeof GRANT_DURATIONS;

/** A duration in the words people read: `8 h`, `30 d`, `90 min`. */
export function durationWords(ms: number): string {
  if (ms % DAY === 0) return `${ms / DAY} d`;
  if (ms % HOUR === 0) return `${ms / HOUR} h`;
  return `${Math.max(1, Math.round(ms / 60_000))} min`;
}

/**
 * Why the tenant file refuses this grant of `names` lasting `ms` (undefined: until revoked), or
 * undefined when it allows it: over a cap (naming it), or without an end where one is required.
 */
export function grantLimitProblem(
  names: readonly string[],
  ms: number | undefined,
  limits: readonly GrantLimit[],
): string | undefined {
  for (const name of names) {
    const limit = limits.find((l) => l.role.toLowerCase() === name.toLowerCase());
    if (!limit) continue;
    if (ms === undefined) {
      if (!limit.required && !limit.maxMs) continue;
      const cap = limit.maxMs ? ` (at most ${durationWords(limit.maxMs)})` : '';
      return `${name} can only be granted for a limited time${cap}, as tenant.yaml says.`;
    }
    const max = limit.maxMs ?? Number.POSITIVE_INFINITY;
    if (ms > max) {
      return `${name} can be granted for at most ${durationWords(max)} (tenant.yaml); choose a shorter time.`;
    }
  }
  return undefined;
}
