import type { Lifecycle } from './lifecycle.service.ts';
import type { RequestDoc } from './request.model.ts';

/*
 * The request kinds: what each asks and how it starts. A new kind adds its details and submit
 * function here, its machine to `machines.ts`, its effects to `effects.ts`, and its flow; the
 * kernel (lifecycle, store, runner, scheduler, seat queue) does not change.
 */

/** Which lifecycle a request follows. */
export type RequestKind = 'onboarding' | 'role_change';

/** What was asked: onboarding fields or the change. Validated at the edge before it gets here. */
export interface OnboardingDetails {
  firstName: string;
  lastName: string;
  email: string;
  jobTitle?: string;
  department?: string;
  office?: string;
  mobilePhone?: string;
  managerEmail?: string;
  sku: string;
  environment: string;
  businessUnit: string;
  securityRoles: string[];
  accessMode: 'read_write' | 'administrative' | 'non_interactive' | 'application';
  adminRoles: string[];
  justification: string;
}

/** A role change of an existing account. */
export interface RoleChangeDetails {
  change:
    | 'security_roles_add'
    | 'security_roles_remove'
    | 'admin_roles_grant'
    | 'admin_roles_revoke'
    | 'access_mode'
    | 'license_add'
    | 'license_remove'
    | 'enable'
    | 'disable';
  environment?: string;
  securityRoles?: string[];
  adminRoles?: string[];
  accessMode?: OnboardingDetails['accessMode'];
  sku?: string;
  justification: string;
}

/** What any request asks. */
export type RequestDetails = OnboardingDetails | RoleChangeDetails;

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

/** Creates a role-change request for the account of `subjectEmail`. */
export function submitRoleChange(
  lifecycle: Lifecycle,
  requesterEmail: string,
  subjectEmail: string,
  details: RoleChangeDetails,
  reenables: boolean,
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
      reenables,
    },
    skuId: details.change === 'license_add' ? details.sku : undefined,
  });
}
