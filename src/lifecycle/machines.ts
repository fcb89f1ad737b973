import type { AnyStateMachine, SnapshotFrom, StateValue } from 'xstate';
import { onboardingMachine } from '../../machines/onboarding.machine.ts';
import { roleChangeMachine } from '../../machines/role-change.machine.ts';
import { isGlobalAdmin } from '../tenant/admin.rules.ts';
import type { RequestKind } from './request.model.ts';

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

/** The machine a request of `kind` follows. */
export function machineFor(kind: RequestKind): AnyStateMachine {
  return kind === 'onboarding' ? onboarding : roleChange;
}

/** Restores a snapshot from the stored state value and context (no actor is started). */
export function restore(kind: RequestKind, state: unknown, context: Record<string, unknown>) {
  return machineFor(kind).resolveState({
    value: state as StateValue,
    context,
  }) as SnapshotFrom<AnyStateMachine>;
}

/** `{ approved: 'waitingForSeat' }` → `approved.waitingForSeat`. */
export function statusOf(value: StateValue): string {
  if (typeof value === 'string') return value;
  const [key, child] = Object.entries(value)[0] ?? ['unknown', undefined];
  return child === undefined ? key : `${key}.${statusOf(child as StateValue)}`;
}
