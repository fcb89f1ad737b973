import { describe, expect, it } from 'vitest';
import {
  applicationUserDisableWarnings,
  countsTowardNonInteractiveLimit,
  DEFAULT_ACCESS_MODE,
  defaultStubRole,
  effectiveAccessMode,
  hasDatabase,
  isEnabled,
  isLicenseExempt,
  modeNeedsLicenseToSetUp,
  requiresNewInvitation,
} from '../../src/tenant/access.rules.ts';
import {
  fullName,
  generateTemporaryPassword,
  normaliseUpnPart,
  passwordProblems,
} from '../../src/tenant/accounts.rules.ts';
import {
  adminRolesExemptFromLicense,
  globalAdminChangeOutcome,
  globalAdminWarnings,
  impliesSystemAdministrator,
  isAdminRole,
  isConnectedSpacesRole,
  mayCreatePartnerCenterUsers,
  mayPerform,
  partnerCenterCategory,
} from '../../src/tenant/admin.rules.ts';
import { seatsInUse } from '../../src/tenant/licenses.rules.ts';
import {
  copyRoleTarget,
  defaultSecurityRoles,
  hasAccessByRoles,
  roleExists,
  roleRemovalWarnings,
  rolesOutsideBusinessUnit,
  union,
  withDefaultRoles,
} from '../../src/tenant/security.rules.ts';

/** A user who meets every condition of E1. */
const enabled = {
  kind: 'dynamics' as const,
  signInAllowed: true,
  licensed: true,
  adminRoles: [] as string[],
  accessMode: 'read_write' as const,
  directMember: true,
  securityGroup: 'sg-sales',
};

