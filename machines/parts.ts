import { invitation, seatRouting, waitingForSeat } from './decision.ts';
import { TAG } from './tags.ts';

/**
 * The states several kinds go through after their decision (`decision.ts`), built from the few
 * things in which the kinds differ: the directory's work, where its answer leads, the words.
 */

/** The directory failed for good: the request ends as `#<id>.failed`, keeping the reason. */
export function failure<const Id extends string>(id: Id) {
  return { target: `#${id}.failed`, actions: 'recordFailure' } as const;
}

/**
 * A state in which the directory does the work `entry` names: `done` is where its answer leads,
 * its failure ends the request (`#<id>.failed`), and `also` adds the kind's own transitions.
 */
function directoryWork<
  const Id extends string,
  const Tags,
  const Entry,
  const Done extends object,
  const Also extends object = Record<never, never>,
>(id: Id, words: { description: string; tags: Tags }, entry: Entry, done: Done, also?: Also) {
  const on = { ...done, 'directory.failed': failure(id), ...(also as Also) };
  return { description: words.description, tags: words.tags, entry, on };
}

/**
 * An approved change to an existing account: `routing` sends it to `waitingForSeat` when the
 * machine's `needsSeat` guard says so (L3), then to `applying`, where the directory does the
 * work `entry` names; `done` is where its answer leads, `also` adds the kind's own transitions.
 */
export function seatThenApplying<
  const Id extends string,
  const Entry extends string,
  const Done extends object,
  const Also extends object = Record<never, never>,
>(id: Id, words: { waiting: string; applying: string }, entry: Entry, done: Done, also?: Also) {
  return {
    initial: 'routing',
    states: {
      ...seatRouting(id, words.waiting),
      applying: directoryWork(
        id,
        { description: words.applying, tags: 'approved' },
        entry,
        done,
        also,
      ),
    },
  } as const;
}

/**
 * An invitation is out (`also` may issue it, on entry, and take its answer): it holds the seat
 * until the subject accepts it in time, running `onAccept`, or until it expires (L4).
 */
export function invited<
  const Accept extends string,
  const Also extends { entry?: unknown; on?: object } = Record<never, never>,
>(description: string, onAccept: Accept, also?: Also) {
  const { on, ...entry } = also ?? {};
  return {
    description,
    tags: [TAG.awaitingAcceptance, 'invited'],
    ...(entry as Omit<Also, 'on'>),
    on: { ...(on as Also['on']), ...invitation(onAccept) },
  } as const;
}

/** Where a new account is on its way, for a kind that tells someone of each step. */
export type ProvisioningStep = 'waiting' | 'provisioning' | 'provisioned' | 'invited' | 'accepted';

/**
 * Onboarding someone once approved: a seat of the SKU (L3), provisioning in the directory and
 * the environment (P1), the invitation (P2), then its acceptance in time (L4), each step
 * idempotent. `tell` adds an action to each step's entry (a batch counts its people so).
 */
export function provisioningPath<const Id extends string, const Told = never>(
  id: Id,
  words: { waiting: string; provisioning: string; invited: string },
  tell?: (step: ProvisioningStep) => Told,
) {
  const entry = <const E>(effect: E, step: ProvisioningStep) =>
    tell ? ([effect, tell(step)] as const) : effect;
  const told = (step: ProvisioningStep) => (tell ? { entry: tell(step) } : {});
  const waiting = waitingForSeat(id, 'provisioning', words.waiting);
  return {
    approved: {
      initial: 'waitingForSeat',
      states: {
        waitingForSeat: { ...waiting, entry: entry(waiting.entry, 'waiting') },
        provisioning: directoryWork(
          id,
          { description: words.provisioning, tags: 'provisioning' },
          entry('provisionAccount', 'provisioning'),
          { 'directory.provisioned': { target: `#${id}.provisioned`, actions: 'recordAccount' } },
          // L3: the license ran out between the held seat and its assignment.
          { 'seat.lost': 'waitingForSeat' },
        ),
      },
    },
    provisioned: directoryWork(
      id,
      {
        description: 'The account exists and holds its seat; the invitation is being issued (P2).',
        tags: 'provisioned',
      },
      entry('issueInvitation', 'provisioned'),
      { 'invitation.issued': { target: 'invited', actions: 'recordInvitation' } },
    ),
    invited: invited(words.invited, 'confirmSeat', told('invited')),
    accepted: {
      type: 'final',
      tags: 'accepted',
      ...told('accepted'),
      description: 'The held seat became an assigned one.',
    },
  } as const;
}
