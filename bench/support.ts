/** What the benches share: a new hire's details, the deadlines they run with, medians, timing. */
import { performance } from 'node:perf_hooks';
import type { Deadlines } from '../src/config.ts';
import type { OnboardingDetails } from '../src/lifecycle/request.model.ts';

const HOUR = 3_600_000;

/** The decision and invitation deadlines of the benches' lifecycles. */
export const BENCH_DEADLINES: Deadlines = {
  invitationTtl: 14 * 24 * HOUR,
  reminderAfter: 24 * HOUR,
  escalateAfter: 72 * HOUR,
  requestTtl: 7 * 24 * HOUR,
};

/** An onboarding of a sales hire into sales-prod (the tenant of test/support/sales-tenant.ts). */
export function benchHire(tag: string): OnboardingDetails {
  return {
    firstName: 'Bench',
    lastName: `Hire${tag}`,
    email: `hire${tag}@example.org`,
    jobTitle: 'Analyst',
    department: 'Sales',
    sku: 'D365_SALES',
    environment: 'sales-prod',
    businessUnit: 'sales',
    securityRoles: ['Salesperson'],
    accessMode: 'read_write',
    adminRoles: [],
    justification: 'joins the sales team',
  };
}

/** The median (the upper one of an even count). */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Milliseconds `fn` takes. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}
