import { assertEvent } from 'xstate';
import type { DecisionContext, PersonEvent, SystemEvent, TimerEvent } from './events.ts';

/** What a guard of either lifecycle is given. */
interface GuardArgs {
  context: DecisionContext;
  event: PersonEvent | TimerEvent | SystemEvent;
}

const actorEmail = (event: GuardArgs['event']) =>
  'actor' in event ? event.actor.email.toLowerCase() : undefined;

/**
 * The decision guards both lifecycles share: pure predicates over the context and the event
 * (the Global-admin guard, which needs the tenant's rules, is provided by src/lifecycle).
 */
export const decisionGuards = {
  /** Nobody decides a request they made or that is about them. */
  isRequesterOrSubject: ({ context, event }: GuardArgs) => {
    const email = actorEmail(event);
    return !!email && [context.requesterEmail, context.subjectEmail].includes(email);
  },
  /** The same Global admin cannot count twice toward the two a Global-admin grant needs. */
  hasApprovedAlready: ({ context, event }: GuardArgs) =>
    context.approvals.some((a) => a.by === actorEmail(event)),
  /** Asked at the first approval: a Global-admin grant needs a second, different Global admin. */
  needsSecondApproval: ({ context }: GuardArgs) => context.grantsGlobalAdmin,
  isRequester: ({ context, event }: GuardArgs) => actorEmail(event) === context.requesterEmail,
  /** The subject of the request: the invitee of an onboarding or of a re-enabling. */
  isSubject: ({ context, event }: GuardArgs) => actorEmail(event) === context.subjectEmail,
  /** The invitation has not expired yet at the moment of acceptance (L4). */
  invitationValid: ({ context, event }: GuardArgs) => {
    assertEvent(event, 'invitee.accepted');
    return (
      !context.invitationExpiresAt ||
      !event.at ||
      new Date(event.at) < new Date(context.invitationExpiresAt)
    );
  },
};
