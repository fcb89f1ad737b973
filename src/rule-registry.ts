/**
 * Every rule of DOMAIN.md and the production code that enforces it: the source of the README's
 * rule table (`npm run diagrams`). test/rule-registry.test.ts fails when a listed function is not
 * referenced by production code outside its own file, or when no test title names a rule's ID.
 */

/** Production code that enforces a rule: functions (or methods) of one file. */
export interface Enforcer {
  /** Path from the repository root. */
  file: string;
  /** Exported functions or constants, or methods of the file's classes, that do the enforcing. */
  symbols: readonly string[];
  /** How, when the names alone do not say. */
  note?: string;
}

/** One rule of DOMAIN.md. */
export interface RuleEntry {
  id: string;
  what: string;
  enforcedBy: readonly Enforcer[];
}

const ACCESS = 'src/tenant/access.rules.ts';
const ACCOUNTS_RULES = 'src/tenant/accounts.rules.ts';
const ADMIN = 'src/tenant/admin.rules.ts';
const LICENSES = 'src/tenant/licenses.rules.ts';
const ONBOARDING = 'src/tenant/onboarding.rules.ts';
const SECURITY = 'src/tenant/security.rules.ts';
const ACCOUNTS = 'src/tenant/accounts.service.ts';
const ADMIN_ROLES = 'src/tenant/admin-roles.service.ts';
const ENVIRONMENTS = 'src/tenant/environments.service.ts';
const CONTEXT = 'src/tenant/environment-context.ts';
const MODES = 'src/tenant/access-modes.service.ts';
const SEATS = 'src/tenant/seats.service.ts';

