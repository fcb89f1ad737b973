import { ManualClock } from '../../src/clock.ts';
import { ErrorCode, RetryableError, RuleViolation } from '../../src/errors.ts';
import type { Directory } from '../../src/lifecycle/ports.ts';

/** A Directory method name. */
export type DirectoryMethod = keyof Directory;

/**
 * Wraps every method of `inner`: `around` decides what happens to each call (it stands in for
 * the outside directory misbehaving; the tenant underneath is the real one on mongod).
 */
export function interceptDirectory(
  inner: Directory,
  around: (method: DirectoryMethod, call: () => Promise<unknown>) => Promise<unknown>,
): Directory {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        around(property as DirectoryMethod, () => value.apply(target, args));
    },
  });
}

/**
 * What a scripted directory does on a method: retry later (stays put), refuse for good, or
 * refuse once as A2 does the revocation of the last Global admin.
 */
export type Misbehaviour = 'retry' | 'fail' | 'a2once';

/**
 * A directory whose listed methods always throw: `retry` a RetryableError (the effect backs off,
 * the request stays where it is), `fail` a RuleViolation (the effect fails → `directory.failed`).
 */
export function scriptedDirectory(
  inner: Directory,
  script: Partial<Record<DirectoryMethod, Misbehaviour>>,
): Directory {
  const refusedOnce = new Set<DirectoryMethod>();
  return interceptDirectory(inner, async (method, call) => {
    const misbehaviour = script[method];
    if (misbehaviour === 'a2once' && !refusedOnce.has(method)) {
      refusedOnce.add(method);
      throw new RuleViolation(ErrorCode.LastGlobalAdmin, 'A2', 'the last Global admin stays');
    }
    if (misbehaviour === 'retry') throw new RetryableError(`${method}: directory unavailable`);
    if (misbehaviour === 'fail') {
      throw new RuleViolation(ErrorCode.NotAllowed, 'T6', `${method} refused by the directory`);
    }
    return call();
  });
}

/** The provisioning steps that write to the directory, in the order a clean run calls them. */
export const WRITING_STEPS: readonly DirectoryMethod[] = [
  'holdSeat',
  'createAccount',
  'bindSeat',
  'grantAdminRoles',
  'placeInEnvironment',
  'addToSecurityGroup',
  'assignBusinessUnit',
  'assignSecurityRoles',
  'setAccessMode',
  'issueTemporaryPassword',
  'confirmSeat',
  'releaseSeat',
  'setSignInAllowed',
];

/**
 * `inner` without its one-call environment step (`placeInEnvironment`): provisioning then takes
 * the environment steps one at a time, as it does with a directory that cannot place in one go.
 */
export function stepByStep(inner: Directory): Directory {
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'placeInEnvironment') return undefined;
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Records the writing steps a directory is asked for, in order. */
export function recordingDirectory(inner: Directory, trace: DirectoryMethod[]): Directory {
  return interceptDirectory(inner, async (method, call) => {
    const result = await call();
    if (WRITING_STEPS.includes(method)) trace.push(method);
    return result;
  });
}

/**
 * Simulates the process dying right after the `crashAfter`-th writing step completed (0: right
 * before the first one): that step took effect, then a plain (uncoded) Error escapes, which the
 * effect runner treats as a crash and leaves the outbox item leased. Crashes once.
 */
export function crashingDirectory(inner: Directory, crashAfter: number): Directory {
  let count = 0;
  return interceptDirectory(inner, async (method, call) => {
    if (crashAfter === 0 && count === 0 && WRITING_STEPS.includes(method)) {
      count++;
      throw new Error(`simulated crash before ${method}`);
    }
    const result = await call();
    if (WRITING_STEPS.includes(method) && ++count === crashAfter) {
      throw new Error(`simulated crash after ${method}`);
    }
    return result;
  });
}

/** A clock that moves 1 ms every time it is read, so concurrent saves get distinct times. */
export class TickingClock extends ManualClock {
  override now(): Date {
    const now = super.now();
    this.advance(1);
    return now;
  }
}
