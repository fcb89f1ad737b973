/** Enablement (E1–E6) and access modes (M1–M5): pure functions. */
import { adminRolesExemptFromLicense } from './admin.rules.ts';
import type { EnvironmentKind } from './security.rules.ts';

/** Access modes of an environment user (M1–M4). */
export const ACCESS_MODES = [
  'read_write',
  'administrative',
  'non_interactive',
  'application',
] as const;

/** One access mode. */
export type AccessMode = (typeof ACCESS_MODES)[number];

/** M1: the mode a licensed user gets by default. */
export const DEFAULT_ACCESS_MODE: AccessMode = 'read_write';

/** M3: non-interactive users allowed per environment unless the environment says otherwise. */
export const DEFAULT_NON_INTERACTIVE_LIMIT = 7;

/** E6: only environments with a database have enable/disable, groups and roles. */
export function hasDatabase(kind: EnvironmentKind): boolean {
  return kind !== 'none';
}

/** What decides whether a user needs a license (A3, M2–M4). */
export interface LicenseExemptionInput {
  adminRoles: readonly string[];
  accessMode?: AccessMode | undefined;
  applicationUser?: boolean | undefined;
}

/** A3/M2–M4: admins, administrative and non-interactive users, and app users need no license. */
export function isLicenseExempt(input: LicenseExemptionInput): boolean {
  if (input.applicationUser || input.accessMode === 'application') return true;
  if (input.accessMode === 'administrative' || input.accessMode === 'non_interactive') return true;
  return adminRolesExemptFromLicense(input.adminRoles);
}

/** M2/M3: these modes are set up on a licensed user; the license may be removed afterwards. */
export function modeNeedsLicenseToSetUp(mode: AccessMode): boolean {
  return mode === 'administrative' || mode === 'non_interactive';
}

/** M3/M4: whether a user in `mode` takes one of the environment's non-interactive places. */
export function countsTowardNonInteractiveLimit(mode: AccessMode, applicationUser: boolean) {
  return mode === 'non_interactive' && !applicationUser;
}

/** A3: an unlicensed admin administers in Administrative mode; everyone else keeps their mode. */
export function effectiveAccessMode(
  mode: AccessMode,
  licensed: boolean,
  adminRoles: readonly string[],
) {
  if (!licensed && mode === 'read_write' && adminRolesExemptFromLicense(adminRoles)) {
    return 'administrative' as const;
  }
  return mode;
}

/** Everything E1 looks at, for one user in one environment. */
export interface EnablementInput {
  kind: EnvironmentKind;
  signInAllowed: boolean;
  licensed: boolean;
  adminRoles: readonly string[];
  accessMode: AccessMode;
  directMember: boolean;
  nestedMemberOnly?: boolean;
  applicationUser?: boolean;
  applicationEnabled?: boolean;
  stub?: boolean;
  deleted?: boolean;
  securityGroup?: string | undefined;
}

/** Whether the user is enabled, and every reason why not (each prefixed by its rule). */
export interface Enablement {
  applicable: boolean;
  enabled: boolean;
  reasons: string[];
}

/** E1: enabled exactly when sign-in is allowed, licensed or exempt, and a direct group member. */
export function isEnabled(input: EnablementInput): Enablement {
  if (!hasDatabase(input.kind)) {
    return { applicable: false, enabled: false, reasons: ['E6: this environment has no database'] };
  }
  if (input.stub) {
    return { applicable: true, enabled: false, reasons: ['M5: a stub user can never be enabled'] };
  }
  if (input.applicationUser) {
    const enabled = input.applicationEnabled !== false;
    return { applicable: true, enabled, reasons: enabled ? [] : ['M4: application user disabled'] };
  }
  const reasons: string[] = [];
  if (input.deleted) reasons.push('T5: the account is deleted');
  if (!input.signInAllowed) reasons.push('T4: sign-in is blocked');
  if (!input.licensed && !isLicenseExempt(input)) reasons.push('L1: no license for this service');
  if (!input.directMember) {
    reasons.push(
      input.nestedMemberOnly
        ? `E4: only a member of a group nested in ${input.securityGroup}; nested groups do not count`
        : `E1: not a direct member of security group ${input.securityGroup}`,
    );
  }
  return { applicable: true, enabled: reasons.length === 0, reasons };
}

/** E3: a user disabled in an environment (and not re-invited since) needs a new invitation. */
export function requiresNewInvitation(user: { disabledAt?: Date | null } | null): boolean {
  return !!user?.disabledAt;
}

/** M4: disabling an application user breaks every integration that uses it. */
export function applicationUserDisableWarnings(enabled: boolean): string[] {
  return enabled
    ? []
    : ['M4: disabling an application user breaks every integration that uses it.'];
}

/** M5: the role a stub user gets when data import creates it. */
export function defaultStubRole(kind: EnvironmentKind): string | undefined {
  if (kind === 'dynamics') return 'Salesperson';
  if (kind === 'powerapps') return 'Basic User';
  return undefined;
}
