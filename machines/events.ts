import * as z from 'zod';

/** Who caused an event, resolved from the tenant at the moment of the click (not when posted). */
export const actorSchema = z.object({
  email: z.string(),
  name: z.string().optional(),
  /** The actor's admin roles read from the tenant right now. */
  adminRoles: z.array(z.string()),
});
export type Actor = z.infer<typeof actorSchema>;

/** Why an attempt was refused; the lifecycle maps each to words and writes it to the audit trail. */
export type RefusalReason =
  | 'not_global_admin'
  | 'own_request'
  | 'same_approver_twice'
  | 'not_requester'
  | 'not_invitee'
  | 'invitation_expired';

/** Events a person causes, shared by every lifecycle. */
export const personEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('approver.approved'), actor: actorSchema }),
  z.object({ type: z.literal('approver.denied'), actor: actorSchema, reason: z.string() }),
  z.object({ type: z.literal('requester.cancelled'), actor: actorSchema }),
  z.object({
    type: z.literal('invitee.accepted'),
    actor: actorSchema,
    /** When it was accepted (ISO), from the clock. */
    at: z.string().optional(),
  }),
]);
export type PersonEvent = z.infer<typeof personEventSchema>;

/** Events the durable scheduler sends when a stored deadline passes. */
export const timerEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('timer.reminderDue') }),
  z.object({ type: z.literal('timer.escalationDue') }),
  z.object({ type: z.literal('timer.requestExpired') }),
  z.object({ type: z.literal('timer.invitationExpired') }),
  /** An offboarding's effective date has come (a deadline stored once it was approved). */
  z.object({ type: z.literal('timer.effectiveDateReached') }),
  /** A time-bound grant's end comes closer: one of its warnings is due. */
  z.object({ type: z.literal('timer.grantWarningDue') }),
  /** A time-bound grant's end has come (or a held revocation is tried again). */
  z.object({ type: z.literal('timer.grantEnded') }),
  /** A leaver's account has been kept for the retention period (ACCESSDESK_DELETE_AFTER). */
  z.object({ type: z.literal('timer.retentionEnded') }),
]);
export type TimerEvent = z.infer<typeof timerEventSchema>;

/** Events the effects send back once their work is done (or has failed for good). */
export const systemEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('seat.granted') }),
  /** L3: the directory had no license left when the held seat was to be licensed: wait again. */
  z.object({ type: z.literal('seat.lost') }),
  z.object({ type: z.literal('directory.provisioned'), accountId: z.string(), upn: z.string() }),
  z.object({ type: z.literal('directory.applied') }),
  z.object({ type: z.literal('directory.failed'), reason: z.string() }),
  z.object({ type: z.literal('invitation.issued'), expiresAt: z.string() }),
  /** accessdesk itself ends an open request (its requester or subject left the company). */
  z.object({ type: z.literal('system.cancelled'), reason: z.string() }),
  // An offboarding's steps, one event each: a late repeat of one step never moves another on.
  z.object({ type: z.literal('directory.signInBlocked') }),
  z.object({ type: z.literal('directory.groupsLeft') }),
  z.object({ type: z.literal('directory.adminRolesRevoked') }),
  z.object({ type: z.literal('directory.seatsReleased') }),
  z.object({ type: z.literal('requests.cancelled') }),
  // A bulk onboarding (one batch of people from a CSV) and each person in it.
  /** Another chunk of the batch's people was admitted; more remain. */
  z.object({ type: z.literal('batch.progressed') }),
  /** Every person of the batch is admitted as a request of their own. */
  z.object({ type: z.literal('batch.queued') }),
  /** Every person of the batch is invited or has ended. */
  z.object({ type: z.literal('batch.settled') }),
  /** The requester has the results file. */
  z.object({ type: z.literal('batch.reported') }),
  /** A person of an approved batch is admitted: their own onboarding goes on from here. */
  z.object({
    type: z.literal('batch.admitted'),
    /** The batch took the person's seat under their request's key, nobody waiting before them. */
    seatHeld: z.boolean().optional(),
  }),
  /** The last step; with `deleteAt`, the account is deleted then (a retention period is set). */
  z.object({ type: z.literal('manager.told'), deleteAt: z.string().optional() }),
  z.object({ type: z.literal('directory.accountDeleted') }),
  /** The leaver came back (a rehire enabled the account): it is not deleted. */
  z.object({ type: z.literal('account.kept') }),
  // A time-bound grant: applied (its clock starts now), revoked at its end, or the revocation
  // held because it would leave the tenant without a Global admin (A2).
  z.object({ type: z.literal('grant.applied'), appliedAt: z.string(), endsAt: z.string() }),
  z.object({ type: z.literal('grant.revoked') }),
  // When the held revocation was tried (ISO): counted on the request, not in its history.
  z.object({
    type: z.literal('grant.revokeHeld'),
    reason: z.string(),
    triedAt: z.string().optional(),
  }),
]);
export type SystemEvent = z.infer<typeof systemEventSchema>;

/** Every event a request's machine takes: what the lifecycle parses before the machine runs. */
export const requestEventSchema = z.discriminatedUnion('type', [
  ...personEventSchema.options,
  ...timerEventSchema.options,
  ...systemEventSchema.options,
]);
export type RequestEvent = z.infer<typeof requestEventSchema>;

/** Context every lifecycle keeps about the decision. */
export interface DecisionContext {
  requestId: string;
  requesterEmail: string;
  subjectEmail: string;
  /** Granting Global admin needs two distinct Global admins. */
  grantsGlobalAdmin: boolean;
  approvals: Array<{ by: string; at?: string }>;
  decidedBy?: string;
  denyReason?: string;
  endReason?: string;
  failureReason?: string;
  accountId?: string;
  upn?: string;
  invitationExpiresAt?: string;
}

/** What a lifecycle needs to start. */
export interface DecisionInput {
  requestId: string;
  requesterEmail: string;
  subjectEmail: string;
  grantsGlobalAdmin: boolean;
}

/** The context at creation. */
export function initialDecisionContext(input: DecisionInput): DecisionContext {
  return { ...input, approvals: [] };
}
