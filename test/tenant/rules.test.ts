import { describe, expect, it } from 'vitest';
import {
  ACCESS_MODES,
  countsTowardNonInteractiveLimit,
  defaultStubRole,
  effectiveAccessMode,
  isEnabled,
  isLicenseExempt,
} from '../../src/tenant/access.rules.ts';
import {
  environmentProfileUpdate,
  generateTemporaryPassword,
  hashPassword,
  normaliseUpnPart,
  PROFILE_FIELDS,
  upnCandidate,
} from '../../src/tenant/accounts.rules.ts';
import {
  ADMIN_ROLES,
  CONNECTED_SPACES_ROLES,
  globalAdminWarnings,
  isGlobalAdmin,
} from '../../src/tenant/admin.rules.ts';
import {
  hasFreeSeat,
  invitationExpiresAt,
  isHoldExpired,
  seatCountChangeAllowed,
} from '../../src/tenant/licenses.rules.ts';
import { mayInvite } from '../../src/tenant/onboarding.rules.ts';
import {
  effectiveRoles,
  mayAssignRoles,
  rolesOutsideBusinessUnit,
} from '../../src/tenant/security.rules.ts';
import { verifyPassword } from '../support/passwords.ts';

const base = {
  kind: 'dynamics' as const,
  signInAllowed: true,
  licensed: true,
  adminRoles: [],
  accessMode: 'read_write' as const,
  directMember: true,
  securityGroup: 'sg',
};

