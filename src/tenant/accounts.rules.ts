/** Accounts (T1–T5): user names, temporary passwords and profile fields. No I/O. */
import { createHash, randomBytes, randomInt, scrypt } from 'node:crypto';
import { promisify } from 'node:util';

/** T3: the directory profile fields copied to every environment (username is the UPN). */
export const PROFILE_FIELDS = [
  'jobTitle',
  'department',
  'office',
  'email',
  'officePhone',
  'mobilePhone',
  'fax',
  'streetAddress',
  'city',
  'stateOrProvince',
  'postalCode',
  'countryOrRegion',
] as const;

/** One optional profile field. */
export type ProfileField = (typeof PROFILE_FIELDS)[number];

/** T3: optional profile fields of an account. */
export type Profile = Partial<Record<ProfileField, string>>;

/** T3: full name is first name then last name. */
export function fullName(firstName: string, lastName: string): string {
  return `${firstName} ${lastName}`.trim();
}

/** T1: a name part reduced to the characters a user principal name allows. */
export function normaliseUpnPart(part: string): string {
  return part
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[\s']+/g, '')
    .replace(/[^a-z0-9._-]/g, '')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.-]+|[.-]+$/g, '');
}

/** T1: the `attempt`-th candidate UPN: `first.last@domain`, then `first.last2@domain`, … */
export function upnCandidate(first: string, last: string, domain: string, attempt = 1): string {
  const local =
    [normaliseUpnPart(first), normaliseUpnPart(last)].filter(Boolean).join('.') || 'user';
  return `${local}${attempt > 1 ? attempt : ''}@${domain.toLowerCase()}`;
}

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const SYMBOLS = '!@#$%^&*-_=+?';

/** T1: a strong temporary password (16 chars from all four classes, crypto-random). */
export function generateTemporaryPassword(length = 16): string {
  const all = LOWER + UPPER + DIGITS + SYMBOLS;
  const chars = [LOWER, UPPER, DIGITS, SYMBOLS].map((set) => set[randomInt(set.length)]!);
  while (chars.length < length) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

/** T1: problems with a permanent password an admin chose (empty when acceptable). */
export function passwordProblems(password: string): string[] {
  const problems: string[] = [];
  if (password.length < 12) problems.push('password: must be at least 12 characters');
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((r) => r.test(password));
  if (classes.length < 3) problems.push('password: needs three of lower, upper, digit, symbol');
  return problems;
}

const scryptAsync = promisify(scrypt) as (pw: string, salt: Buffer, len: number) => Promise<Buffer>;

/**
 * Who made a password up, which decides how it is hashed:
 * - `chosen`: a person (an admin's permanent password). People pick guessable ones, so it gets a
 *   slow, memory-hard hash (scrypt) that makes each guess against a leaked hash expensive.
 * - `generated`: `generateTemporaryPassword` (16 crypto-random characters from 70, about 90 bits).
 *   No guess list reaches it and a slow hash would add nothing an attacker notices (2^89 salted
 *   SHA-256 guesses is out of reach), so it gets a salted SHA-256, like a session or API token.
 */
export type PasswordOrigin = 'chosen' | 'generated';

/** T2: the only forms a password is ever stored in: `scrypt$<salt>$<hash>` or `sha256$…`. */
export async function hashPassword(password: string, origin: PasswordOrigin): Promise<string> {
  const salt = randomBytes(16);
  const scheme = origin === 'generated' ? 'sha256' : 'scrypt';
  return `${scheme}$${salt.toString('base64')}$${(await digest(scheme, password, salt, 32)).toString('base64')}`;
}

async function digest(scheme: 'scrypt' | 'sha256', password: string, salt: Buffer, length: number) {
  if (scheme === 'scrypt') return scryptAsync(password, salt, length);
  return createHash('sha256').update(salt).update(password, 'utf8').digest().subarray(0, length);
}

/** T3: the profile fields to write to an environment record; primary email only on creation. */
export function environmentProfileUpdate(profile: Profile, recordExists: boolean): Profile {
  const copy: Profile = {};
  for (const field of PROFILE_FIELDS) {
    if (field === 'email' && recordExists) continue;
    if (profile[field] !== undefined) copy[field] = profile[field];
  }
  return copy;
}
