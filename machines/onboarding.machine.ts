import { assign } from 'xstate';
import * as decision from './decision.ts';
import { type DecisionContext, type DecisionInput, initialDecisionContext } from './events.ts';
import * as parts from './parts.ts';

/** The effects only onboarding names, beside the decision's. */
export const ONBOARDING_EFFECTS = ['provisionAccount', 'confirmSeat'] as const;

/** Every effect an onboarding names: what `src/lifecycle` must provide for it. */
export type OnboardingEffect = decision.DecisionEffect | (typeof ONBOARDING_EFFECTS)[number];

/**
 * The setup of a machine that onboards someone: the decision part, `recordAccount` (what the
 * directory made) and the kind's effects. Onboarding and a person of a batch share it.
 */
export function onboardingSetup<const Name extends string>(names: readonly Name[]) {
  return decision.requestSetup<DecisionContext, DecisionInput>().extend({
    actions: {
      recordAccount: assign(({ event }) => ({
        accountId: event.type === 'directory.provisioned' ? event.accountId : undefined,
        upn: event.type === 'directory.provisioned' ? event.upn : undefined,
      })),
      ...decision.effects(names),
    },
  });
}

/**
 * The onboarding lifecycle: an account for a new hire (or oneself), from the request to the
 * accepted invitation. The decision is the shared one (`decision.ts`). The machine imports no
 * I/O: effects and the Global-admin guard are named here and provided in `src/lifecycle`;
 * effects run only after the new state is saved.
 */
export const onboardingMachine = onboardingSetup(ONBOARDING_EFFECTS).createMachine({
  context: ({ input }) => initialDecisionContext(input),
  ...decision.decidedThen('onboarding', 'request', {
    ...parts.provisioningPath('onboarding', {
      waiting: 'Queued for a seat of the SKU (L3). Seats go to waiting requests in approval order.',
      provisioning:
        'P1 in the directory (account, seat, admin roles, group) then in the environment (business unit, roles, access mode); every step idempotent.',
      invited: 'The invitation holds the seat until accepted or until it expires (L4).',
    }),
    ...decision.endings,
  }),
});
