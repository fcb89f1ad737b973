import { ErrorCode, RuleViolation } from '../errors.ts';
import { globalAdminChangeOutcome } from '../tenant/admin.rules.ts';
import type { Lifecycle } from './lifecycle.service.ts';
import type { People } from './ports.ts';
import type {
  OffboardingDetails,
  OnboardingDetails,
  RequestDoc,
  RoleChangeDetails,
} from './request.model.ts';

/** Creates an onboarding request in `requested` and queues the approval card. */
export function submitOnboarding(
  lifecycle: Lifecycle,
  requesterEmail: string,
  details: OnboardingDetails,
): Promise<RequestDoc> {
  return lifecycle.submit({
    kind: 'onboarding',
    requesterEmail,
    subjectEmail: details.email,
    details,
    input: {
      grantsGlobalAdmin: details.adminRoles.includes('Global admin'),
      needsSeat: false,
      reenables: false,
    },
    skuId: details.sku,
  });
}

/**
 * Creates a role-change request for the account of `subjectEmail`. Enabling someone again
 * goes through a new invitation (E3): the request says so itself, from what it asks.
 */
export function submitRoleChange(
  lifecycle: Lifecycle,
  requesterEmail: string,
  subjectEmail: string,
  details: RoleChangeDetails,
): Promise<RequestDoc> {
  return lifecycle.submit({
    kind: 'role_change',
    requesterEmail,
    subjectEmail,
    details,
    input: {
      grantsGlobalAdmin:
        details.change === 'admin_roles_grant' &&
        (details.adminRoles ?? []).includes('Global admin'),
      needsSeat: details.change === 'license_add',
      reenables: details.change === 'enable',
    },
    skuId: details.change === 'license_add' ? details.sku : undefined,
  });
}

/**
 * Creates an offboarding of `subjectEmail`'s account, effective at `details.effectiveAt` (now or
 * later). A2: refused before anyone decides when the leaver is the tenant's last Global admin.
 */
export async function submitOffboarding(
  lifecycle: Lifecycle,
  people: Pick<People, 'globalAdmins'>,
  requesterEmail: string,
  subjectEmail: string,
  details: OffboardingDetails,
): Promise<RequestDoc> {
  const subject = subjectEmail.toLowerCase();
  const admins = (await people.globalAdmins()).map((e) => e.toLowerCase());
  if (admins.includes(subject)) {
    if (globalAdminChangeOutcome(admins.length - 1) === 'refuse') {
      throw new RuleViolation(
        ErrorCode.LastGlobalAdmin,
        'A2',
        `${subjectEmail} is the last Global admin; offboarding them would leave the tenant without one. Make someone else Global admin first.`,
      );
    }
  }
  return lifecycle.submit({
    kind: 'offboarding',
    requesterEmail,
    subjectEmail,
    details,
    input: { grantsGlobalAdmin: false, effectiveAt: details.effectiveAt },
  });
}
