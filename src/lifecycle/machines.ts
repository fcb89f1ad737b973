import { bulkMemberMachine } from '../../machines/bulk-member.machine.ts';
import { bulkOnboardingMachine } from '../../machines/bulk-onboarding.machine.ts';
import { grantMachine } from '../../machines/grant.machine.ts';
import { offboardingMachine } from '../../machines/offboarding.machine.ts';
import { onboardingMachine } from '../../machines/onboarding.machine.ts';
import { roleChangeMachine } from '../../machines/role-change.machine.ts';
import { isGlobalAdmin } from '../tenant/admin.rules.ts';
import { MachineRegistry } from './machine-registry.ts';
import type { RequestKind } from './request.model.ts';

export { statusOf } from './machine-registry.ts';

/** The decider is a Global admin at the moment of the decision (roles read fresh into the event). */
const actorIsGlobalAdmin = ({ event }: { event: object }) =>
  'actor' in event && isGlobalAdmin((event.actor as { adminRoles: string[] }).adminRoles);

// Effects are only collected from `transition()`, never executed by xstate, so only the guard
// needs a real implementation here; the effect names stay the machines' placeholders.
/** The onboarding machine with its Global-admin guard taken from the tenant rules. */
export const onboarding = onboardingMachine.provide({
  guards: { isGlobalAdmin: actorIsGlobalAdmin },
});
/** The role-change machine with its Global-admin guard taken from the tenant rules. */
export const roleChange = roleChangeMachine.provide({
  guards: { isGlobalAdmin: actorIsGlobalAdmin },
});
/** The offboarding machine with its Global-admin guard taken from the tenant rules. */
export const offboarding = offboardingMachine.provide({
  guards: { isGlobalAdmin: actorIsGlobalAdmin },
});

/** The bulk onboarding machine (one decision for a batch) with the same guard. */
export const bulkOnboarding = bulkOnboardingMachine.provide({
  guards: { isGlobalAdmin: actorIsGlobalAdmin },
});
/** A person of a batch (decided with the batch; the guard is never asked). */
export const bulkMember = bulkMemberMachine.provide({
  guards: { isGlobalAdmin: actorIsGlobalAdmin },
});
/** The time-bound grant machine with its Global-admin guard taken from the tenant rules. */
export const grant = grantMachine.provide({
  guards: { isGlobalAdmin: actorIsGlobalAdmin },
});

/** The machine of every request kind: a new kind adds its machine here. */
export const requestMachines = new MachineRegistry<RequestKind>({
  onboarding,
  role_change: roleChange,
  offboarding,
  bulk_onboarding: bulkOnboarding,
  bulk_member: bulkMember,
  time_bound_grant: grant,
});
