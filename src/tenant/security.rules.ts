/** Security roles and business units inside an environment (S1–S6): pure functions. */
import { CONNECTED_SPACES_ROLES, impliesSystemAdministrator } from './admin.rules.ts';

/** Kinds of environment; `none` has no database (E6). */
export const ENVIRONMENT_KINDS = ['dynamics', 'powerapps', 'connected-spaces', 'none'] as const;

/** One environment kind. */
export type EnvironmentKind = (typeof ENVIRONMENT_KINDS)[number];

/** The role A3 grants Global and Service admins in every environment. */
export const SYSTEM_ADMINISTRATOR = 'System Administrator';

/** S4: the roles every environment of a kind starts with (A5 for Connected Spaces). */
export function defaultSecurityRoles(kind: EnvironmentKind): readonly string[] {
  if (kind === 'connected-spaces') return CONNECTED_SPACES_ROLES;
  if (kind === 'none') return [];
  return [SYSTEM_ADMINISTRATOR, 'System Customizer', 'Salesperson', 'Basic User'];
}

/** A business unit with the roles that belong to it (S3). */
export interface BusinessUnitLike {
  id: string;
  parent?: string | null | undefined;
  roles: readonly string[];
}

/** S4: the root business unit gets the default roles of its environment kind. */
export function withDefaultRoles<B extends BusinessUnitLike>(
  kind: EnvironmentKind,
  units: B[],
): B[] {
  return units.map((unit) =>
    unit.parent ? unit : { ...unit, roles: union(defaultSecurityRoles(kind), unit.roles) },
  );
}

/** S3: the roles of `roles` that do not belong to business unit `unitId`. */
export function rolesOutsideBusinessUnit(
  units: readonly BusinessUnitLike[],
  unitId: string,
  roles: readonly string[],
): string[] {
  const own = units.find((u) => u.id === unitId)?.roles ?? [];
  return roles.filter((role) => !own.includes(role));
}

/** S3: whether some business unit of the environment lists `role`. */
export function roleExists(units: readonly BusinessUnitLike[], role: string): boolean {
  return units.some((unit) => unit.roles.includes(role));
}

/** S4: a custom role is a copy of an existing one under a name not yet taken; returns the unit. */
export function copyRoleTarget(
  units: readonly BusinessUnitLike[],
  source: string,
  newName: string,
): { ok: true; unitId: string } | { ok: false; problem: string } {
  const unit = units.find((u) => u.roles.includes(source));
  if (!unit) return { ok: false, problem: `S4: there is no role "${source}" to copy` };
  if (roleExists(units, newName)) return { ok: false, problem: `S4: "${newName}" already exists` };
  return { ok: true, unitId: unit.id };
}

/** S2: a user's roles are the union of direct roles, team roles and A3's implied role. */
export function effectiveRoles(
  direct: readonly string[],
  teamRoles: readonly (readonly string[])[],
  adminRoles: readonly string[],
): string[] {
  const implied = impliesSystemAdministrator(adminRoles) ? [SYSTEM_ADMINISTRATOR] : [];
  return union(direct, ...teamRoles, implied);
}

/** S1: a user can use an environment only with at least one security role. */
export function hasAccessByRoles(roles: readonly string[]): boolean {
  return roles.length > 0;
}

/** S5: whether roles may be assigned to a user who is (or is not) enabled. */
export function mayAssignRoles(userEnabled: boolean, allowOnDisabledUsers: boolean): boolean {
  return userEnabled || allowOnDisabledUsers;
}

/** S6: warnings for a role removal that leaves `remaining` roles. */
export function roleRemovalWarnings(remaining: readonly string[]): string[] {
  return remaining.length > 0
    ? []
    : [
        'S6: with no security role left the user is blocked but keeps the license and still shows as enabled; to remove access, take them out of the security group instead.',
      ];
}

/** Set union keeping first-seen order. */
export function union(...lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())];
}
