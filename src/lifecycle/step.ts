import type { RefusalReason } from '../../machines/events.ts';
import { TAG } from '../../machines/tags.ts';
import { nextDeadline, planDeadlines } from './deadlines.ts';
import { type MachineRegistry, statusOf } from './machine-registry.ts';
import { outboxItems, REFUSE } from './outbox.ts';
import type { RequestDoc } from './request.model.ts';
import type { Change } from './request-store.ts';

/** What an event does to a request, decided on one copy of it (a pure function of it). */
export type Verdict =
  | { kind: 'refused'; reason: RefusalReason; change?: undefined }
  /** Nothing moves; `change` only completes outbox items the event was sent for. */
  | { kind: 'ignored'; reason: 'already_decided' | 'not_applicable'; change?: Change }
  | { kind: 'transitioned'; change: Change; from: string; to: string; queued: string[] };

/** What `step` needs besides the document and the event. */
export interface StepContext {
  machines: MachineRegistry;
  now: Date;
  actorEmail: string;
  /** Outbox items the event completes (the effect sending it, and those before it). */
  completes?: string[] | undefined;
  /** Fields saved with the change. */
  patch?: Partial<RequestDoc> | undefined;
  /** How long queued effects are leased to this process. */
  leaseUntil: Date;
}

/**
 * Runs `event` through the request's machine and says what to save: the new state, its
 * deadlines, the effects it queues in the outbox, a history line when the status changed.
 */
export function step(doc: RequestDoc, event: { type: string }, ctx: StepContext): Verdict {
  const { machines } = ctx;
  const snapshot = machines.restore(doc.kind, doc.state, doc.context);
  const [next, actions] = machines.next(doc.kind, snapshot, event);
  const refusal = actions.find((a) => a.type === REFUSE);
  if (refusal)
    return { kind: 'refused', reason: (refusal.params as { reason: RefusalReason }).reason };
  // A targetless transition that only names effects (`timer.reminderDue`) returns the same
  // snapshot object with actions: that is a change to save, not an event to ignore.
  const changesNothing =
    !actions.length &&
    (next === snapshot || (next.value === snapshot.value && next.context === snapshot.context));
  if (changesNothing) {
    const undecided = machines.hasTag(doc.kind, doc.status, TAG.undecided);
    const done = new Set(ctx.completes);
    const completing = doc.outbox.some((i) => done.has(i.key) && i.status === 'pending');
    return {
      kind: 'ignored',
      reason: doc.done || !undecided ? 'already_decided' : 'not_applicable',
      ...(completing
        ? { change: { set: { outbox: doc.outbox.filter((i) => !done.has(i.key)) } } }
        : {}),
    };
  }
  const status = statusOf(next.value);
  const isDone = next.status === 'done';
  const version = doc.version + 1;
  const changed = status !== doc.status;
  const context = next.context as Record<string, unknown>;
  const undecided = next.hasTag(TAG.undecided);
  const deadlines = planDeadlines(
    doc.deadlines,
    undecided,
    isDone,
    context.invitationExpiresAt as string | undefined,
  );
  // Done items leave the outbox: it holds what is still to run (or failed for good).
  const completes = new Set(ctx.completes);
  const outbox = doc.outbox.filter((item) => !completes.has(item.key));
  const queued = outboxItems(actions, version, changed, ctx.now, ctx.leaseUntil);
  outbox.push(...queued);
  // Leaving the decision for a state that goes on is an approval: the seat queue's order.
  const approved = machines.hasTag(doc.kind, doc.status, TAG.undecided) && !undecided && !isDone;
  const set: Partial<RequestDoc> = {
    ...ctx.patch,
    status,
    done: isDone,
    state: next.value,
    context,
    outbox,
    deadlines,
    nextDeadlineAt: nextDeadline(deadlines),
    ...(approved ? { approvedAt: ctx.now } : {}),
  };
  const push = changed
    ? { at: ctx.now, from: doc.status, to: status, event: event.type, actor: ctx.actorEmail }
    : undefined;
  return {
    kind: 'transitioned',
    change: { set, ...(push ? { push } : {}) },
    from: doc.status,
    to: status,
    queued: queued.map((i) => i.key),
  };
}