/** The rules, in DOMAIN.md's order. */
export const RULES: readonly RuleEntry[] = [
  {
    id: 'T1',
    what: 'Account: unique user principal name and a temporary password, forced change at first sign-in',
    enforcedBy: [
      { file: ACCOUNTS_RULES, symbols: ['upnCandidate', 'generateTemporaryPassword'] },
      { file: ACCOUNTS, symbols: ['create', 'issueTemporaryPassword'] },
    ],
  },
  {
    id: 'T2',
    what: 'Sign-in details seen once, privately; never stored or logged in clear',
    enforcedBy: [
      {
        file: ACCOUNTS_RULES,
        symbols: ['hashPassword'],
        note: 'salted SHA-256 for generated passwords, scrypt for chosen ones',
      },
      { file: 'flows/slack-notifier.ts', symbols: ['deliverInvitation'], note: 'DM only' },
    ],
  },
  {
    id: 'T3',
    what: 'Profile fields, synced to environments except primary email once the record exists',
    enforcedBy: [
      { file: ACCOUNTS_RULES, symbols: ['PROFILE_FIELDS', 'environmentProfileUpdate'] },
      { file: ACCOUNTS, symbols: ['updateProfile'] },
    ],
  },
  {
    id: 'T4',
    what: 'Sign-in allowed or blocked per account',
    enforcedBy: [
      { file: ACCOUNTS, symbols: ['setSignInAllowed'] },
      { file: ACCESS, symbols: ['isEnabled'] },
    ],
  },
  {
    id: 'T5',
    what: 'Deleting an account frees its seats at once',
    enforcedBy: [
      {
        file: SEATS,
        symbols: ['releaseAllOf'],
        note: "TenantService.deleteAccount's; no Slack flow deletes accounts",
      },
    ],
  },
  {
    id: 'T6',
    what: 'Provisioning into an environment lags, fails and is retried',
    enforcedBy: [
      { file: ENVIRONMENTS, symbols: ['provisionUser'] },
      {
        file: 'src/lifecycle/effect-runner.ts',
        symbols: ['EffectRunner'],
        note: 'retries with backoff',
      },
    ],
  },
  {
    id: 'L1',
    what: 'One seat per account, one account per person',
    enforcedBy: [
      { file: SEATS, symbols: ['assign', 'hold', 'bind'], note: 'a unique index {sku, accountId}' },
      { file: 'src/lifecycle/tenant-directory.ts', symbols: ['bindSeat'] },
    ],
  },
  {
    id: 'L2',
    what: 'A license is assigned at creation or later',
    enforcedBy: [{ file: SEATS, symbols: ['assign'] }],
  },
  {
    id: 'L3',
    what: 'No free seat, no assignment; never over-allocate',
    enforcedBy: [
      { file: LICENSES, symbols: ['hasFreeSeat'] },
      {
        file: SEATS,
        symbols: ['hold', 'assign'],
        note: 'one `free > 0` guarded, journaled update',
      },
      {
        file: 'src/lifecycle/seat-queue.ts',
        symbols: ['promote'],
        note: 'waiting requests, in approval order',
      },
    ],
  },
  {
    id: 'L4',
    what: 'An unaccepted invitation holds its seat for 14 days; expiry releases it',
    enforcedBy: [
      { file: LICENSES, symbols: ['invitationExpiresAt', 'isHoldExpired'] },
      { file: SEATS, symbols: ['hold', 'confirmHeld'], note: 'an expired hold is released' },
      {
        file: 'src/lifecycle/effects.ts',
        symbols: ['createEffects'],
        note: 'releaseSeat when the invitation expires',
      },
    ],
  },
  {
    id: 'L5',
    what: 'Seat count never below seats in use',
    enforcedBy: [
      { file: LICENSES, symbols: ['seatsInUse', 'seatCountChangeAllowed'] },
      { file: SEATS, symbols: ['setSeatCount'], note: 'compare-and-set' },
      { file: 'src/tenant/apply-config.ts', symbols: ['applyTenantConfig'], note: 'precheck' },
    ],
  },
  {
    id: 'L6',
    what: 'Removing a license frees its seat; leaving the group does not',
    enforcedBy: [
      { file: SEATS, symbols: ['release'] },
      { file: ENVIRONMENTS, symbols: ['removeFromSecurityGroup'], note: 'seats stay' },
    ],
  },
  {
    id: 'A1',
    what: 'Admin roles and security roles are separate lists',
    enforcedBy: [
      { file: ADMIN, symbols: ['isAdminRole'] },
      { file: ENVIRONMENTS, symbols: ['assignSecurityRoles'] },
    ],
  },
  {
    id: 'A2',
    what: 'Admin roles; keep two Global admins (warn), never none (refuse)',
    enforcedBy: [
      { file: ADMIN, symbols: ['globalAdminWarnings'] },
      { file: ADMIN_ROLES, symbols: ['revoke'], note: 'a guarded `$pull`' },
    ],
  },
  {
    id: 'A3',
    what: 'Global/Service admins hold System Administrator everywhere; admins need no license',
    enforcedBy: [
      { file: ADMIN, symbols: ['impliesSystemAdministrator', 'adminRolesExemptFromLicense'] },
      { file: SECURITY, symbols: ['effectiveRoles'] },
      { file: ACCESS, symbols: ['effectiveAccessMode'] },
    ],
  },
  {
    id: 'A4',
    what: 'Partner Center roles, their categories and who may create users',
    enforcedBy: [
      { file: ADMIN, symbols: ['partnerCenterCategory'] },
      { file: ADMIN_ROLES, symbols: ['grantPartnerCenterRole'], note: 'from the tenant file' },
    ],
  },
  {
    id: 'A5',
    what: 'Connected Spaces roles need their own license',
    enforcedBy: [
      { file: ADMIN, symbols: ['isConnectedSpacesRole'] },
      { file: ENVIRONMENTS, symbols: ['assignSecurityRoles'] },
    ],
  },
  {
    id: 'S1',
    what: 'No security role, no access',
    enforcedBy: [
      { file: SECURITY, symbols: ['hasAccessByRoles'] },
      { file: CONTEXT, symbols: ['computeEnablement'], note: 'canUse' },
    ],
  },
  {
    id: 'S2',
    what: 'Roles add up',
    enforcedBy: [{ file: SECURITY, symbols: ['effectiveRoles'] }],
  },
  {
    id: 'S3',
    what: "Only roles of the user's business unit",
    enforcedBy: [
      { file: SECURITY, symbols: ['rolesOutsideBusinessUnit'] },
      { file: ENVIRONMENTS, symbols: ['assignSecurityRoles'] },
      { file: 'flows/request/parse.ts', symbols: ['parseOnboarding'], note: 'modal check' },
    ],
  },
  {
    id: 'S4',
    what: 'Default roles; custom roles are copies',
    enforcedBy: [
      { file: SECURITY, symbols: ['withDefaultRoles', 'copyRoleTarget'] },
      {
        file: ENVIRONMENTS,
        symbols: ['copySecurityRole'],
        note: "TenantService's; no Slack flow copies roles",
      },
    ],
  },
  {
    id: 'S5',
    what: 'Roles only for enabled users unless the environment allows it',
    enforcedBy: [
      { file: SECURITY, symbols: ['mayAssignRoles'] },
      { file: ENVIRONMENTS, symbols: ['assignSecurityRoles'] },
    ],
  },
  {
    id: 'S6',
    what: 'Removing every role blocks access but is not the way (warn)',
    enforcedBy: [
      { file: SECURITY, symbols: ['roleRemovalWarnings'] },
      { file: ENVIRONMENTS, symbols: ['removeSecurityRoles'] },
    ],
  },
  {
    id: 'E1',
    what: 'Enabled = sign-in + license (or exempt) + direct group membership',
    enforcedBy: [
      { file: ACCESS, symbols: ['isEnabled'] },
      { file: CONTEXT, symbols: ['computeEnablement'] },
    ],
  },
  {
    id: 'E2',
    what: 'Disable by removing from the group (preferred)',
    enforcedBy: [
      { file: ENVIRONMENTS, symbols: ['removeFromSecurityGroup'] },
      {
        file: 'src/lifecycle/provisioning.ts',
        symbols: ['applyRoleChange'],
        note: '`disable` leaves the group; sign-in is blocked only without one',
      },
    ],
  },
  {
    id: 'E3',
    what: 'Re-enabling needs a new invitation',
    enforcedBy: [
      { file: ACCESS, symbols: ['requiresNewInvitation'] },
      { file: ENVIRONMENTS, symbols: ['addToSecurityGroup'] },
      {
        file: 'machines/role-change.machine.ts',
        symbols: ['roleChangeMachine'],
        note: 'applying → invited',
      },
    ],
  },
  {
    id: 'E4',
    what: 'Nested groups are ignored',
    enforcedBy: [{ file: CONTEXT, symbols: ['computeEnablement'], note: 'direct members only' }],
  },
  {
    id: 'E5',
    what: 'Records can be assigned to disabled users',
    enforcedBy: [
      {
        file: ENVIRONMENTS,
        symbols: ['removeFromSecurityGroup'],
        note: 'disabling keeps the environment user, to whom records stay assignable',
      },
    ],
  },
  {
    id: 'E6',
    what: 'No enable/disable without a database',
    enforcedBy: [
      { file: ACCESS, symbols: ['hasDatabase'] },
      { file: CONTEXT, symbols: ['requireDatabase'] },
    ],
  },
  {
    id: 'M1',
    what: 'Read-Write is the default',
    enforcedBy: [{ file: ACCESS, symbols: ['DEFAULT_ACCESS_MODE'] }],
  },
  {
    id: 'M2',
    what: 'Administrative mode: set up with a license, then none needed',
    enforcedBy: [
      { file: ACCESS, symbols: ['modeNeedsLicenseToSetUp', 'isEnabled'] },
      { file: MODES, symbols: ['setAccessMode'] },
    ],
  },
  {
    id: 'M3',
    what: 'At most N (default 7) non-interactive users per environment, atomically',
    enforcedBy: [
      { file: ACCESS, symbols: ['DEFAULT_NON_INTERACTIVE_LIMIT'] },
      { file: MODES, symbols: ['setAccessMode'], note: 'a guarded `nonInteractiveFree` counter' },
    ],
  },
  {
    id: 'M4',
    what: 'Application users: uncounted, unlimited, enabled on creation',
    enforcedBy: [
      { file: ACCESS, symbols: ['countsTowardNonInteractiveLimit'] },
      { file: MODES, symbols: ['createApplicationUser'] },
    ],
  },
  {
    id: 'M5',
    what: 'Stub users only from data import, default role by environment kind',
    enforcedBy: [
      { file: ACCESS, symbols: ['isEnabled'], note: 'a stub is never enabled' },
      { file: MODES, symbols: ['setAccessMode'], note: 'a stub keeps its mode' },
      {
        file: MODES,
        symbols: ['importStubUsers'],
        note: "TenantService's data import, with defaultStubRole; no Slack flow imports data",
      },
    ],
  },
  {
    id: 'P1',
    what: 'Directory first (account, license, admin roles), then environment (unit, role)',
    enforcedBy: [
      { file: ONBOARDING, symbols: ['provisioningOrder'] },
      { file: 'src/lifecycle/provisioning.ts', symbols: ['provisioningSteps'] },
    ],
  },
  {
    id: 'P2',
    what: 'The invitation opens the portal; the service stays closed until step two',
    enforcedBy: [
      { file: CONTEXT, symbols: ['computeEnablement'], note: 'canUse needs a security role' },
      { file: 'src/lifecycle/effects.ts', symbols: ['createEffects'], note: 'issueInvitation' },
    ],
  },
  {
    id: 'P3',
    what: 'Import data before inviting users',
    enforcedBy: [
      { file: ONBOARDING, symbols: ['mayInvite'] },
      { file: 'src/tenant/options.ts', symbols: ['tenantChoices'], note: 'awaitsDataImport' },
      {
        file: 'flows/request/parse.ts',
        symbols: ['parseOnboarding', 'parseRoleChange'],
        note: 'the modal refuses the environment',
      },
    ],
  },
];
