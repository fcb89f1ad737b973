import { grantItems } from '../src/lifecycle/grant.effects.ts';
import type {
  BulkOnboardingDetails,
  GrantDetails,
  OffboardingDetails,
  OnboardingDetails,
  RequestDoc,
  RoleChangeDetails,
} from '../src/lifecycle/request.model.ts';
import { decidedAt, requestStatus, statusWord } from '../src/lifecycle/status.ts';
import { durationWords } from '../src/tenant/grant-limits.rules.ts';
import { batchSummary } from './blocks/batch.ts';
import type { PersonRef, RequestView, SeatView } from './blocks/types.ts';
import type { TenantLookup } from './deps.ts';

/** A person by email as shown in Slack: their name and Slack id when the tenant knows them. */
export async function personRef(tenant: TenantLookup, email: string): Promise<PersonRef> {
  const person = await tenant.personByEmail(email);
  if (!person) return { email, name: email };
  return { email, name: `${person.firstName} ${person.lastName}`, slackId: person.slackId };
}

const MODE_WORDS: Record<string, string> = {
  read_write: 'Read-Write',
  administrative: 'Administrative',
  non_interactive: 'Non-interactive',
  application: 'Application user',
};

/** Timeline words for what moved a request on. */
const EVENT_WORDS: Record<string, string> = {
  'requester.submitted': 'requested',
  'approver.approved': 'approved',
  'approver.denied': 'denied',
  'requester.cancelled': 'cancelled',
  'invitee.accepted': 'invitation accepted',
  'seat.granted': 'a seat was free',
  'directory.provisioned': 'account created',
  'directory.applied': 'change applied',
  'directory.failed': 'provisioning failed',
  'invitation.issued': 'invitation sent',
  'timer.requestExpired': 'no decision in time',
  'timer.invitationExpired': 'invitation not accepted in time',
  'timer.effectiveDateReached': 'the effective date came',
  'system.cancelled': 'cancelled by accessdesk',
  'requester.left': 'taken over from the leaving requester',
  'directory.signInBlocked': 'sign-in blocked',
  'directory.groupsLeft': 'security groups left',
  'directory.adminRolesRevoked': 'admin roles revoked',
  'directory.seatsReleased': 'licenses removed',
  'requests.cancelled': 'open requests cancelled',
  'manager.told': 'manager told',
  'batch.admitted': 'admitted with its batch',
  'batch.queued': 'every person admitted',
  'batch.settled': 'every person invited or ended',
  'batch.reported': 'results file sent',
  'grant.applied': 'granted; the clock started',
  'timer.retentionEnded': 'the retention period is over',
  'directory.accountDeleted': 'account deleted',
  'account.kept': 'kept: the leaver was rehired',
  'timer.grantEnded': 'its time was up',
  'grant.revoked': 'taken back',
  'grant.revokeHeld': 'held: it would leave no Global admin (A2)',
};

function summaryOf(doc: RequestDoc): RequestView['summary'] {
  if (doc.kind === 'bulk_onboarding') return batchSummary(doc.details as BulkOnboardingDetails);
  if (doc.kind === 'onboarding' || doc.kind === 'bulk_member') {
    const d = doc.details as OnboardingDetails;
    return [
      { label: 'New account', value: `${d.firstName} ${d.lastName} (${d.email})` },
      ...(d.jobTitle ? [{ label: 'Job title', value: d.jobTitle }] : []),
      { label: 'License', value: d.sku },
      { label: 'Environment', value: `${d.environment} / ${d.businessUnit}` },
      { label: 'Security roles', value: d.securityRoles.join(', ') || '—' },
      { label: 'Access mode', value: MODE_WORDS[d.accessMode] ?? d.accessMode },
      ...(d.adminRoles.length ? [{ label: 'Admin roles', value: d.adminRoles.join(', ') }] : []),
      { label: 'Justification', value: d.justification },
    ];
  }
  if (doc.kind === 'time_bound_grant') return grantSummary(doc);
  if (doc.kind === 'offboarding') {
    const d = doc.details as OffboardingDetails;
    return [
      { label: 'Leaver', value: doc.subjectEmail },
      { label: 'Effective', value: d.effectiveAt.slice(0, 10) },
      { label: 'Closes', value: 'sign-in, security groups, admin roles, licenses, open requests' },
    ];
  }
  const d = doc.details as RoleChangeDetails;
  const what =
    d.securityRoles?.join(', ') ??
    d.adminRoles?.join(', ') ??
    (d.accessMode ? MODE_WORDS[d.accessMode] : undefined) ??
    d.sku ??
    '';
  return [
    { label: 'Change', value: `${d.change.replaceAll('_', ' ')}${what ? `: ${what}` : ''}` },
    ...(d.environment ? [{ label: 'Environment', value: d.environment }] : []),
    { label: 'Justification', value: d.justification },
  ];
}

