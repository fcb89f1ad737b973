/**
 * Tags the machines put on states, for what the rest of accessdesk asks of a request ("is it
 * still undecided?", "is it waiting for a seat?") without naming states.
 */
export const TAG = {
  /** No Global admin has decided yet: the decision deadlines and buttons apply. */
  undecided: 'undecided',
  /** Approved, queued for a seat of its SKU (L3), in approval order. */
  waitingForSeat: 'waitingForSeat',
  /** Ended holding no seat: its ending released it, or it never had one. */
  endedWithoutSeat: 'endedWithoutSeat',
} as const;

/** A tag of a state. */
export type Tag = (typeof TAG)[keyof typeof TAG];
