import { AccessdeskError, ErrorCode } from '../errors.ts';
import { type ProvisioningStep, provisioningOrder } from '../tenant/onboarding.rules.ts';
import type { Directory, DirectoryAccount } from './ports.ts';
import type { OnboardingDetails, RequestDoc, RoleChangeDetails } from './request.model.ts';

/**
 * P1 in order: the account, its seat and admin roles in the directory, then the environment
 * (security group, business unit, security roles, access mode: in one call where the directory
 * can check their rules itself, else one step at a time). Each step is idempotent, keyed by
 * the request, so running the whole list again after a crash creates and takes nothing twice.
 */
export async function provisioningSteps(
  directory: Directory,
  request: RequestDoc,
  details: OnboardingDetails,
): Promise<DirectoryAccount> {
  let account: DirectoryAccount | undefined;
  const made = () => {
    if (!account) throw new Error('P1: the environment step ran before the directory step');
    return account;
  };
  const steps: Record<ProvisioningStep, () => Promise<unknown>> = {
    directory: async () => {
      account = await directory.createAccount(request._id, details);
      await directory.bindSeat(details.sku, request._id, account.accountId);
      if (details.adminRoles.length)
        await directory.grantAdminRoles(account.accountId, details.adminRoles);
    },
    environment: async () => {
      if (await directory.placeInEnvironment?.(made(), details)) return;
      const { accountId } = made();
      await directory.addToSecurityGroup(details.environment, accountId);
      await directory.assignBusinessUnit(details.environment, accountId, details.businessUnit);
      await directory.assignSecurityRoles(details.environment, accountId, details.securityRoles);
      await directory.setAccessMode(details.environment, accountId, details.accessMode);
    },
  };
  for (const step of provisioningOrder()) await steps[step]();
  return made();
}

/** Applies an approved role change to the subject's account; idempotent like provisioning. */
export async function applyRoleChange(
  directory: Directory,
  request: RequestDoc,
  details: RoleChangeDetails,
): Promise<void> {
  const accountId = await directory.accountIdByEmail(request.subjectEmail);
  if (!accountId) {
    throw new AccessdeskError(ErrorCode.NotFound, `${request.subjectEmail} has no account.`);
  }
  const env = details.environment ?? '';
  switch (details.change) {
    case 'security_roles_add':
      return directory.assignSecurityRoles(env, accountId, details.securityRoles ?? []);
    case 'security_roles_remove':
      await directory.removeSecurityRoles(env, accountId, details.securityRoles ?? []);
      return;
    case 'admin_roles_grant':
      await directory.grantAdminRoles(accountId, details.adminRoles ?? []);
      return;
    case 'admin_roles_revoke':
      await directory.revokeAdminRoles(accountId, details.adminRoles ?? []);
      return;
    case 'access_mode':
      return directory.setAccessMode(env, accountId, details.accessMode ?? 'read_write');
    case 'license_add':
      await directory.bindSeat(details.sku ?? '', request._id, accountId);
      return directory.confirmSeat(details.sku ?? '', request._id);
    case 'license_remove':
      return directory.releaseAccountSeat(details.sku ?? '', accountId);
    case 'enable':
      // E3: access comes back only once the new invitation is accepted (completeReenable).
      return;
    case 'disable':
      // E2: prefer removing the user from the environment's group; without one, block sign-in.
      if (env) return directory.removeFromSecurityGroup(env, accountId);
      return directory.setSignInAllowed(accountId, false);
  }
}
