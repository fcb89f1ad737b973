import { assign, not, type StateMachine, setup } from 'xstate';
import { decisionGuards } from './decision.guards.ts';
import type { DecisionContext, DecisionInput, RefusalReason, RequestEvent } from './events.ts';
import { TAG, type Tag } from './tags.ts';

/** Placeholder for an effect or guard that `src/lifecycle` must provide. */
export const provided = (name: string) => () => {
  throw new Error(`${name} must be provided by src/lifecycle`);
};

/** One placeholder per effect name: the machine names its effects, `src/lifecycle` runs them. */
export function effects<const Name extends string>(names: readonly Name[]) {
  return Object.fromEntries(names.map((n) => [n, provided(n)])) as unknown as Record<
    Name,
    () => void
  >;
}

/** The effects the shared decision part names, whatever the kind of request. */
export const DECISION_EFFECTS = [
  'notifyApprovers',
  'remindApprovers',
  'escalateToGlobalAdmins',
  'requestSeat',
  'issueInvitation',
  'releaseSeat',
  'undoProvisioning',
] as const;
/** An effect of the shared decision part. */
export type DecisionEffect = (typeof DECISION_EFFECTS)[number];

/** The names of the actions a machine declares in its setup (effects and context updates). */
export type ActionNameOf<M> =
  M extends StateMachine<
    infer _C,
    infer _E,
    infer _Ch,
    infer _Ac,
    infer A,
    infer _G,
    infer _D,
    infer _S,
    infer _T,
    infer _I,
    infer _O,
    infer _Em,
    infer _M,
    infer _Sc
  >
    ? A['type']
    : never;

const refuse = (reason: RefusalReason) => ({ type: 'refuseAttempt', params: { reason } }) as const;
const end = (reason: string) => ({ type: 'recordEnd', params: { reason } }) as const;

/**
 * What every request kind is decided by, shared so that no decision rule is written twice: the
 * context, events and tags, the decision guards (a Global admin, not the requester or subject,
 * a second approver for a Global-admin grant) and actions, and the states of the decision (see
 * `requested`). A kind extends it with its own effects and states.
 */
export function requestSetup<TContext extends DecisionContext, TInput extends DecisionInput>() {
  return setup({
    types: {
      context: {} as TContext,
      events: {} as RequestEvent,
      input: {} as TInput,
      tags: {} as Tag,
    },
    guards: {
      /** The actor is a Global admin right now (tenant rules, A2). */
      isGlobalAdmin: provided('isGlobalAdmin'),
      ...decisionGuards,
    },
    actions: {
      recordApproval: assign(
        ({ context, event }) =>
          ({
            approvals:
              'actor' in event
                ? [...context.approvals, { by: event.actor.email.toLowerCase() }]
                : context.approvals,
          }) as Partial<TContext>,
      ),
      recordDecision: assign(
        ({ event }) =>
          ({
            decidedBy: 'actor' in event ? event.actor.email.toLowerCase() : undefined,
            denyReason: event.type === 'approver.denied' ? event.reason : undefined,
          }) as Partial<TContext>,
      ),
      recordEnd: assign(
        (_, params: { reason: string }) => ({ endReason: params.reason }) as Partial<TContext>,
      ),
      /** accessdesk ended the request on its own (`system.cancelled`): its reason is kept. */
      recordSystemEnd: assign(
        ({ event }) =>
          ({
            endReason: event.type === 'system.cancelled' ? event.reason : undefined,
          }) as Partial<TContext>,
      ),
      recordInvitation: assign(
        ({ event }) =>
          ({
            invitationExpiresAt: event.type === 'invitation.issued' ? event.expiresAt : undefined,
          }) as Partial<TContext>,
      ),
      recordFailure: assign(
        ({ event }) =>
          ({
            failureReason: event.type === 'directory.failed' ? event.reason : undefined,
          }) as Partial<TContext>,
      ),
      /** The attempt changes nothing; the lifecycle audits it and tells the actor why. */
      refuseAttempt: provided('refuseAttempt') as (
        _: unknown,
        params: { reason: RefusalReason },
      ) => void,
      ...effects(DECISION_EFFECTS),
    },
  });
}

/** Only a Global admin who is neither the requester nor the subject decides (A2). */
const deciderChecks = [
  { guard: not('isGlobalAdmin'), actions: refuse('not_global_admin') },
  { guard: 'isRequesterOrSubject', actions: refuse('own_request') },
] as const;

/** Only the requester cancels. */
const requesterCheck = { guard: not('isRequester'), actions: refuse('not_requester') } as const;

/**
 * The requester cancels until `#<id>.<state>` (without anything to give back): what a kind's
 * own waiting states take, beside the decision's.
 */
export function requesterCancel<const Target extends string>(target: Target) {
  return [requesterCheck, { target, actions: end('cancelled by the requester') }] as const;
}

