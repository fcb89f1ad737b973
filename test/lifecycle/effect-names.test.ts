import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ActionNameOf } from '../../machines/decision.ts';
import type { OnboardingEffect, onboardingMachine } from '../../machines/onboarding.machine.ts';
import type { RoleChangeEffect, roleChangeMachine } from '../../machines/role-change.machine.ts';
import type { Effect } from '../../src/lifecycle/effect-runner.ts';
import type { createEffects, EffectName } from '../../src/lifecycle/effects.ts';

// These assertions are checked by `npm run typecheck`: a misspelt or missing effect fails it.

describe('the effects record is typed against the machines', () => {
  it('has exactly the effects the machines name, plus the requester notice', () => {
    expectTypeOf<keyof ReturnType<typeof createEffects>>().toEqualTypeOf<EffectName>();
    expectTypeOf<OnboardingEffect>().toExtend<ActionNameOf<typeof onboardingMachine>>();
    expectTypeOf<RoleChangeEffect>().toExtend<ActionNameOf<typeof roleChangeMachine>>();
    expectTypeOf<'provisionAccount'>().toExtend<ActionNameOf<typeof onboardingMachine>>();
    expectTypeOf<'notAnAction'>().not.toExtend<ActionNameOf<typeof onboardingMachine>>();
  });

  it('refuses an effect whose name is misspelt', () => {
    const effect: Effect = async () => undefined;
    // @ts-expect-error 'notifyAprovers' is not an effect of any machine
    const typo = { notifyAprovers: effect } satisfies Partial<Record<EffectName, Effect>>;
    // @ts-expect-error a misspelt name is not an EffectName
    const name: EffectName = 'provisionAcount';
    expect([Object.keys(typo), name]).toEqual([['notifyAprovers'], 'provisionAcount']);
  });
});