/** A time-bound grant: what, for how long, and for an extension, since when it is held. */
function grantSummary(doc: RequestDoc): RequestView['summary'] {
  const d = doc.details as GrantDetails;
  const what = grantItems(d)
    .map((i) => i.label)
    .join(', ');
  const length = d.until ? `until ${d.until.slice(0, 10)}` : durationWords(d.durationMs ?? 0);
  const endsAt = doc.context.endsAt as string | undefined;
  const held = d.heldSince
    ? durationWords(
        Math.max(60_000, new Date(doc.createdAt).getTime() - new Date(d.heldSince).getTime()),
      )
    : undefined;
  return [
    { label: 'Grants', value: what },
    { label: 'For', value: `${length}, from when it is applied` },
    ...(d.extends
      ? [
          {
            label: 'Extension',
            value: `of ${d.extends}; held since ${d.heldSince?.slice(0, 16).replace('T', ' ') ?? '?'} UTC (${held ?? '?'} when asked)`,
          },
        ]
      : []),
    ...(endsAt ? [{ label: 'Ends', value: `${endsAt.slice(0, 16).replace('T', ' ')} UTC` }] : []),
    { label: 'Justification', value: d.justification },
  ];
}

/** The request as people see it: names, seat situation and timeline. */
export async function requestView(tenant: TenantLookup, doc: RequestDoc): Promise<RequestView> {
  const ctx = doc.context as {
    decidedBy?: string;
    denyReason?: string;
    endReason?: string;
    failureReason?: string;
    approvals?: Array<{ by: string }>;
    grantsGlobalAdmin?: boolean;
  };
  let sku: SeatView | undefined;
  if (doc.skuId) sku = await tenant.seatSummary(doc.skuId).catch(() => undefined);
  const decided = decidedAt(doc);
  return {
    id: doc._id,
    kind: doc.kind,
    ...requestStatus(doc),
    requester: await personRef(tenant, doc.requesterEmail),
    subject: await personRef(tenant, doc.subjectEmail),
    summary: summaryOf(doc),
    ...(typeof doc.context.endsAt === 'string' ? { endsAt: doc.context.endsAt } : {}),
    ...(doc.kind === 'time_bound_grant' && (doc.details as GrantDetails).extends
      ? { extends: (doc.details as GrantDetails).extends }
      : {}),
    ...(sku ? { sku } : {}),
    ...(ctx.decidedBy ? { decidedBy: await personRef(tenant, ctx.decidedBy) } : {}),
    ...(decided && ctx.decidedBy ? { decidedAt: decided.toISOString() } : {}),
    ...(ctx.denyReason ? { denyReason: ctx.denyReason } : {}),
    ...(ctx.endReason ? { endReason: ctx.endReason } : {}),
    ...(ctx.failureReason ? { failureReason: ctx.failureReason } : {}),
    approvals: ctx.approvals ?? [],
    needsSecondApproval: !!ctx.grantsGlobalAdmin,
    timeline: doc.history.map((h) => ({
      at: new Date(h.at).toISOString(),
      text: `${statusWord(doc.kind, h.to)}: ${EVENT_WORDS[h.event] ?? h.event}${h.actor === 'accessdesk' ? '' : ` by ${h.actor}`}`,
    })),
  };
}
