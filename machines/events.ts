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

/** Events a person causes, shared by both lifecycles. */
export type PersonEvent =
  | { type: 'approver.approved'; actor: Actor }
  | { type: 'approver.denied'; actor: Actor; reason: string }
  | { type: 'requester.cancelled'; actor: Actor }
  | {
      type: 'invitee.accepted';
      actor: Actor /** When it was accepted (ISO), from the clock. */;
      at?: string;
    };

/** Events the durable scheduler sends when a stored deadline passes. */
export type TimerEvent =
  | { type: 'timer.reminderDue' }
  | { type: 'timer.escalationDue' }
  | { type: 'timer.requestExpired' }
  | { type: 'timer.invitationExpired' };

/** Events the effects send back once their work is done (or has failed for good). */
export type SystemEvent =
  | { type: 'seat.granted' }
  | { type: 'directory.provisioned'; accountId: string; upn: string }
  | { type: 'directory.applied' }
  | { type: 'directory.failed'; reason: string }
  | { type: 'invitation.issued'; expiresAt: string };

/** Context both lifecycles keep about the decision. */
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
