import { type AnyMachineSnapshot, initialTransition, transition } from 'xstate';
import { requestMachines, statusOf } from '../../src/lifecycle/machines.ts';

const machineFor = (kind: RequestKind) => requestMachines.machineFor(kind);

import type { RequestKind } from '../../src/lifecycle/request.model.ts';

/**
 * Drives a lifecycle machine as the lifecycle does (xstate's pure `transition`, the production
 * guards), reading only what the machine promises: the status, the context, the effects it names
 * and the reason it refuses an attempt. No database, no effect runs.
 */
export interface Step {
  snapshot: AnyMachineSnapshot;
  status: string;
  context: Record<string, unknown>;
  /** Effects named by the last transition, in order (refusals not included). */
  effects: string[];
  /** The same effects with the params the machine gives them (e.g. `reportToBatch`'s state). */
  actions: Array<{ type: string; params?: unknown }>;
  /** The tags of the state reached (the behaviours asked about and the status word), sorted. */
  tags: string[];
  /** Why the last event was refused, if it was. */
  refused?: string;
  /** Whether the request has ended (a final state). */
  done: boolean;
}

/** People: two Global admins, a requester, the subject (a new hire), someone without roles. */
export const GRACE = { email: 'grace@contoso.example', adminRoles: ['Global admin'] };
export const LINUS = { email: 'linus@contoso.example', adminRoles: ['Global admin'] };
export const ADA = { email: 'ada@contoso.example', adminRoles: [] as string[] };
export const NINA = { email: 'nina@example.org', adminRoles: [] as string[] };
export const BILLING = { email: 'bill@contoso.example', adminRoles: ['Billing admin'] };

function step(snapshot: AnyMachineSnapshot, actions: unknown[]): Step {
  const named = actions as Array<{ type: string; params?: { reason?: string } }>;
  const refusal = named.find((a) => a.type === 'refuseAttempt');
  const effects = named.filter((a) => a.type !== 'refuseAttempt');
  return {
    snapshot,
    status: statusOf(snapshot.value),
    context: snapshot.context as Record<string, unknown>,
    effects: effects.map((a) => a.type),
    tags: [...snapshot.tags].sort(),
    actions: effects.map(({ type, params }) =>
      params === undefined ? { type } : { type, params },
    ),
    ...(refusal ? { refused: refusal.params?.reason } : {}),
    done: snapshot.status === 'done',
  };
}

/** A new request of `kind` from Ada about Nina; `input` overrides the start input. */
export function start(kind: RequestKind, input: Record<string, unknown> = {}): Step {
  const [snapshot, actions] = initialTransition(machineFor(kind), {
    requestId: 'REQ-1',
    requesterEmail: ADA.email,
    subjectEmail: NINA.email,
    grantsGlobalAdmin: false,
    needsSeat: false,
    reenables: false,
    ...input,
  } as never);
  return step(snapshot, actions);
}

/** The step after `event`. */
export function send(kind: RequestKind, from: Step, event: Record<string, unknown>): Step {
  const [snapshot, actions] = transition(machineFor(kind), from.snapshot, event as never);
  return step(snapshot, actions);
}

/** Events, as the lifecycle builds them. */
export const approve = (actor = GRACE) => ({ type: 'approver.approved', actor });
export const deny = (actor = GRACE, reason = 'not needed') => ({
  type: 'approver.denied',
  actor,
  reason,
});
export const cancel = (actor = ADA) => ({ type: 'requester.cancelled', actor });
export const accept = (actor = NINA, at?: string) => ({
  type: 'invitee.accepted',
  actor,
  ...(at ? { at } : {}),
});
