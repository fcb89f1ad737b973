import { createHash, randomBytes } from 'node:crypto';

/** An invitation token as links carry it: 32 random bytes in base64url (43 characters). */
export const INVITATION_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** A fresh one-time invitation token. */
export function newInvitationToken(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 of an invitation token: only the hash is stored (the token works once). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
