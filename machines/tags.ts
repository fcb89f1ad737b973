/**
 * Tags the machines put on states, for what the rest of accessdesk asks of a request ("is it
 * still undecided?", "is it waiting for a seat?") without naming states.
 */
export const TAG = {
  /** No Global admin has decided yet: the decision deadlines and buttons apply. */
  undecided: 'undecided',
  /** Approved, queued for a seat of its SKU (L3), in approval order. */
  waitingForSeat: 'waitingForSeat',
  /** An invitation is out and may be accepted (L4 holds its seat meanwhile). */
  awaitingAcceptance: 'awaitingAcceptance',
  /** Ended holding no seat: its ending released it, or it never had one. */
  endedWithoutSeat: 'endedWithoutSeat',
  /** A time-bound grant in effect: its warnings and its end are stored deadlines. */
  grantRunning: 'grantRunning',
  /** A time-bound grant whose revocation is held (A2), tried again later. */
  revocationHeld: 'revocationHeld',
} as const;

/**
 * The words people read for where a request is. Every state a request can rest in carries
 * exactly one of them as a tag (its own or its parent's).
 */
export const STATUS_WORDS = [
  'waiting for approval',
  'approved',
  'waiting for a seat',
  'provisioning',
  'provisioned',
  'invited',
  'accepted',
  'denied',
  'cancelled',
  'expired',
  'failed',
  'applied',
  'scheduled',
  'closing access',
  'offboarded',
  'completed',
  'granted',
  'ending access',
  'revocation held',
  'ended',
  'deleting account',
  'deleted',
] as const;

/** A status word (see `STATUS_WORDS`). */
export type StatusWord = (typeof STATUS_WORDS)[number];

/** A tag of a state: a behaviour the rest of accessdesk asks about, or the status word. */
export type Tag = (typeof TAG)[keyof typeof TAG] | StatusWord;
