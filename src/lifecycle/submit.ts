import type { Lifecycle } from './lifecycle.service.ts';
import type { OnboardingDetails, RequestDoc, RoleChangeDetails } from './request.model.ts';

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
