/** Tenant-level admin roles (A1–A5): pure functions, no I/O. */

/** Admin roles of the subscription (A2, plus the platform admins A3 names). Never security roles (A1). */
export const ADMIN_ROLES = [
  'Global admin',
  'Billing admin',
  'Password admin',
  'Service admin',
  'User management admin',
  'Power Platform admin',
  'Dynamics 365 admin',
] as const;

/** One admin role name. */
export type AdminRole = (typeof ADMIN_ROLES)[number];

/** The role that decides requests and is counted by A2. */
export const GLOBAL_ADMIN: AdminRole = 'Global admin';

/** Whether `role` is a tenant admin role (and so not an environment security role, A1). */
export function isAdminRole(role: string): role is AdminRole {
  return (ADMIN_ROLES as readonly string[]).includes(role);
}

/** Whether the list holds the Global admin role. */
export function isGlobalAdmin(adminRoles: readonly string[]): boolean {
  return adminRoles.includes(GLOBAL_ADMIN);
}

/** What an admin role lets its holder do in the subscription (A2). */
export type AdminAction = 'buy-subscriptions' | 'billing' | 'reset-passwords' | 'manage-users';

const ACTIONS: Record<AdminRole, readonly AdminAction[]> = {
  'Global admin': ['buy-subscriptions', 'billing', 'reset-passwords', 'manage-users'],
  'Billing admin': ['billing'],
  'Password admin': ['reset-passwords'],
  'Service admin': [],
  'User management admin': ['reset-passwords', 'manage-users'],
  'Power Platform admin': [],
  'Dynamics 365 admin': [],
};

/** A2: whether any of `adminRoles` allows `action`. */
export function mayPerform(adminRoles: readonly string[], action: AdminAction): boolean {
  return adminRoles.some((role) => isAdminRole(role) && ACTIONS[role].includes(action));
}

/** A2 outcome of a change that leaves `countAfter` Global admins: refuse none, warn below two. */
export function globalAdminChangeOutcome(countAfter: number): 'ok' | 'warn' | 'refuse' {
  if (countAfter < 1) return 'refuse';
  if (countAfter < 2) return 'warn';
  return 'ok';
}

/** A2 warning text for a tenant left with `countAfter` Global admins (empty when fine). */
export function globalAdminWarnings(countAfter: number): string[] {
  return globalAdminChangeOutcome(countAfter) === 'warn'
    ? [`A2: only ${countAfter} Global admin would remain; keep at least two.`]
    : [];
}

/** A3: Global and Service admins hold System Administrator in every environment. */
export function impliesSystemAdministrator(adminRoles: readonly string[]): boolean {
  return adminRoles.includes('Global admin') || adminRoles.includes('Service admin');
}

/** A3: admin roles that administer environments without a license. */
export const LICENSE_EXEMPT_ADMIN_ROLES: readonly AdminRole[] = [
  'Global admin',
  'Power Platform admin',
  'Dynamics 365 admin',
];

/** A3: whether the admin roles alone exempt their holder from needing a license. */
export function adminRolesExemptFromLicense(adminRoles: readonly string[]): boolean {
  return adminRoles.some((role) =>
    (LICENSE_EXEMPT_ADMIN_ROLES as readonly string[]).includes(role),
  );
}

/** A4: the three categories of Partner Center roles and the roles in each. */
export const PARTNER_CENTER_ROLES = {
  csp: ['Admin agent', 'Sales agent', 'Helpdesk agent'],
  directory: ['Global admin', 'User management admin'],
  company: ['Account admin', 'Executive report viewer', 'Referrals admin', 'Incentive admin'],
} as const;

/** A4: a category of Partner Center roles. */
export type PartnerCenterCategory = keyof typeof PARTNER_CENTER_ROLES;

/** A4: the category of a Partner Center role, or undefined when it is not one. */
export function partnerCenterCategory(role: string): PartnerCenterCategory | undefined {
  const categories = Object.keys(PARTNER_CENTER_ROLES) as PartnerCenterCategory[];
  return categories.find((c) => (PARTNER_CENTER_ROLES[c] as readonly string[]).includes(role));
}

/** A4: creating Partner Center users takes Account admin, Global admin or User management admin. */
export function mayCreatePartnerCenterUsers(roles: readonly string[]): boolean {
  return ['Account admin', 'Global admin', 'User management admin'].some((r) => roles.includes(r));
}

/** A5: the security roles of a Connected Spaces environment. */
export const CONNECTED_SPACES_ROLES = ['Connected Store Admin', 'Connected Store Viewer'] as const;

/** A5: whether `role` is a Connected Spaces role. */
export function isConnectedSpacesRole(role: string): boolean {
  return (CONNECTED_SPACES_ROLES as readonly string[]).includes(role);
}
