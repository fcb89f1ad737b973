/** A request's machine state, in the words people read. */

/** The status words people see. */
export type StatusWord =
  | 'waiting for approval'
  | 'approved'
  | 'waiting for a seat'
  | 'provisioning'
  | 'provisioned'
  | 'invited'
  | 'accepted'
  | 'denied'
  | 'cancelled'
  | 'expired'
  | 'failed'
  | 'applied';

const WORDS: Record<string, StatusWord> = {
  requested: 'waiting for approval',
  approved: 'approved',
  'approved.waitingForSeat': 'waiting for a seat',
  'approved.provisioning': 'provisioning',
  provisioned: 'provisioned',
  invited: 'invited',
  accepted: 'accepted',
  denied: 'denied',
  cancelled: 'cancelled',
  expired: 'expired',
  failed: 'failed',
  applied: 'applied',
};

const EMOJI: Record<StatusWord, string> = {
  'waiting for approval': ':hourglass_flowing_sand:',
  approved: ':white_check_mark:',
  'waiting for a seat': ':chair:',
  provisioning: ':gear:',
  provisioned: ':gear:',
  invited: ':envelope:',
  accepted: ':tada:',
  denied: ':no_entry:',
  cancelled: ':heavy_multiplication_x:',
  expired: ':hourglass:',
  failed: ':warning:',
  applied: ':white_check_mark:',
};

/**
 * The words for a state path (`approved.waitingForSeat` → `waiting for a seat`): the most
 * specific known prefix wins, so `requested.awaitingSecondApproval` is still waiting for approval.
 */
export function statusWords(status: string): StatusWord {
  const parts = status.split('.');
  for (let n = parts.length; n > 0; n--) {
    const word = WORDS[parts.slice(0, n).join('.')];
    if (word) return word;
  }
  return 'waiting for approval';
}

/** The status with its emoji, for mrkdwn. */
export function statusBadge(status: string): string {
  const word = statusWords(status);
  return `${EMOJI[word]} ${word}`;
}

/** No Global admin has decided yet: the approval buttons still apply. */
export function isUndecided(status: string): boolean {
  return status === 'requested' || status.startsWith('requested.');
}

/** The requester may still cancel (the machine accepts `requester.cancelled` here). */
export function isCancellable(status: string): boolean {
  return isUndecided(status) || status === 'approved.waitingForSeat';
}
