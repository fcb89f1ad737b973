/** Onboarding order (P1–P3): pure functions over what has been done so far. */

/** Where an onboarding stands, as far as the order of steps is concerned. */
export interface OnboardingProgress {
  dataImportPending: boolean;
  accountCreated: boolean;
  licensed: boolean;
  businessUnit: boolean;
  securityRoles: number;
  invited: boolean;
}

/** The steps in the order P1–P3 ask for. */
export type OnboardingStep = 'import-data' | 'directory' | 'environment' | 'invite' | 'done';

/** P1/P3: the next step: import data first, then directory, then environment, then invite. */
export function nextOnboardingStep(p: OnboardingProgress): OnboardingStep {
  if (p.dataImportPending) return 'import-data';
  if (!p.accountCreated || !p.licensed) return 'directory';
  if (!p.businessUnit || p.securityRoles < 1) return 'environment';
  if (!p.invited) return 'invite';
  return 'done';
}

/** P2: after step one the invitation opens the portal, but the service opens only after step two. */
export function serviceOpen(p: Pick<OnboardingProgress, 'businessUnit' | 'securityRoles'>) {
  return p.businessUnit && p.securityRoles > 0;
}

/** P3: inviting while existing data still waits for import is out of order. */
export function mayInvite(p: Pick<OnboardingProgress, 'dataImportPending'>): boolean {
  return !p.dataImportPending;
}
