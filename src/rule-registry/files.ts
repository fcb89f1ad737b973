/** The files that enforce rules, named once. */
export const ACCESS = 'src/tenant/access.rules.ts';
export const ACCOUNTS_RULES = 'src/tenant/accounts.rules.ts';
export const ADMIN = 'src/tenant/admin.rules.ts';
export const LICENSES = 'src/tenant/licenses.rules.ts';
export const ONBOARDING = 'src/tenant/onboarding.rules.ts';
export const SECURITY = 'src/tenant/security.rules.ts';
export const ACCOUNTS = 'src/tenant/accounts.service.ts';
export const ADMIN_ROLES = 'src/tenant/admin-roles.service.ts';
export const ENVIRONMENTS = 'src/tenant/environments.service.ts';
export const CONTEXT = 'src/tenant/environment-context.ts';
export const MODES = 'src/tenant/access-modes.service.ts';
export const SEATS = 'src/tenant/seats.service.ts';
export const SEAT_TAKE = 'src/tenant/seat-take.ts';
export const SEAT_CHANGE = 'src/tenant/seat-change.ts';