describe('pure rules', () => {
  it('T1: UPN candidates are first.last@domain in allowed characters, then numbered', () => {
    expect(upnCandidate('Zoë', "O'Brien-Smith", 'Contoso.example')).toBe(
      'zoe.obrien-smith@contoso.example',
    );
    expect(upnCandidate('José María', 'Núñez', 'contoso.example', 2)).toBe(
      'josemaria.nunez2@contoso.example',
    );
    expect(normaliseUpnPart('  Jürgen!! ')).toBe('jurgen');
    expect(upnCandidate('李', '王', 'contoso.example')).toBe('user@contoso.example');
  });

  it('T2: temporary passwords are strong and random; only a salted hash verifies them', async () => {
    const passwords = new Set(Array.from({ length: 50 }, () => generateTemporaryPassword()));
    expect(passwords.size).toBe(50);
    const password = [...passwords][0]!;
    for (const origin of ['generated', 'chosen'] as const) {
      const hash = await hashPassword(password, origin);
      expect(hash).not.toContain(password);
      expect(hash).not.toBe(await hashPassword(password, origin));
      expect(await verifyPassword(password, hash)).toBe(true);
      expect(await verifyPassword(`${password}x`, hash)).toBe(false);
      // A hash of one scheme relabelled as the other verifies nothing.
      const [scheme, ...rest] = hash.split('$');
      const other = scheme === 'scrypt' ? 'sha256' : 'scrypt';
      expect(await verifyPassword(password, [other, ...rest].join('$'))).toBe(false);
    }
    expect(await hashPassword(password, 'chosen')).toMatch(/^scrypt\$/);
    expect(await hashPassword(password, 'generated')).toMatch(/^sha256\$/);
  });

  it('T2: a generated temporary password carries at least 88 bits of entropy (why a fast hash suffices)', () => {
    // 12 characters drawn from the whole alphabet plus one from each of the four classes.
    const all = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!@#$%^&*-_=+?';
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) for (const c of generateTemporaryPassword()) seen.add(c);
    expect([...seen].every((c) => all.includes(c))).toBe(true);
    expect(seen.size).toBe(all.length);
    const bits = 12 * Math.log2(all.length) + Math.log2(25 * 24 * 8 * 13);
    expect(bits).toBeGreaterThan(88);
  });

  it('T3: every profile field goes to an environment record; primary email only when it is created', () => {
    expect(PROFILE_FIELDS).toHaveLength(12);
    const profile = { email: 'a@b.example', jobTitle: 'CEO', countryOrRegion: 'UK' };
    expect(environmentProfileUpdate(profile, false)).toEqual(profile);
    expect(environmentProfileUpdate(profile, true)).toEqual({
      jobTitle: 'CEO',
      countryOrRegion: 'UK',
    });
  });

  it('L4: a hold ends 14 days after issue; only a held seat expires, from that instant on', () => {
    const issued = new Date('2026-01-01T00:00:00Z');
    const expiresAt = invitationExpiresAt(issued);
    expect(expiresAt.toISOString()).toBe('2026-01-15T00:00:00.000Z');
    const held = { key: 'k', state: 'held' as const, expiresAt };
    expect(isHoldExpired(held, new Date('2026-01-14T23:59:59Z'))).toBe(false);
    expect(isHoldExpired(held, expiresAt)).toBe(true);
    expect(isHoldExpired(held, new Date('2026-02-01T00:00:00Z'))).toBe(true);
    expect(isHoldExpired({ ...held, state: 'assigned' }, expiresAt)).toBe(false);
    expect(isHoldExpired({ ...held, expiresAt: null }, expiresAt)).toBe(false);
  });

  it('L3: a seat can be taken only while at least one is free', () => {
    expect(hasFreeSeat(1)).toBe(true);
    expect(hasFreeSeat(0)).toBe(false);
    expect(hasFreeSeat(-1)).toBe(false);
  });

  it('L5: a seat count must be a whole number no lower than the seats in use', () => {
    expect(seatCountChangeAllowed(3, 3)).toBe(true);
    expect(seatCountChangeAllowed(3, 4)).toBe(true);
    expect(seatCountChangeAllowed(3, 2)).toBe(false);
    expect(seatCountChangeAllowed(0, 0)).toBe(true);
    expect(seatCountChangeAllowed(0, -1)).toBe(false);
    expect(seatCountChangeAllowed(0, 2.5)).toBe(false);
  });

  it('A2: isGlobalAdmin and the warnings below two', () => {
    expect(isGlobalAdmin(['Billing admin', 'Global admin'])).toBe(true);
    expect(isGlobalAdmin(['Billing admin'])).toBe(false);
    expect(ADMIN_ROLES).toContain('User management admin');
    expect(globalAdminWarnings(1)).toHaveLength(1);
    expect(globalAdminWarnings(2)).toEqual([]);
    expect(CONNECTED_SPACES_ROLES).toEqual(['Connected Store Admin', 'Connected Store Viewer']);
  });

  it('A3/M2–M4: who is license-exempt, and the mode an unlicensed admin gets', () => {
    expect(isLicenseExempt({ adminRoles: ['Global admin'] })).toBe(true);
    expect(isLicenseExempt({ adminRoles: ['Dynamics 365 admin'] })).toBe(true);
    expect(isLicenseExempt({ adminRoles: ['Billing admin'] })).toBe(false);
    expect(isLicenseExempt({ adminRoles: [], accessMode: 'administrative' })).toBe(true);
    expect(isLicenseExempt({ adminRoles: [], accessMode: 'non_interactive' })).toBe(true);
    expect(isLicenseExempt({ adminRoles: [], applicationUser: true })).toBe(true);
    expect(isLicenseExempt({ adminRoles: [], accessMode: 'read_write' })).toBe(false);
    expect(effectiveAccessMode('read_write', false, ['Global admin'])).toBe('administrative');
    expect(effectiveAccessMode('read_write', true, ['Global admin'])).toBe('read_write');
    expect(ACCESS_MODES).toEqual([
      'read_write',
      'administrative',
      'non_interactive',
      'application',
    ]);
  });

  it('E1: isEnabled lists every missing condition', () => {
    expect(isEnabled(base)).toEqual({ applicable: true, enabled: true, reasons: [] });
    const off = isEnabled({ ...base, signInAllowed: false, licensed: false, directMember: false });
    expect(off.enabled).toBe(false);
    expect(off.reasons).toHaveLength(3);
    expect(isEnabled({ ...base, kind: 'none' }).applicable).toBe(false);
    expect(isEnabled({ ...base, stub: true }).enabled).toBe(false);
  });

  it('S2/S3/S5: role union, business-unit bound roles, assignment to disabled users', () => {
    expect(effectiveRoles(['A'], [['B', 'A']], ['Service admin'])).toEqual([
      'A',
      'B',
      'System Administrator',
    ]);
    const units = [
      { id: 'root', roles: ['X'] },
      { id: 'sales', parent: 'root', roles: ['Y'] },
    ];
    expect(rolesOutsideBusinessUnit(units, 'sales', ['X', 'Y'])).toEqual(['X']);
    expect(mayAssignRoles(false, false)).toBe(false);
    expect(mayAssignRoles(false, true)).toBe(true);
  });

  it('M3/M4/M5: application users are not counted; stubs get a default role by kind', () => {
    expect(countsTowardNonInteractiveLimit('non_interactive', false)).toBe(true);
    expect(countsTowardNonInteractiveLimit('non_interactive', true)).toBe(false);
    expect(defaultStubRole('dynamics')).toBe('Salesperson');
    expect(defaultStubRole('powerapps')).toBe('Basic User');
  });
});

describe('onboarding order', () => {
  it('P3: invitations wait for an environment marked as still importing its data', () => {
    expect(mayInvite({})).toBe(true);
    expect(mayInvite({ dataImported: true })).toBe(true);
    expect(mayInvite({ dataImported: null })).toBe(true);
    expect(mayInvite({ dataImported: false })).toBe(false);
    expect(mayInvite({ dataImported: false, dataImportedAt: null })).toBe(false);
    expect(mayInvite({ dataImported: false, dataImportedAt: new Date(0) })).toBe(true);
  });
});
