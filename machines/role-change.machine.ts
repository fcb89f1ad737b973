import { assign, not, setup } from 'xstate';
import { decisionGuards } from './decision.guards.ts';
import {
  type DecisionContext,
  type DecisionInput,
  initialDecisionContext,
  type PersonEvent,
  type RefusalReason,
  type SystemEvent,
  type TimerEvent,
} from './events.ts';
import { TAG, type Tag } from './tags.ts';

/** Placeholder for an effect or guard that `src/lifecycle` must provide. */
const provided = (name: string) => () => {
  throw new Error(`${name} must be provided by src/lifecycle`);
};

/** What a role change needs to start, beyond who asked for whom. */
export interface RoleChangeInput extends DecisionInput {
  /** The change adds a license, so it must wait for a seat (L3). */
  needsSeat: boolean;
  /** The change re-enables a disabled user, which takes a new invitation (E3). */
  reenables: boolean;
}

/** Role-change context: the decision plus what the change needs. */
export interface RoleChangeContext extends DecisionContext {
  needsSeat: boolean;
  reenables: boolean;
}

/**
 * The role-change lifecycle: security roles, admin roles, access mode, a license, or
 * enable/disable for an existing account. Re-enabling goes through a new invitation (E3).
 */
export const roleChangeMachine = setup({
  types: {
    context: {} as RoleChangeContext,
    events: {} as PersonEvent | TimerEvent | SystemEvent,
    input: {} as RoleChangeInput,
    tags: {} as Tag,
  },
  guards: {
    /** The actor is a Global admin right now (tenant rules, A2). */
    isGlobalAdmin: provided('isGlobalAdmin'),
    ...decisionGuards,
    needsSeat: ({ context }) => context.needsSeat,
    reenables: ({ context }) => context.reenables,
  },
  actions: {
    recordApproval: assign({
      approvals: ({ context, event }) =>
        'actor' in event
          ? [...context.approvals, { by: event.actor.email.toLowerCase() }]
          : context.approvals,
    }),
    recordDecision: assign({
      decidedBy: ({ event }) => ('actor' in event ? event.actor.email.toLowerCase() : undefined),
      denyReason: ({ event }) => (event.type === 'approver.denied' ? event.reason : undefined),
    }),
    recordEnd: assign({
      endReason: (_, params: { reason: string }) => params.reason,
    }),
    recordInvitation: assign({
      invitationExpiresAt: ({ event }) =>
        event.type === 'invitation.issued' ? event.expiresAt : undefined,
    }),
    recordFailure: assign({
      failureReason: ({ event }) => (event.type === 'directory.failed' ? event.reason : undefined),
    }),
    /** The attempt changes nothing; the lifecycle audits it and tells the actor why. */
    refuseAttempt: provided('refuseAttempt') as (
      _: unknown,
      params: { reason: RefusalReason },
    ) => void,
    notifyApprovers: provided('notifyApprovers'),
    remindApprovers: provided('remindApprovers'),
    escalateToGlobalAdmins: provided('escalateToGlobalAdmins'),
    requestSeat: provided('requestSeat'),
    applyChange: provided('applyChange'),
    issueInvitation: provided('issueInvitation'),
    completeReenable: provided('completeReenable'),
    releaseSeat: provided('releaseSeat'),
    undoProvisioning: provided('undoProvisioning'),
  },
}).createMachine({
  id: 'roleChange',
  context: ({ input }) => ({
    ...initialDecisionContext(input),
    needsSeat: input.needsSeat,
    reenables: input.reenables,
  }),
  initial: 'requested',
  states: {
    requested: {
      description: 'Validated and waiting for a Global admin who is neither requester nor subject.',
      initial: 'awaitingApproval',
      tags: TAG.undecided,
      entry: 'notifyApprovers',
      on: {
        'approver.denied': [
          {
            guard: not('isGlobalAdmin'),
            actions: { type: 'refuseAttempt', params: { reason: 'not_global_admin' } },
          },
          {
            guard: 'isRequesterOrSubject',
            actions: { type: 'refuseAttempt', params: { reason: 'own_request' } },
          },
          { target: 'denied', actions: 'recordDecision' },
        ],
        'requester.cancelled': [
          {
            guard: not('isRequester'),
            actions: { type: 'refuseAttempt', params: { reason: 'not_requester' } },
          },
          {
            target: 'cancelled',
            actions: { type: 'recordEnd', params: { reason: 'cancelled by the requester' } },
          },
        ],
        'timer.reminderDue': { actions: 'remindApprovers' },
        'timer.escalationDue': { actions: 'escalateToGlobalAdmins' },
        'timer.requestExpired': {
          target: 'expired',
          actions: { type: 'recordEnd', params: { reason: 'no decision arrived in time' } },
        },
      },
      states: {
        awaitingApproval: {
          on: {
            'approver.approved': [
              {
                guard: not('isGlobalAdmin'),
                actions: { type: 'refuseAttempt', params: { reason: 'not_global_admin' } },
              },
              {
                guard: 'isRequesterOrSubject',
                actions: { type: 'refuseAttempt', params: { reason: 'own_request' } },
              },
              {
                guard: 'needsSecondApproval',
                target: 'awaitingSecondApproval',
                actions: 'recordApproval',
              },
              { target: '#roleChange.approved', actions: ['recordApproval', 'recordDecision'] },
            ],
          },
        },
        awaitingSecondApproval: {
          description:
            'The change grants Global admin: a second, different Global admin must approve.',
          on: {
            'approver.approved': [
              {
                guard: not('isGlobalAdmin'),
                actions: { type: 'refuseAttempt', params: { reason: 'not_global_admin' } },
              },
              {
                guard: 'isRequesterOrSubject',
                actions: { type: 'refuseAttempt', params: { reason: 'own_request' } },
              },
              {
                guard: 'hasApprovedAlready',
                actions: { type: 'refuseAttempt', params: { reason: 'same_approver_twice' } },
              },
              { target: '#roleChange.approved', actions: ['recordApproval', 'recordDecision'] },
            ],
          },
        },
      },
    },
    approved: {
      initial: 'routing',
      states: {
        routing: {
          always: [{ guard: 'needsSeat', target: 'waitingForSeat' }, { target: 'applying' }],
        },
        waitingForSeat: {
          description: 'The change adds a license and waits for a seat (L3), in approval order.',
          entry: 'requestSeat',
          tags: TAG.waitingForSeat,
          on: {
            'seat.granted': 'applying',
            'requester.cancelled': [
              {
                guard: not('isRequester'),
                actions: { type: 'refuseAttempt', params: { reason: 'not_requester' } },
              },
              {
                target: '#roleChange.cancelled',
                actions: [
                  'releaseSeat',
                  { type: 'recordEnd', params: { reason: 'cancelled by the requester' } },
                ],
              },
            ],
          },
        },
        applying: {
          description: 'The directory applies the change; every step idempotent.',
          entry: 'applyChange',
          on: {
            'directory.applied': [
              { guard: 'reenables', target: '#roleChange.invited' },
              { target: '#roleChange.applied' },
            ],
            'directory.failed': { target: '#roleChange.failed', actions: 'recordFailure' },
          },
        },
      },
    },
    invited: {
      description:
        'Re-enabling a disabled user takes a new invitation (E3); it holds the seat (L4).',
      entry: 'issueInvitation',
      on: {
        'invitation.issued': { actions: 'recordInvitation' },
        'invitee.accepted': [
          {
            guard: not('isSubject'),
            actions: { type: 'refuseAttempt', params: { reason: 'not_invitee' } },
          },
          {
            guard: not('invitationValid'),
            actions: { type: 'refuseAttempt', params: { reason: 'invitation_expired' } },
          },
          { target: 'accepted', actions: 'completeReenable' },
        ],
        'timer.invitationExpired': {
          target: 'expired',
          actions: [
            'releaseSeat',
            {
              type: 'recordEnd',
              params: { reason: 'the invitation was not accepted within its time (L4)' },
            },
          ],
        },
      },
    },
    applied: { type: 'final', description: 'The change is in effect.' },
    accepted: { type: 'final', description: 'The re-enabled user accepted the new invitation.' },
    denied: { type: 'final', tags: TAG.endedWithoutSeat },
    cancelled: { type: 'final', tags: TAG.endedWithoutSeat },
    expired: { type: 'final', tags: TAG.endedWithoutSeat },
    failed: { type: 'final', tags: TAG.endedWithoutSeat, entry: 'undoProvisioning' },
  },
});
