import {
  ACCESS,
  ACCOUNTS,
  ACCOUNTS_RULES,
  ADMIN,
  ADMIN_ROLES,
  ENVIRONMENTS,
  LICENSES,
  SEAT_CHANGE,
  SEAT_TAKE,
  SEATS,
  SECURITY,
} from './files.ts';
import type { RuleEntry } from './types.ts';

/** Tenant, license and admin-role rules (T, L, A), in DOMAIN.md's order. */
export const TENANT_RULES: readonly RuleEntry[] = [
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
      {
        file: 'src/log.ts',
        symbols: ['createLogger'],
        note: 'the logger redacts passwords, tokens and secrets',
      },
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
      { file: SEAT_TAKE, symbols: ['assign', 'hold'], note: 'a unique index {sku, accountId}' },
      { file: SEAT_CHANGE, symbols: ['bind'] },
      { file: 'src/lifecycle/tenant-directory.ts', symbols: ['bindSeat'] },
      {
        file: 'src/tenant/seat-bulk.ts',
        symbols: ['holdMany'],
        note: "a chunk's holders, by the same unique index",
      },
    ],
  },
  {
    id: 'L2',
    what: 'A license is assigned at creation or later',
    enforcedBy: [{ file: SEAT_TAKE, symbols: ['assign'] }],
  },
  {
    id: 'L3',
    what: 'No free seat, no assignment; never over-allocate',
    enforcedBy: [
      { file: LICENSES, symbols: ['hasFreeSeat'] },
      {
        file: SEAT_TAKE,
        symbols: ['hold', 'assign'],
        note: 'one `free > 0` guarded, journaled update',
      },
      {
        file: 'src/tenant/seat-bulk.ts',
        symbols: ['holdMany'],
        note: "a batch's chunk: one `free >= n` guarded, journaled update per SKU",
      },
      {
        file: 'src/lifecycle/seat-queue.ts',
        symbols: ['promote'],
        note: 'waiting requests, in approval order',
      },
      {
        file: 'src/tenant/directory-seats.ts',
        symbols: ['applyDirectorySeats'],
        note: 'graph mode: seats used outside accessdesk are not free',
      },
    ],
  },
  {
    id: 'L4',
    what: 'An unaccepted invitation holds its seat for 14 days; expiry releases it',
    enforcedBy: [
      { file: LICENSES, symbols: ['invitationExpiresAt', 'isHoldExpired'] },
      { file: SEAT_TAKE, symbols: ['hold'] },
      { file: SEAT_CHANGE, symbols: ['confirmHeld'], note: 'an expired hold is released' },
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
      {
        file: 'src/tenant/directory-seats.ts',
        symbols: ['applyDirectorySeats'],
        note: "graph mode: never below accessdesk's own seats",
      },
    ],
  },
  {
    id: 'L6',
    what: 'Removing a license frees its seat; leaving the group does not',
    enforcedBy: [
      { file: SEAT_CHANGE, symbols: ['release'] },
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
];
