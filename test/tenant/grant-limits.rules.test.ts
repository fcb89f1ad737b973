import { describe, expect, it } from 'vitest';
import {
  durationWords,
  GRANT_DURATIONS,
  type GrantLimit,
  grantLimitProblem,
} from '../../src/tenant/grant-limits.rules.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Global admin: at most 8 h and never without an end; Billing admin: an end, any length. */
const LIMITS: GrantLimit[] = [
  { role: 'Global admin', maxMs: 8 * HOUR, required: true },
  { role: 'Billing admin', required: true },
  { role: 'Sales Manager', maxMs: 30 * DAY, required: false },
  { role: 'Basic User', required: false },
];

describe('time-bound grants: the durations a request may choose', () => {
  it('offers, in order, until revoked, 1 h to 90 d, and until a date', () => {
    expect(Object.entries(GRANT_DURATIONS).map(([key, d]) => [key, d.label, d.ms])).toEqual([
      ['revoked', 'Until revoked', undefined],
      ['1h', '1 hour', HOUR],
      ['8h', '8 hours', 8 * HOUR],
      ['1d', '1 day', DAY],
      ['7d', '7 days', 7 * DAY],
      ['30d', '30 days', 30 * DAY],
      ['90d', '90 days', 90 * DAY],
      ['date', 'Until a date', undefined],
    ]);
  });

  it('says a duration in whole days, else whole hours, else minutes', () => {
    expect(durationWords(DAY)).toBe('1 d');
    expect(durationWords(30 * DAY)).toBe('30 d');
    expect(durationWords(8 * HOUR)).toBe('8 h');
    expect(durationWords(36 * HOUR)).toBe('36 h');
    expect(durationWords(90 * MIN)).toBe('90 min');
    expect(durationWords(25 * HOUR + 30 * MIN)).toBe('1530 min');
  });

  it('rounds odd lengths to the nearest minute, never below one', () => {
    expect(durationWords(90_000)).toBe('2 min');
    expect(durationWords(89_000)).toBe('1 min');
    expect(durationWords(10_000)).toBe('1 min');
    expect(durationWords(1)).toBe('1 min');
  });
});

describe('time-bound grants: the tenant file’s caps', () => {
  it('a name without a cap may be granted for any time, or until revoked', () => {
    expect(grantLimitProblem(['Salesperson'], undefined, LIMITS)).toBeUndefined();
    expect(grantLimitProblem(['Salesperson'], 365 * DAY, LIMITS)).toBeUndefined();
    expect(grantLimitProblem(['Global admin'], undefined, [])).toBeUndefined();
    expect(grantLimitProblem([], undefined, LIMITS)).toBeUndefined();
  });

  it('a cap allows any time up to and including its maximum', () => {
    expect(grantLimitProblem(['Global admin'], HOUR, LIMITS)).toBeUndefined();
    expect(grantLimitProblem(['Global admin'], 8 * HOUR, LIMITS)).toBeUndefined();
  });

  it('a longer time is refused, naming the cap, as the requester wrote the name', () => {
    expect(grantLimitProblem(['global ADMIN'], 8 * HOUR + 1, LIMITS)).toBe(
      'global ADMIN can be granted for at most 8 h (tenant.yaml); choose a shorter time.',
    );
    expect(grantLimitProblem(['Sales Manager'], 90 * DAY, LIMITS)).toBe(
      'Sales Manager can be granted for at most 30 d (tenant.yaml); choose a shorter time.',
    );
  });

  it('until revoked is refused where an end is required, naming the cap if there is one', () => {
    expect(grantLimitProblem(['Global admin'], undefined, LIMITS)).toBe(
      'Global admin can only be granted for a limited time (at most 8 h), as tenant.yaml says.',
    );
    expect(grantLimitProblem(['Billing admin'], undefined, LIMITS)).toBe(
      'Billing admin can only be granted for a limited time, as tenant.yaml says.',
    );
  });

  it('until revoked is refused where a cap is set, even when an end is not required', () => {
    expect(grantLimitProblem(['Sales Manager'], undefined, LIMITS)).toBe(
      'Sales Manager can only be granted for a limited time (at most 30 d), as tenant.yaml says.',
    );
  });

  it('a limit that neither caps nor requires an end allows everything', () => {
    expect(grantLimitProblem(['Basic User'], undefined, LIMITS)).toBeUndefined();
    expect(grantLimitProblem(['Basic User'], 90 * DAY, LIMITS)).toBeUndefined();
  });

  it('a required end without a cap allows any length', () => {
    expect(grantLimitProblem(['Billing admin'], 90 * DAY, LIMITS)).toBeUndefined();
  });

  it('of several names the first refused one is named; uncapped ones do not hide it', () => {
    const names = ['Salesperson', 'Basic User', 'Sales Manager', 'Global admin'];

    expect(grantLimitProblem(names, 7 * DAY, LIMITS)).toBe(
      'Global admin can be granted for at most 8 h (tenant.yaml); choose a shorter time.',
    );
    expect(grantLimitProblem(names, undefined, LIMITS)).toMatch(/^Sales Manager can only/);
    expect(grantLimitProblem(names, HOUR, LIMITS)).toBeUndefined();
  });

  it('a license is capped by its SKU id like a role by its name', () => {
    const sku: GrantLimit[] = [{ role: 'D365_SALES_ENT', maxMs: 7 * DAY, required: false }];

    expect(grantLimitProblem(['d365_sales_ent'], 30 * DAY, sku)).toBe(
      'd365_sales_ent can be granted for at most 7 d (tenant.yaml); choose a shorter time.',
    );
    expect(grantLimitProblem(['d365_sales_ent'], 7 * DAY, sku)).toBeUndefined();
  });
});
