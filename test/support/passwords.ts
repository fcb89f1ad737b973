import { createHash, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (pw: string, salt: Buffer, len: number) => Promise<Buffer>;

/**
 * T2: whether `password` matches a stored `scrypt$<salt>$<hash>` or `sha256$<salt>$<hash>`.
 * accessdesk never checks a password itself (the directory does, at sign-in), so this reading of
 * the stored format lives with the tests that prove what was stored.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if ((scheme !== 'scrypt' && scheme !== 'sha256') || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const saltBytes = Buffer.from(salt, 'base64');
  const actual =
    scheme === 'scrypt'
      ? await scryptAsync(password, saltBytes, expected.length)
      : createHash('sha256').update(saltBytes).update(password, 'utf8').digest();
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
