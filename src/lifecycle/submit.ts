import { AccessdeskError, ErrorCode, RuleViolation } from '../errors.ts';
import { globalAdminChangeOutcome } from '../tenant/admin.rules.ts';
import type { Lifecycle } from './lifecycle.service.ts';
import type { People } from './ports.ts';
import type {
  GrantDetails,
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
  const leaverIsGlobalAdmin = admins.includes(subject);
  if (leaverIsGlobalAdmin) {
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
    // Taking Global admin away is decided like granting it: by two different Global admins.
    input: { grantsGlobalAdmin: leaverIsGlobalAdmin, effectiveAt: details.effectiveAt },
  });
}

/**
 * Creates a time-bound grant for the account of `subjectEmail` (or, with `details.extends`, an
 * extension of one: a new request for the same grant, decided like any other).
 */
export function submitGrant(
  lifecycle: Lifecycle,
  requesterEmail: string,
  subjectEmail: string,
  details: GrantDetails,
): Promise<RequestDoc> {
  const license = details.grant === 'license';
  return lifecycle.submit({
    kind: 'time_bound_grant',
    requesterEmail,
    subjectEmail,
    details,
    input: {
      grantsGlobalAdmin:
        details.grant === 'admin_roles' && (details.adminRoles ?? []).includes('Global admin'),
      needsSeat: license,
    },
    skuId: license ? details.sku : undefined,
  });
}

/**
 * The extension of the time-bound grant `original` asked by `requesterEmail`: the same grant for
 * the same time again, starting where the original ends while it still runs. Its card says it is
 * an extension and since when the person has held the access.
 */
export function submitExtension(
  lifecycle: Lifecycle,
  requesterEmail: string,
  original: RequestDoc,
): Promise<RequestDoc> {
  const asker = requesterEmail.toLowerCase();
  // Only the person or the grant's requester extends it; for anyone else it does not exist.
  if (
    original.kind !== 'time_bound_grant' ||
    ![original.subjectEmail, original.requesterEmail].includes(asker)
  ) {
    throw new AccessdeskError(ErrorCode.NotFound, `Not found: ${original._id}.`);
  }
  const d = original.details as GrantDetails;
  const appliedAt = original.context.appliedAt as string | undefined;
  const endsAt = original.context.endsAt as string | undefined;
  const durationMs =
    d.durationMs ??
    (appliedAt && endsAt ? new Date(endsAt).getTime() - new Date(appliedAt).getTime() : 0);
  const { until: _until, ...rest } = d;
  return submitGrant(lifecycle, requesterEmail, original.subjectEmail, {
    ...rest,
    durationMs,
    extends: original._id,
    ...(d.heldSince || appliedAt ? { heldSince: d.heldSince ?? appliedAt } : {}),
  });
}
