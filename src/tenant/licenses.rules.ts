/** License seats (L1–L6): pure functions over a SKU's counters and holders. */

/** L4: an unaccepted invitation holds its seat for this many days. */
export const INVITATION_HOLD_DAYS = 14;

const DAY_MS = 24 * 60 * 60 * 1000;

/** State of one seat: held by an unaccepted invitation (L4) or assigned to an account (L1). */
export type SeatState = 'held' | 'assigned';

/** The part of a seat holder the rules look at. */
export interface SeatHolderLike {
  key: string;
  state: SeatState;
  accountId?: string | null;
  expiresAt?: Date | null;
}

/** L4: when an invitation issued at `issuedAt` stops holding its seat. */
export function invitationExpiresAt(issuedAt: Date): Date {
  return new Date(issuedAt.getTime() + INVITATION_HOLD_DAYS * DAY_MS);
}

/** L4: whether a held seat has expired at `now` (assigned seats never expire). */
export function isHoldExpired(holder: SeatHolderLike, now: Date): boolean {
  return holder.state === 'held' && !!holder.expiresAt && holder.expiresAt <= now;
}

/** L5: seats in use are assigned plus held ones. */
export function seatsInUse(holders: readonly SeatHolderLike[]): {
  assigned: number;
  held: number;
  used: number;
} {
  const held = holders.filter((h) => h.state === 'held').length;
  const assigned = holders.length - held;
  return { assigned, held, used: assigned + held };
}

/** L3: whether a seat can be taken now. */
export function hasFreeSeat(free: number): boolean {
  return free > 0;
}

/** L5: whether a SKU whose seats in use are `used` may be set to `newCount` seats. */
export function seatCountChangeAllowed(used: number, newCount: number): boolean {
  return Number.isInteger(newCount) && newCount >= 0 && newCount >= used;
}