describe('the rules at their edges', () => {
  it('T1: user name parts keep letters, digits, dots and dashes, with no dots or dashes at the ends', () => {
    expect(normaliseUpnPart('Straße')).toBe('strasse');
    expect(normaliseUpnPart("D'Arcy  Mae")).toBe('darcymae');
    expect(normaliseUpnPart('a..b...c')).toBe('a.b.c');
    expect(normaliseUpnPart('.-ann-.')).toBe('ann');
    expect(normaliseUpnPart('..ann..')).toBe('ann');
    expect(normaliseUpnPart('x_y-z.1')).toBe('x_y-z.1');
  });

  it('T1: a chosen permanent password needs 12 characters and three kinds of character', () => {
    const short = 'password: must be at least 12 characters';
    const weak = 'password: needs three of lower, upper, digit, symbol';
    expect(passwordProblems('Abcdefgh123!')).toEqual([]);
    expect(passwordProblems('abcdefgh1234')).toEqual([weak]);
    expect(passwordProblems('Abc1!')).toEqual([short]);
    expect(passwordProblems('abc')).toEqual([short, weak]);
    expect(passwordProblems('abcdefghijk1')).toEqual([weak]);
    expect(passwordProblems('ABCDEFGHIJK1a')).toEqual([]);
    expect(passwordProblems('abcdefghijK!')).toEqual([]);
    expect(passwordProblems('abcdefghij1!')).toEqual([]);
    expect(passwordProblems('ABCDEFGHIJ1!')).toEqual([]);
    expect(passwordProblems('!!!!!!!!!!aA')).toEqual([]);
    expect(passwordProblems('aaaaaaaaaaaa')).toEqual([weak]);
    expect(passwordProblems('Aaaaaaaaaaa')).toEqual([short, weak]);
  });

  it('T1: a generated password has the length asked for and one character of each kind', () => {
    for (const length of [4, 16, 24]) {
      const password = generateTemporaryPassword(length);
      expect(password).toHaveLength(length);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[2-9]/);
      expect(password).toMatch(/[!@#$%^&*\-_=+?]/);
    }
    expect(generateTemporaryPassword()).toHaveLength(16);
  });

  it('T3: the full name is first then last name, without stray spaces', () => {
    expect(fullName('Ada', 'Lovelace')).toBe('Ada Lovelace');
    expect(fullName('Cher', '')).toBe('Cher');
  });

  it('L5: seats in use are assigned plus held', () => {
    const holders = [
      { key: 'a', state: 'assigned' as const },
      { key: 'b', state: 'held' as const },
      { key: 'c', state: 'held' as const },
    ];
    expect(seatsInUse(holders)).toEqual({ assigned: 1, held: 2, used: 3 });
    expect(seatsInUse([])).toEqual({ assigned: 0, held: 0, used: 0 });
  });

  it('A1: admin roles are the subscription roles only, never security roles', () => {
    expect(isAdminRole('Global admin')).toBe(true);
    expect(isAdminRole('Dynamics 365 admin')).toBe(true);
    expect(isAdminRole('System Administrator')).toBe(false);
    expect(isAdminRole('Salesperson')).toBe(false);
  });

  it('A2: what each admin role may do in the subscription', () => {
    const all = ['buy-subscriptions', 'billing', 'reset-passwords', 'manage-users'] as const;
    const may = (roles: string[]) => all.filter((action) => mayPerform(roles, action));
    expect(may(['Global admin'])).toEqual([...all]);
    expect(may(['Billing admin'])).toEqual(['billing']);
    expect(may(['Password admin'])).toEqual(['reset-passwords']);
    expect(may(['User management admin'])).toEqual(['reset-passwords', 'manage-users']);
    expect(may(['Service admin'])).toEqual([]);
    expect(may(['Power Platform admin', 'Dynamics 365 admin'])).toEqual([]);
    expect(may(['Salesperson'])).toEqual([]);
    expect(may(['Billing admin', 'Password admin'])).toEqual(['billing', 'reset-passwords']);
  });

  it('A2: a change leaving no Global admin is refused, one leaves a warning, two are fine', () => {
    expect([-1, 0, 1, 2, 3].map(globalAdminChangeOutcome)).toEqual([
      'refuse',
      'refuse',
      'warn',
      'ok',
      'ok',
    ]);
    expect(globalAdminWarnings(1)).toEqual([
      'A2: only 1 Global admin would remain; keep at least two.',
    ]);
    expect(globalAdminWarnings(0)).toEqual([]);
    expect(globalAdminWarnings(3)).toEqual([]);
  });

  it('A3: Global and Service admins hold System Administrator; platform admins need no license', () => {
    expect(impliesSystemAdministrator(['Global admin'])).toBe(true);
    expect(impliesSystemAdministrator(['Service admin'])).toBe(true);
    expect(impliesSystemAdministrator(['Billing admin', 'Dynamics 365 admin'])).toBe(false);
    expect(adminRolesExemptFromLicense(['Power Platform admin'])).toBe(true);
    expect(adminRolesExemptFromLicense(['Global admin'])).toBe(true);
    expect(adminRolesExemptFromLicense(['Service admin', 'Billing admin'])).toBe(false);
    expect(adminRolesExemptFromLicense([])).toBe(false);
  });

  it('A4: Partner Center roles fall in three categories; three roles may create its users', () => {
    expect(partnerCenterCategory('Sales agent')).toBe('csp');
    expect(partnerCenterCategory('User management admin')).toBe('directory');
    expect(partnerCenterCategory('Incentive admin')).toBe('company');
    expect(partnerCenterCategory('Salesperson')).toBeUndefined();
    for (const role of ['Account admin', 'Global admin', 'User management admin']) {
      expect(mayCreatePartnerCenterUsers(['Sales agent', role])).toBe(true);
    }
    expect(mayCreatePartnerCenterUsers(['Sales agent', 'Billing admin'])).toBe(false);
  });

  it('A5: Connected Spaces has its own two roles', () => {
    expect(isConnectedSpacesRole('Connected Store Admin')).toBe(true);
    expect(isConnectedSpacesRole('Connected Store Viewer')).toBe(true);
    expect(isConnectedSpacesRole('Salesperson')).toBe(false);
  });

  it('S1: no security role means no access', () => {
    expect(hasAccessByRoles([])).toBe(false);
    expect(hasAccessByRoles(['Basic User'])).toBe(true);
  });

  it('S3: roles of another business unit, or of an unknown unit, are outside it', () => {
    const units = [
      { id: 'root', roles: ['Basic User'] },
      { id: 'sales', parent: 'root', roles: ['Salesperson'] },
    ];
    expect(rolesOutsideBusinessUnit(units, 'root', ['Basic User', 'Salesperson'])).toEqual([
      'Salesperson',
    ]);
    expect(rolesOutsideBusinessUnit(units, 'nowhere', ['Basic User'])).toEqual(['Basic User']);
    expect(roleExists(units, 'Salesperson')).toBe(true);
    expect(roleExists(units, 'Auditor')).toBe(false);
  });

  it('S4: every environment kind starts with its default roles, on its root unit only', () => {
    const standard = ['System Administrator', 'System Customizer', 'Salesperson', 'Basic User'];
    expect(defaultSecurityRoles('dynamics')).toEqual(standard);
    expect(defaultSecurityRoles('powerapps')).toEqual(standard);
    expect(defaultSecurityRoles('connected-spaces')).toEqual([
      'Connected Store Admin',
      'Connected Store Viewer',
    ]);
    expect(defaultSecurityRoles('none')).toEqual([]);
    const units = withDefaultRoles('dynamics', [
      { id: 'root', parent: null, roles: ['Auditor', 'Basic User'] },
      { id: 'sales', parent: 'root', roles: ['Sales Manager'] },
    ]);
    expect(units).toEqual([
      { id: 'root', parent: null, roles: [...standard, 'Auditor'] },
      { id: 'sales', parent: 'root', roles: ['Sales Manager'] },
    ]);
  });

  it('S4: a custom role is a copy of an existing role under a new name, in its unit', () => {
    const units = [
      { id: 'root', roles: ['Basic User'] },
      { id: 'sales', roles: ['Salesperson'] },
    ];
    expect(copyRoleTarget(units, 'Salesperson', 'Key Account Manager')).toEqual({
      ok: true,
      unitId: 'sales',
    });
    expect(copyRoleTarget(units, 'Nope', 'X')).toEqual({
      ok: false,
      problem: 'S4: there is no role "Nope" to copy',
    });
    expect(copyRoleTarget(units, 'Salesperson', 'Basic User')).toEqual({
      ok: false,
      problem: 'S4: "Basic User" already exists',
    });
  });

  it('S6: removing the last role warns that it is not the way to remove access', () => {
    expect(roleRemovalWarnings(['Basic User'])).toEqual([]);
    const [warning, ...more] = roleRemovalWarnings([]);
    expect(more).toEqual([]);
    expect(warning).toMatch(/^S6: with no security role left the user is blocked/);
    expect(warning).toContain('take them out of the security group instead');
  });

  it('S2: a union keeps the first-seen order and drops repeats', () => {
    expect(union(['b', 'a'], ['a', 'c'], [], ['b'])).toEqual(['b', 'a', 'c']);
    expect(union()).toEqual([]);
  });

  it('E1: each missing condition is named with its rule', () => {
    expect(isEnabled({ ...enabled, deleted: true }).reasons).toEqual([
      'T5: the account is deleted',
    ]);
    expect(isEnabled({ ...enabled, signInAllowed: false }).reasons).toEqual([
      'T4: sign-in is blocked',
    ]);
    expect(isEnabled({ ...enabled, licensed: false }).reasons).toEqual([
      'L1: no license for this service',
    ]);
    expect(isEnabled({ ...enabled, directMember: false }).reasons).toEqual([
      'E1: not a direct member of security group sg-sales',
    ]);
    expect(isEnabled({ ...enabled, directMember: false, nestedMemberOnly: true }).reasons).toEqual([
      'E4: only a member of a group nested in sg-sales; nested groups do not count',
    ]);
    expect(isEnabled({ ...enabled, licensed: false, adminRoles: ['Global admin'] })).toEqual({
      applicable: true,
      enabled: true,
      reasons: [],
    });
  });

  it('E6/M5: no database, no enablement; a stub is never enabled', () => {
    expect(isEnabled({ ...enabled, kind: 'none' })).toEqual({
      applicable: false,
      enabled: false,
      reasons: ['E6: this environment has no database'],
    });
    expect(isEnabled({ ...enabled, stub: true })).toEqual({
      applicable: true,
      enabled: false,
      reasons: ['M5: a stub user can never be enabled'],
    });
    expect(hasDatabase('none')).toBe(false);
    expect(hasDatabase('connected-spaces')).toBe(true);
  });

  it('M4: an application user is enabled on creation, without license or group, until disabled', () => {
    const app = { ...enabled, licensed: false, directMember: false, applicationUser: true };
    expect(isEnabled(app)).toEqual({ applicable: true, enabled: true, reasons: [] });
    expect(isEnabled({ ...app, applicationEnabled: true }).enabled).toBe(true);
    expect(isEnabled({ ...app, applicationEnabled: false })).toEqual({
      applicable: true,
      enabled: false,
      reasons: ['M4: application user disabled'],
    });
    expect(applicationUserDisableWarnings(true)).toEqual([]);
    expect(applicationUserDisableWarnings(false)).toEqual([
      'M4: disabling an application user breaks every integration that uses it.',
    ]);
    expect(countsTowardNonInteractiveLimit('read_write', false)).toBe(false);
    expect(countsTowardNonInteractiveLimit('application', true)).toBe(false);
  });

  it('M1/M2/M3: read-write by default; administrative and non-interactive are set up licensed', () => {
    expect(DEFAULT_ACCESS_MODE).toBe('read_write');
    expect(modeNeedsLicenseToSetUp('administrative')).toBe(true);
    expect(modeNeedsLicenseToSetUp('non_interactive')).toBe(true);
    expect(modeNeedsLicenseToSetUp('read_write')).toBe(false);
    expect(modeNeedsLicenseToSetUp('application')).toBe(false);
    expect(isLicenseExempt({ adminRoles: [], accessMode: 'application' })).toBe(true);
    expect(isLicenseExempt({ adminRoles: [], applicationUser: false })).toBe(false);
  });

  it('A3/M2: only an unlicensed read-write admin is moved to Administrative mode', () => {
    expect(effectiveAccessMode('read_write', false, ['Billing admin'])).toBe('read_write');
    expect(effectiveAccessMode('non_interactive', false, ['Global admin'])).toBe('non_interactive');
    expect(effectiveAccessMode('read_write', false, [])).toBe('read_write');
  });

  it('M5: a stub gets Salesperson in Dynamics 365, Basic User in Power Apps, else nothing', () => {
    expect(defaultStubRole('dynamics')).toBe('Salesperson');
    expect(defaultStubRole('powerapps')).toBe('Basic User');
    expect(defaultStubRole('connected-spaces')).toBeUndefined();
    expect(defaultStubRole('none')).toBeUndefined();
  });

  it('E3: a user disabled in the environment needs a new invitation; others do not', () => {
    expect(requiresNewInvitation({ disabledAt: new Date(0) })).toBe(true);
    expect(requiresNewInvitation({ disabledAt: null })).toBe(false);
    expect(requiresNewInvitation({})).toBe(false);
    expect(requiresNewInvitation(null)).toBe(false);
  });
});
