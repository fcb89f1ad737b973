import { assign } from 'xstate';
import * as decision from './decision.ts';
import { type DecisionContext, type DecisionInput, initialDecisionContext } from './events.ts';
import * as parts from './parts.ts';

/**
 * The steps of closing a leaver's access, in order, each its own effect and state (`closing`):
 * T4 block sign-in; E2 leave every environment's security group; A2 revoke admin roles (the
 * directory still refuses to remove the last Global admin); T5/L6 release every seat; end the
 * leaver's open requests through their own machines; tell the manager. The account stays (E5).
 */
const STEPS = [
  'blockSignIn',
  'leaveSecurityGroups',
  'revokeAdminRoles',
  'releaseSeats',
  'cancelOpenRequests',
  'tellManager',
] as const;

/** The effects only an offboarding names, beside the decision's. */
export const OFFBOARDING_EFFECTS = [
  'noticeManager',
  'scheduleOffboarding',
  ...STEPS,
  'scheduleDeletion',
  'deleteAccount',
] as const;

/** Every effect an offboarding names: what `src/lifecycle` must provide for it. */
export type OffboardingEffect = decision.DecisionEffect | (typeof OFFBOARDING_EFFECTS)[number];

/** What an offboarding needs to start, beyond who asked for whom. */
export interface OffboardingInput extends DecisionInput {
  /** When access closes (ISO instant): now or later, checked at the edge. */
  effectiveAt: string;
}

/** Offboarding context: the decision plus the effective date. */
export interface OffboardingContext extends DecisionContext {
  effectiveAt: string;
  /** When the kept account is deleted (ISO), where a retention period is set. */
  deleteAt?: string;
}

/** A step the directory does (`entry`), then the next (`done`); it may refuse for good. */
const directoryStep = <const Effect extends string, const Done extends object>(
  entry: Effect,
  done: Done,
) => ({ entry, on: { ...done, 'directory.failed': parts.failure('offboarding') } }) as const;

/**
 * The offboarding lifecycle: a leaver's access is closed on an effective date, never before a
 * Global admin (not the requester, not the subject) approved it. The decision is the shared one
 * (`decision.ts`); the requester may cancel until the date comes.
 */
export const offboardingMachine = decision
  .requestSetup<OffboardingContext, OffboardingInput>()
  .extend({
    guards: {
      deletesAfterRetention: ({ event }) => event.type === 'manager.told' && !!event.deleteAt,
    },
    actions: {
      ...decision.effects(OFFBOARDING_EFFECTS),
      recordDeletion: assign(({ event }) =>
        event.type === 'manager.told' && event.deleteAt ? { deleteAt: event.deleteAt } : {},
      ),
    },
  })
  .createMachine({
    id: 'offboarding',
    context: ({ input }) => ({
      ...initialDecisionContext(input),
      effectiveAt: input.effectiveAt,
    }),
    initial: 'requested',
    states: {
      ...(() => {
        const { requested } = decision.requested('offboarding', 'offboarding');
        // The leaver's manager hears of it as soon as it is asked, not only once it is done.
        return { requested: { ...requested, entry: ['notifyApprovers', 'noticeManager'] } };
      })(),
      approved: {
        initial: 'scheduled',
        states: {
          scheduled: {
            description:
              'Approved; waits for the effective date, a deadline stored on the request. The requester may still cancel.',
            tags: 'scheduled',
            entry: 'scheduleOffboarding',
            on: {
              'timer.effectiveDateReached': '#offboarding.closing',
              'requester.cancelled': decision.requesterCancel('#offboarding.cancelled'),
              'system.cancelled': { target: '#offboarding.cancelled', actions: 'recordSystemEnd' },
            },
          },
        },
      },
      closing: {
        description:
          'Closes access one idempotent step at a time, each its own effect, so a crash between two resumes at the next.',
        tags: 'closing access',
        initial: 'blockingSignIn',
        // Only the directory's steps can be refused for good (a rule of the directory, e.g. A2).
        states: {
          blockingSignIn: directoryStep('blockSignIn', {
            'directory.signInBlocked': 'leavingGroups',
          }),
          leavingGroups: directoryStep('leaveSecurityGroups', {
            'directory.groupsLeft': 'revokingAdminRoles',
          }),
          revokingAdminRoles: directoryStep('revokeAdminRoles', {
            'directory.adminRolesRevoked': 'releasingSeats',
          }),
          releasingSeats: directoryStep('releaseSeats', {
            'directory.seatsReleased': 'cancellingRequests',
          }),
          cancellingRequests: {
            entry: 'cancelOpenRequests',
            on: { 'requests.cancelled': 'tellingManager' },
          },
          tellingManager: {
            entry: 'tellManager',
            on: {
              'manager.told': [
                {
                  guard: 'deletesAfterRetention',
                  target: '#offboarding.retained',
                  actions: 'recordDeletion',
                },
                { target: '#offboarding.offboarded' },
              ],
            },
          },
        },
      },
      retained: {
        description:
          'Access is closed; the account is kept until `deleteAt` (ACCESSDESK_DELETE_AFTER), a stored deadline.',
        tags: 'offboarded',
        entry: 'scheduleDeletion',
        on: { 'timer.retentionEnded': 'deleting' },
      },
      deleting: {
        description: 'Deletes the account (T5); a rehire in the meantime keeps it.',
        tags: 'deleting account',
        entry: 'deleteAccount',
        on: { 'directory.accountDeleted': 'deleted', 'account.kept': 'offboarded' },
      },
      deleted: {
        type: 'final',
        tags: 'deleted',
        description: 'The account was deleted after its retention period.',
      },
      offboarded: {
        type: 'final',
        tags: 'offboarded',
        description: 'Sign-in blocked, no group, no admin role, no seat; the account stays (E5).',
      },
      ...decision.endings,
    },
  });
