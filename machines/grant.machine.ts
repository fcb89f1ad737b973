import { assign } from 'xstate';
import * as decision from './decision.ts';
import { type DecisionContext, type DecisionInput, initialDecisionContext } from './events.ts';
import * as parts from './parts.ts';
import { TAG } from './tags.ts';

/** The effects only a time-bound grant names, beside the decision's. */
export const GRANT_EFFECTS = [
  'applyGrant',
  'scheduleGrantEnd',
  'warnGrantEnding',
  'revokeGrant',
  'holdRevocation',
] as const;

/** Every effect a time-bound grant names: what `src/lifecycle` must provide for it. */
export type GrantEffect = decision.DecisionEffect | (typeof GRANT_EFFECTS)[number];

/** What a time-bound grant needs to start, beyond who asked for whom. */
export interface GrantInput extends DecisionInput {
  /** The grant is a license, so it waits for a seat (L3). */
  needsSeat: boolean;
}

/** A time-bound grant's context: the decision, and once applied, when its clock started and ends. */
export interface GrantContext extends DecisionContext {
  needsSeat: boolean;
  /** When the grant was applied (ISO): its clock starts then, not when it was asked. */
  appliedAt?: string;
  /** When the grant ends (ISO). */
  endsAt?: string;
  /** Why the revocation is held (A2), while it is. */
  heldReason?: string;
}

/**
 * The time-bound grant lifecycle: a security role, an admin role or a license for a while. The
 * decision is the shared one (`decision.ts`); once applied it runs until its end (warnings on
 * the way, stored deadlines), then exactly what it gave is revoked — unless the person also
 * holds it from elsewhere (an unlimited grant, another open grant). An extension is a new
 * request of this kind for the same grant.
 */
export const grantMachine = decision
  .requestSetup<GrantContext, GrantInput>()
  .extend({
    guards: { needsSeat: ({ context }) => context.needsSeat },
    actions: {
      ...decision.effects(GRANT_EFFECTS),
      recordGrant: assign(({ event }) =>
        event.type === 'grant.applied' ? { appliedAt: event.appliedAt, endsAt: event.endsAt } : {},
      ),
      recordHold: assign(({ event }) =>
        event.type === 'grant.revokeHeld' ? { heldReason: event.reason } : {},
      ),
    },
  })
  .createMachine({
    context: ({ input }) => ({ ...initialDecisionContext(input), needsSeat: input.needsSeat }),
    ...decision.decidedThen('grant', 'grant', {
      approved: parts.seatThenApplying(
        'grant',
        {
          waiting: 'The grant is a license and waits for a seat (L3), in approval order.',
          applying: 'The directory applies the grant; its clock starts when this is done.',
        },
        'applyGrant',
        { 'grant.applied': { target: '#grant.active', actions: 'recordGrant' } },
      ),
      active: {
        description:
          'In effect until `endsAt`, a deadline stored on the request; the person (and the requester) are warned before it.',
        tags: [TAG.grantRunning, 'granted'],
        entry: 'scheduleGrantEnd',
        on: {
          'timer.grantWarningDue': { actions: 'warnGrantEnding' },
          'timer.grantEnded': 'ending',
          // The person left (an offboarding's step): the grant ends now.
          'system.cancelled': { target: 'ending', actions: 'recordSystemEnd' },
        },
      },
      ending: {
        description:
          'Revokes what this grant gave, unless the person also holds it from an unlimited grant or another open one.',
        tags: 'ending access',
        entry: 'revokeGrant',
        on: {
          'grant.revoked': 'ended',
          'grant.revokeHeld': { target: 'held', actions: 'recordHold' },
        },
      },
      held: {
        description:
          'A2: the revocation would leave no Global admin; the Global admins are told and it is tried again later.',
        tags: [TAG.revocationHeld, 'revocation held'],
        entry: 'holdRevocation',
        on: { 'timer.grantEnded': 'ending' },
      },
      ended: {
        type: 'final',
        tags: 'ended',
        description: 'The grant ended; what only it gave is revoked and its seat released (L6).',
      },
      ...decision.endings,
    }),
  });
