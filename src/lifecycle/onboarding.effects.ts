import type { ONBOARDING_EFFECTS } from '../../machines/onboarding.machine.ts';
import type { Effect } from './effect-runner.ts';
import type { EffectDeps, Undo } from './effects.ts';
import type { Directory } from './ports.ts';
import { provisioningSteps } from './provisioning.ts';
import type { OnboardingDetails, RequestDoc } from './request.model.ts';

/** The effects only an onboarding names: provisioning (P1) and the accepted seat. */
export function onboardingEffects(
  deps: EffectDeps,
): Record<(typeof ONBOARDING_EFFECTS)[number], Effect> {
  const { lifecycle, clock, directory } = deps;
  return {
    provisionAccount: async (request, _item, completes) => {
      const account = await provisioningSteps(
        directory,
        request,
        request.details as OnboardingDetails,
      );
      await lifecycle.send(
        request._id,
        { type: 'directory.provisioned', accountId: account.accountId, upn: account.upn },
        { completes },
      );
      return undefined;
    },
    confirmSeat: async (request) => {
      if (request.skuId) await directory.confirmSeat(request.skuId, request._id);
      const usedAt = clock.now();
      return (doc) =>
        doc.invitation && !doc.invitation.usedAt
          ? { invitation: { ...doc.invitation, usedAt } }
          : undefined;
    },
  };
}

/** What a failed onboarding takes back from the account it created. */
export function onboardingUndo(directory: Directory): Undo {
  return (request) => undoAccount(directory, request);
}

/**
 * Takes back what a failed onboarding gave the account it created (found by the request's key,
 * since provisioning may have failed before it reported the account): admin roles, the security
 * group, sign-in. The account itself stays, blocked, so the person still has one account (L1).
 */
async function undoAccount(directory: Directory, request: RequestDoc): Promise<string[]> {
  const accountId =
    (request.context.accountId as string | undefined) ??
    (await directory.accountIdByKey(request._id));
  if (!accountId) return [];
  const details = request.details as OnboardingDetails;
  const undone: string[] = [];
  if (details.adminRoles.length) {
    try {
      await directory.revokeAdminRoles(accountId, details.adminRoles);
      undone.push(`revoked ${details.adminRoles.join(', ')}`);
    } catch (error) {
      undone.push(`could not revoke ${details.adminRoles.join(', ')}: ${(error as Error).message}`);
    }
  }
  await directory.removeFromSecurityGroup(details.environment, accountId);
  undone.push(`removed the account from ${details.environment}'s security group`);
  await directory.setSignInAllowed(accountId, false);
  undone.push('blocked sign-in of the account it created');
  return undone;
}
