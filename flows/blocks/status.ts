/** A request's status word (the machine's tag of its state), with its emoji. */
import type { StatusWord } from '../../machines/tags.ts';

export type { StatusWord } from '../../machines/tags.ts';

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
  scheduled: ':calendar:',
  'closing access': ':lock:',
  offboarded: ':wave:',
  completed: ':tada:',
  granted: ':stopwatch:',
  'ending access': ':lock:',
  'revocation held': ':raised_hand:',
  ended: ':checkered_flag:',
  'deleting account': ':wastebasket:',
  deleted: ':wastebasket:',
};

/** The status with its emoji, for mrkdwn. */
export function statusBadge(word: StatusWord): string {
  return `${EMOJI[word]} ${word}`;
}
