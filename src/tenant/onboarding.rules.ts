/** Onboarding order (P1–P3): pure functions. */

/** The two steps of provisioning an account (P1). */
export type ProvisioningStep = 'directory' | 'environment';

/**
 * P1: provisioning's steps in order: the directory (account, license, admin roles) before the
 * environment (security group, business unit, security roles, access mode), which needs the
 * account step one made.
 */
export function provisioningOrder(): readonly ProvisioningStep[] {
  return ['directory', 'environment'];
}

/** What P3 looks at in an environment. */
export interface DataImportState {
  /** False while the environment's existing data is still being imported (tenant file). */
  dataImported?: boolean | null;
  /** When accessdesk's own data import (stub users, M5) ran there. */
  dataImportedAt?: Date | null;
}

/**
 * P3: whether people may be invited into an environment: its existing data has been imported.
 * An environment the tenant file does not mark `dataImported: false` has its data already.
 */
export function mayInvite(env: DataImportState): boolean {
  return env.dataImported !== false || !!env.dataImportedAt;
}
