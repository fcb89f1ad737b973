import * as decision from './decision.ts';
import { initialDecisionContext } from './events.ts';
import { onboardingSetup } from './onboarding.machine.ts';
import * as parts from './parts.ts';
import { TAG } from './tags.ts';

/** The effects only a person of a batch names, beside the decision's and onboarding's. */
export const BULK_MEMBER_EFFECTS = ['provisionAccount', 'confirmSeat', 'reportToBatch'] as const;

/** Every effect a person of a batch names. */
export type BulkMemberEffect = decision.DecisionEffect | (typeof BULK_MEMBER_EFFECTS)[number];

/** Where a person of a batch is, as the batch counts it (the `reportToBatch` effect's param). */
export type BatchRowState =
  | 'waiting'
  | 'provisioning'
  | 'provisioned'
  | 'invited'
  | 'accepted'
  | 'ended';

const report = (state: BatchRowState) => ({ type: 'reportToBatch', params: { state } }) as const;
/** An ending of the shared decision part that also tells the batch the person has ended. */
const ended = <const S extends { type: 'final' }>(state: S) => ({
  ...state,
  entry: [
    ...('entry' in state ? [state.entry as 'undoProvisioning'] : []),
    report('ended'),
  ] as const,
});

/**
 * One person of an approved bulk onboarding: an onboarding whose decision was the batch's. It
 * waits (`admitted`, still undecided for the seat queue's order) until the batch admits it, then
 * takes the onboarding's path: seat (L3), provisioning (P1), invitation (P2, L4), acceptance.
 * Every state tells the batch where the person is.
 */
export const bulkMemberMachine = onboardingSetup(BULK_MEMBER_EFFECTS).createMachine({
  id: 'bulkMember',
  context: ({ input }) => initialDecisionContext(input),
  initial: 'admitted',
  states: {
    admitted: {
      description:
        'Created by the approved batch; admitted at once (leaving it is the approval the seat queue orders by).',
      tags: [TAG.undecided, 'approved'],
      on: {
        'batch.admitted': [
          {
            // L3 still holds: the seat was taken by the ledger's guarded take, for this
            // request, while no request of the SKU waited (the queue's order is kept).
            guard: ({ event }) => event.type === 'batch.admitted' && !!event.seatHeld,
            target: '#bulkMember.approved.provisioning',
          },
          { target: '#bulkMember.approved' },
        ],
        'system.cancelled': { target: 'cancelled', actions: 'recordSystemEnd' },
      },
    },
    ...parts.provisioningPath(
      'bulkMember',
      {
        waiting: 'Queued for a seat of the SKU (L3), in approval order with every other request.',
        provisioning: 'P1, exactly as an onboarding: every step keyed by this request.',
        invited:
          "The invitation holds the seat (L4); its one-time link is in the requester's results file.",
      },
      report,
    ),
    denied: ended(decision.endings.denied),
    cancelled: ended(decision.endings.cancelled),
    expired: ended(decision.endings.expired),
    failed: ended(decision.endings.failed),
  },
});
