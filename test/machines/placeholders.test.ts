import { describe, expect, it } from 'vitest';
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { bulkMemberMachine } from '../../machines/bulk-member.machine.ts';
import { bulkOnboardingMachine } from '../../machines/bulk-onboarding.machine.ts';
import { grantMachine } from '../../machines/grant.machine.ts';
import { offboardingMachine } from '../../machines/offboarding.machine.ts';
import { onboardingMachine } from '../../machines/onboarding.machine.ts';
import { roleChangeMachine } from '../../machines/role-change.machine.ts';

/** Effects (and the Global-admin guard) each machine names and src/lifecycle must provide. */
const PROVIDED = {
  onboarding: [
    'refuseAttempt',
    'notifyApprovers',
    'remindApprovers',
    'escalateToGlobalAdmins',
    'requestSeat',
    'provisionAccount',
    'issueInvitation',
    'confirmSeat',
    'releaseSeat',
    'undoProvisioning',
  ],
  roleChange: [
    'refuseAttempt',
    'notifyApprovers',
    'remindApprovers',
    'escalateToGlobalAdmins',
    'requestSeat',
    'applyChange',
    'issueInvitation',
    'completeReenable',
    'releaseSeat',
    'undoProvisioning',
  ],
};

const MACHINES = {
  onboarding: onboardingMachine,
  roleChange: roleChangeMachine,
  offboarding: offboardingMachine,
  bulkOnboarding: bulkOnboardingMachine,
  bulkMember: bulkMemberMachine,
  grant: grantMachine,
} satisfies Record<string, AnyStateMachine>;

/** The names of the actions a state, its transitions and its children name (not built-ins). */
function namedActions(node: AnyStateNode): string[] {
  const name = (a: unknown) => (typeof a === 'string' ? a : (a as { type?: unknown } | null)?.type);
  const own = [
    ...node.entry,
    ...node.exit,
    ...[...node.transitions.values()].flat().flatMap((t) => t.actions),
    ...(node.always ?? []).flatMap((t) => t.actions),
  ].map(name);
  return [
    ...own.filter((n): n is string => typeof n === 'string'),
    ...Object.values(node.states).flatMap((child) => namedActions(child as AnyStateNode)),
  ];
}

describe('what the machines leave to src/lifecycle', () => {
  it.each([
    ['onboarding', onboardingMachine, PROVIDED.onboarding],
    ['roleChange', roleChangeMachine, PROVIDED.roleChange],
  ] as const)(
    '%s: every effect and the Global-admin guard throw, naming themselves, until provided',
    (_, machine, names) => {
      const actions = machine.implementations.actions as Record<
        string,
        (...a: unknown[]) => unknown
      >;
      const guards = machine.implementations.guards as Record<string, (...a: unknown[]) => unknown>;

      for (const name of names) {
        expect(() => actions[name]!({}, {}), name).toThrow(
          `${name} must be provided by src/lifecycle`,
        );
      }
      expect(() => guards.isGlobalAdmin!({}, {})).toThrow(
        'isGlobalAdmin must be provided by src/lifecycle',
      );
    },
  );

  it.each(Object.entries(MACHINES))(
    '%s: every action its states name is declared, and each effect waits to be provided',
    (_, machine) => {
      const actions = machine.implementations.actions as Record<
        string,
        (...a: unknown[]) => unknown
      >;
      const named = [...new Set(namedActions(machine.root))];

      expect(named.length).toBeGreaterThan(3);
      for (const name of named) {
        expect(actions[name], `${name} is not declared`).toBeTypeOf('function');
        // xstate's own actions (the context updates, `assign`) run; every other one is an effect.
        if ((actions[name] as { type?: string }).type?.startsWith('xstate.')) continue;
        expect(() => actions[name]!({}, {}), name).toThrow(
          `${name} must be provided by src/lifecycle`,
        );
      }
    },
  );
});