// accessdesk cancels an open request itself (`system.cancelled`) when its requester or subject
// leaves, an offboarding's step: wherever the requester could cancel, and nowhere else.

/**
 * The state of the decision, the same for every kind of request: `requested` (approve with the
 * quorum a Global-admin grant needs, deny, cancel, reminders, escalation, expiry). Approval goes
 * to `#<id>.approved`, which the kind defines; the other ends are `endings`.
 */
export function requested<const Id extends string>(id: Id, grant: string) {
  const approve = {
    target: `#${id}.approved`,
    actions: ['recordApproval', 'recordDecision'],
  } as const;
  return {
    requested: {
      description: 'Validated and waiting for a Global admin who is neither requester nor subject.',
      initial: 'awaitingApproval',
      tags: [TAG.undecided, 'waiting for approval'],
      entry: 'notifyApprovers',
      on: {
        'approver.denied': [...deciderChecks, { target: 'denied', actions: 'recordDecision' }],
        'requester.cancelled': [
          requesterCheck,
          { target: 'cancelled', actions: end('cancelled by the requester') },
        ],
        'system.cancelled': { target: 'cancelled', actions: 'recordSystemEnd' },
        'timer.reminderDue': { actions: 'remindApprovers' },
        'timer.escalationDue': { actions: 'escalateToGlobalAdmins' },
        'timer.requestExpired': {
          target: 'expired',
          actions: end('no decision arrived in time'),
        },
      },
      states: {
        awaitingApproval: {
          on: {
            'approver.approved': [
              ...deciderChecks,
              {
                guard: 'needsSecondApproval',
                target: 'awaitingSecondApproval',
                actions: 'recordApproval',
              },
              approve,
            ],
          },
        },
        awaitingSecondApproval: {
          description: `The ${grant} grants (or takes away) Global admin: a second, different Global admin must approve.`,
          on: {
            'approver.approved': [
              ...deciderChecks,
              { guard: 'hasApprovedAlready', actions: refuse('same_approver_twice') },
              approve,
            ],
          },
        },
      },
    },
  } as const;
}

/**
 * The config of a request kind's machine but its context: its `id`, starting `requested` (the
 * shared decision, see `requested`), then the kind's own `states` (its `approved` and the rest).
 */
export function decidedThen<const Id extends string, const States extends object>(
  id: Id,
  grant: string,
  states: States,
) {
  return { id, initial: 'requested', states: { ...requested(id, grant), ...states } } as const;
}

/** The endings that give nothing, the same for every kind: a failure undoes what was done. */
export const endings = {
  denied: { type: 'final', tags: [TAG.endedWithoutSeat, 'denied'] },
  cancelled: { type: 'final', tags: [TAG.endedWithoutSeat, 'cancelled'] },
  expired: { type: 'final', tags: [TAG.endedWithoutSeat, 'expired'] },
  failed: { type: 'final', tags: [TAG.endedWithoutSeat, 'failed'], entry: 'undoProvisioning' },
} as const;

/**
 * Approved, queued for a seat of the SKU (L3) until `seat.granted` moves it to `then`; the
 * requester may still cancel, which gives the place up.
 */
export function waitingForSeat<const Id extends string>(id: Id, then: string, description: string) {
  return {
    description,
    entry: 'requestSeat',
    tags: [TAG.waitingForSeat, 'waiting for a seat'],
    on: {
      'seat.granted': then,
      'requester.cancelled': [
        requesterCheck,
        {
          target: `#${id}.cancelled`,
          actions: ['releaseSeat', end('cancelled by the requester')],
        },
      ],
      'system.cancelled': {
        target: `#${id}.cancelled`,
        actions: ['releaseSeat', 'recordSystemEnd'],
      },
    },
  } as const;
}

/**
 * After the approval of a change that may need a seat: `routing` goes to `waitingForSeat` when
 * the machine's `needsSeat` guard says so (then to `applying` once a seat is granted), else
 * straight to `applying`, which the kind defines beside these.
 */
export function seatRouting<const Id extends string>(id: Id, description: string) {
  return {
    routing: {
      tags: 'approved',
      always: [{ guard: 'needsSeat', target: 'waitingForSeat' }, { target: 'applying' }],
    },
    waitingForSeat: waitingForSeat(id, 'applying', description),
  } as const;
}

/**
 * An issued invitation holds the seat until the subject accepts it in time (then `accepted`,
 * running `onAccept`) or until it expires (L4), which releases the seat.
 */
export function invitation<const Accept extends string>(onAccept: Accept) {
  return {
    'invitee.accepted': [
      { guard: not('isSubject'), actions: refuse('not_invitee') },
      { guard: not('invitationValid'), actions: refuse('invitation_expired') },
      { target: 'accepted', actions: onAccept },
    ],
    'timer.invitationExpired': {
      target: 'expired',
      actions: ['releaseSeat', end('the invitation was not accepted within its time (L4)')],
    },
  } as const;
}
