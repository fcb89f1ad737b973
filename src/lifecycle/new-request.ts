import { nextDeadline } from './deadlines.ts';
import type { AnySnapshot } from './machine-registry.ts';
import { statusOf } from './machine-registry.ts';
import type { Deadline, OutboxItem, RequestDoc, RequestKind } from './request.model.ts';

/** What a new request document is made of: its machine's first snapshot and who asked. */
export interface NewRequestParts {
  id: string;
  kind: RequestKind;
  requesterEmail: string;
  subjectEmail: string;
  details: RequestDoc['details'];
  skuId?: string | undefined;
  snapshot: AnySnapshot;
  outbox: OutboxItem[];
  deadlines: Deadline[];
  now: Date;
}

/** A request in its machine's first state, as `Lifecycle.submit` (and a batch's chunk) saves it. */
export function newRequestDoc(p: NewRequestParts): RequestDoc {
  const status = statusOf(p.snapshot.value);
  return {
    _id: p.id,
    kind: p.kind,
    status,
    done: false,
    state: p.snapshot.value,
    context: p.snapshot.context as Record<string, unknown>,
    version: 1,
    requesterEmail: p.requesterEmail,
    subjectEmail: p.subjectEmail,
    details: p.details,
    ...(p.skuId ? { skuId: p.skuId } : {}),
    outbox: p.outbox,
    deadlines: p.deadlines,
    nextDeadlineAt: nextDeadline(p.deadlines),
    sweepLeaseUntil: null,
    history: [
      { at: p.now, from: '', to: status, event: 'requester.submitted', actor: p.requesterEmail },
    ],
    invitation: null,
    failure: null,
    createdAt: p.now,
    updatedAt: p.now,
  };
}
