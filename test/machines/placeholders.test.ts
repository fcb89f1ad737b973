import { describe, expect, it } from 'vitest';
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
});
