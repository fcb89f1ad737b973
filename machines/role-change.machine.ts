import * as decision from './decision.ts';
import { type DecisionContext, type DecisionInput, initialDecisionContext } from './events.ts';
import * as parts from './parts.ts';

/** The effects only a role change names, beside the decision's. */
export const ROLE_CHANGE_EFFECTS = ['applyChange', 'completeReenable'] as const;

/** Every effect a role change names: what `src/lifecycle` must provide for it. */
export type RoleChangeEffect = decision.DecisionEffect | (typeof ROLE_CHANGE_EFFECTS)[number];

/** What a role change needs to start, beyond who asked for whom. */
export interface RoleChangeInput extends DecisionInput {
  /** The change adds a license, so it must wait for a seat (L3). */
  needsSeat: boolean;
  /** The change re-enables a disabled user, which takes a new invitation (E3). */
  reenables: boolean;
}

/** Role-change context: the decision plus what the change needs. */
export interface RoleChangeContext extends DecisionContext {
  needsSeat: boolean;
  reenables: boolean;
}

/**
 * The role-change lifecycle: security roles, admin roles, access mode, a license, or
 * enable/disable for an existing account. Re-enabling goes through a new invitation (E3).
 * The decision is the shared one (`decision.ts`).
 */
export const roleChangeMachine = decision
  .requestSetup<RoleChangeContext, RoleChangeInput>()
  .extend({
    guards: {
      needsSeat: ({ context }) => context.needsSeat,
      reenables: ({ context }) => context.reenables,
    },
    actions: decision.effects(ROLE_CHANGE_EFFECTS),
  })
  .createMachine({
    context: ({ input }) => ({
      ...initialDecisionContext(input),
      needsSeat: input.needsSeat,
      reenables: input.reenables,
    }),
    ...decision.decidedThen('roleChange', 'change', {
      approved: parts.seatThenApplying(
        'roleChange',
        {
          waiting: 'The change adds a license and waits for a seat (L3), in approval order.',
          applying: 'The directory applies the change; every step idempotent.',
        },
        'applyChange',
        {
          'directory.applied': [
            { guard: 'reenables', target: '#roleChange.invited' },
            { target: '#roleChange.applied' },
          ],
        },
        // L3: the license ran out between the held seat and its assignment.
        { 'seat.lost': { guard: 'needsSeat', target: 'waitingForSeat' } },
      ),
      invited: parts.invited(
        'Re-enabling a disabled user takes a new invitation (E3); it holds the seat (L4).',
        'completeReenable',
        { entry: 'issueInvitation', on: { 'invitation.issued': { actions: 'recordInvitation' } } },
      ),
      applied: { type: 'final', tags: 'applied', description: 'The change is in effect.' },
      accepted: {
        type: 'final',
        tags: 'accepted',
        description: 'The re-enabled user accepted the new invitation.',
      },
      ...decision.endings,
    }),
  });
