import { ACCESS, CONTEXT, ENVIRONMENTS, MODES, ONBOARDING, SECURITY } from './files.ts';
import type { RuleEntry } from './types.ts';

/** Security-role, environment, access-mode and onboarding rules (S, E, M, P), in order. */
export const ENVIRONMENT_RULES: readonly RuleEntry[] = [
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
      {
        file: 'src/tenant/environments-bulk.ts',
        symbols: ['placeMany', 'placeOne'],
        note: "a batch's chunk; a new hire in one call",
      },
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
      {
        file: 'src/tenant/environments-bulk.ts',
        symbols: ['placeMany', 'placeOne'],
        note: "a batch's chunk; a new hire in one call",
      },
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
    enforcedBy: [
      { file: CONTEXT, symbols: ['computeEnablement'], note: 'direct members only' },
      {
        file: 'src/tenant/group-members.ts',
        symbols: ['nestedMemberOnly'],
        note: 'one document per direct member; nested groups only say why not',
      },
    ],
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
      { file: MODES, symbols: ['setAccessMode'] },
      {
        file: 'src/tenant/non-interactive.service.ts',
        symbols: ['take', 'setLimit'],
        note: 'a guarded `nonInteractiveFree` counter, one document per place',
      },
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
      {
        file: 'flows/import/csv.ts',
        symbols: ['validateCsv'],
        note: 'every row of an import file, through parseOnboarding',
      },
    ],
  },
];
