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

/**
 * The onboarding lifecycle: an account for a new hire (or oneself), from the request to the
 * accepted invitation. The machine imports no I/O: effects and the Global-admin guard are named
 * here and provided in `src/lifecycle`; effects run only after the new state is saved.
 */
export const onboardingMachine = setup({
  types: {
    context: {} as DecisionContext,
    events: {} as PersonEvent | TimerEvent | SystemEvent,
    input: {} as DecisionInput,
    tags: {} as Tag,
  },
  guards: {
    /** The actor is a Global admin right now (tenant rules, A2). */
    isGlobalAdmin: provided('isGlobalAdmin'),
    ...decisionGuards,
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
    recordAccount: assign({
      accountId: ({ event }) =>
        event.type === 'directory.provisioned' ? event.accountId : undefined,
      upn: ({ event }) => (event.type === 'directory.provisioned' ? event.upn : undefined),
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
    provisionAccount: provided('provisionAccount'),
    issueInvitation: provided('issueInvitation'),
    confirmSeat: provided('confirmSeat'),
    releaseSeat: provided('releaseSeat'),
    undoProvisioning: provided('undoProvisioning'),
  },
}).createMachine({
  id: 'onboarding',
  context: ({ input }) => initialDecisionContext(input),
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
              { target: '#onboarding.approved', actions: ['recordApproval', 'recordDecision'] },
            ],
          },
        },
        awaitingSecondApproval: {
          description:
            'The request grants Global admin: a second, different Global admin must approve.',
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
              { target: '#onboarding.approved', actions: ['recordApproval', 'recordDecision'] },
            ],
          },
        },
      },
    },
    approved: {
      initial: 'waitingForSeat',
      states: {
        waitingForSeat: {
          description:
            'Queued for a seat of the SKU (L3). Seats go to waiting requests in approval order.',
          entry: 'requestSeat',
          tags: TAG.waitingForSeat,
          on: {
            'seat.granted': 'provisioning',
            'requester.cancelled': [
              {
                guard: not('isRequester'),
                actions: { type: 'refuseAttempt', params: { reason: 'not_requester' } },
              },
              {
                target: '#onboarding.cancelled',
                actions: [
                  'releaseSeat',
                  { type: 'recordEnd', params: { reason: 'cancelled by the requester' } },
                ],
              },
            ],
          },
        },
        provisioning: {
          description:
            'P1 in the directory (account, seat, admin roles, group) then in the environment (business unit, roles, access mode); every step idempotent.',
          entry: 'provisionAccount',
          on: {
            'directory.provisioned': {
              target: '#onboarding.provisioned',
              actions: 'recordAccount',
            },
            'directory.failed': { target: '#onboarding.failed', actions: 'recordFailure' },
          },
        },
      },
    },
    provisioned: {
      description: 'The account exists and holds its seat; the invitation is being issued (P2).',
      entry: 'issueInvitation',
      on: {
        'invitation.issued': { target: 'invited', actions: 'recordInvitation' },
        'directory.failed': { target: 'failed', actions: 'recordFailure' },
      },
    },
    invited: {
      description: 'The invitation holds the seat until accepted or until it expires (L4).',
      on: {
        'invitee.accepted': [
          {
            guard: not('isSubject'),
            actions: { type: 'refuseAttempt', params: { reason: 'not_invitee' } },
          },
          {
            guard: not('invitationValid'),
            actions: { type: 'refuseAttempt', params: { reason: 'invitation_expired' } },
          },
          { target: 'accepted', actions: 'confirmSeat' },
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
    accepted: { type: 'final', description: 'The held seat became an assigned one.' },
    denied: { type: 'final', tags: TAG.endedWithoutSeat },
    cancelled: { type: 'final', tags: TAG.endedWithoutSeat },
    expired: { type: 'final', tags: TAG.endedWithoutSeat },
    failed: { type: 'final', tags: TAG.endedWithoutSeat, entry: 'undoProvisioning' },
  },
});
