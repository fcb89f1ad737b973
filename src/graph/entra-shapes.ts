/** Shapes of Graph's users and errors as the Entra adapter reads them. */
import { ErrorCode, RuleViolation } from '../errors.ts';
import { type ApiResponse, apiError } from './http.ts';

/** The user attribute that says which request made an account (a retry finds it, T1). */
export const MARK_ATTRIBUTE = 'extensionAttribute15';

export const SELECT_MARKED = 'id,userPrincipalName,onPremisesExtensionAttributes';

/** A user as createAccount reads it: its id, user name and request mark. */
export interface MarkedUser {
  id: string;
  upn: string;
  mark: string | undefined;
}

export function marked(user: unknown): MarkedUser {
  const u = user as {
    id: string;
    userPrincipalName?: string;
    onPremisesExtensionAttributes?: Record<string, string | null>;
  };
  return {
    id: String(u.id),
    upn: String(u.userPrincipalName ?? ''),
    mark: u.onPremisesExtensionAttributes?.[MARK_ATTRIBUTE] ?? undefined,
  };
}

/** L3: the ledger's no-free-seat outcome, for a subscription Microsoft 365 has used up. */
export function noLicenseLeft(skuId: string): RuleViolation {
  return new RuleViolation(
    ErrorCode.NoFreeSeat,
    'L3',
    `Microsoft 365 has no ${skuId} license left to assign; buy more to go on.`,
    { skuId },
  );
}

/** Graph's answer to a second user with the same name (ObjectConflict on userPrincipalName). */
export function isUpnConflict(res: ApiResponse): boolean {
  if (res.status !== 400 && res.status !== 409) return false;
  const details = (res.body?.error?.details ?? []) as Array<{ code?: string; target?: string }>;
  return (
    details.some((d) => d.code === 'ObjectConflict') ||
    /same value for property userPrincipalName/i.test(apiError(res).message)
  );
}

/** A query string with OData's `$` names kept readable. */
export function query(params: Record<string, string>): string {
  return new URLSearchParams(params).toString().replace(/%24/g, '$');
}
