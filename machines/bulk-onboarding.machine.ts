import * as decision from './decision.ts';
import { type DecisionContext, type DecisionInput, initialDecisionContext } from './events.ts';

/** The effects only a bulk onboarding names, beside the decision's. */
export const BULK_ONBOARDING_EFFECTS = [
  'admitPeople',
  'startProgress',
  'sendBatchResults',
  'dropStagedPeople',
] as const;

/** Every effect a bulk onboarding names: what `src/lifecycle` must provide for it. */
export type BulkOnboardingEffect =
  | decision.DecisionEffect
  | (typeof BULK_ONBOARDING_EFFECTS)[number];

/** What a bulk onboarding needs to start, beyond who asked. */
export interface BulkOnboardingInput extends DecisionInput {
  /** How many people the batch onboards (its rows are documents of their own). */
  people: number;
}

/** A bulk onboarding's context: the decision and the size of the batch. */
export interface BulkOnboardingContext extends DecisionContext {
  people: number;
}

/**
 * A batch of new hires from one CSV file: one request, one card, one decision (the shared
 * decision part: a Global admin who is not the requester). Once approved, each person becomes an
 * onboarding of their own (`bulk-member.machine.ts`), admitted a chunk at a time; the batch
 * waits for all of them and ends by handing the requester the results file.
 */
export const bulkOnboardingMachine = decision
  .requestSetup<BulkOnboardingContext, BulkOnboardingInput>()
  .extend({ actions: decision.effects(BULK_ONBOARDING_EFFECTS) })
  .createMachine({
    context: ({ input }) => ({ ...initialDecisionContext(input), people: input.people }),
    ...decision.decidedThen('bulkOnboarding', 'batch', {
      approved: {
        initial: 'admitting',
        entry: 'startProgress',
        states: {
          admitting: {
            description:
              'Each person becomes an onboarding of their own, keyed by the batch and the row, a chunk per step so a crash resumes at the next row.',
            tags: 'provisioning',
            entry: 'admitPeople',
            on: {
              'batch.progressed': { target: 'admitting', reenter: true },
              'batch.queued': 'running',
            },
          },
          running: {
            description:
              'The people go through seat, provisioning and invitation; the batch counts them.',
            tags: 'provisioning',
            on: { 'batch.settled': '#bulkOnboarding.reporting' },
          },
        },
      },
      reporting: {
        description: "The requester's private results file: user names and one-time links.",
        tags: 'provisioning',
        entry: 'sendBatchResults',
        on: { 'batch.reported': 'completed' },
      },
      completed: {
        type: 'final',
        tags: 'completed',
        description: 'Every person is invited (or ended); the requester has the results file.',
      },
      // Denied, cancelled or expired before anyone was admitted: the staged rows go too.
      denied: { ...decision.endings.denied, entry: 'dropStagedPeople' },
      cancelled: { ...decision.endings.cancelled, entry: 'dropStagedPeople' },
      expired: { ...decision.endings.expired, entry: 'dropStagedPeople' },
      failed: decision.endings.failed,
    }),
  });
