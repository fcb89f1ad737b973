import type { StatusWord } from '../../machines/tags.ts';
import { TAG } from '../../machines/tags.ts';
import { requestMachines } from './machines.ts';
import type { RequestDoc, RequestKind } from './request.model.ts';

/** Where a request is, as the machine says it: what the views show and which buttons apply. */
export interface RequestStatus {
  word: StatusWord;
  /** No Global admin has decided yet (the Approve and Deny buttons apply). */
  undecided: boolean;
  /** The machine takes the requester's cancel here. */
  cancellable: boolean;
}

/** The word people read for a stored status (also one of the history's). */
export function statusWord(kind: RequestKind, status: string): StatusWord {
  return requestMachines.wordOf(kind, status);
}

/** Where a request of `kind` made by `requesterEmail` is when its machine rests in `status`. */
export function statusFacts(
  kind: RequestKind,
  status: string,
  requesterEmail: string,
): RequestStatus {
  const snapshot = requestMachines.restoreStatus(kind, status, { requesterEmail });
  const cancel = { type: 'requester.cancelled', actor: { email: requesterEmail, adminRoles: [] } };
  return {
    word: requestMachines.wordOf(kind, status),
    undecided: snapshot.hasTag(TAG.undecided),
    cancellable: snapshot.can(cancel as never),
  };
}

/** Where the request is now. */
export function requestStatus(doc: RequestDoc): RequestStatus {
  return statusFacts(doc.kind, doc.status, doc.requesterEmail);
}

/** When the request stopped waiting for a decision (its history's first step out), if it did. */
export function decidedAt(doc: RequestDoc): Date | undefined {
  const undecided = (status: string) => requestMachines.hasTag(doc.kind, status, TAG.undecided);
  const step = doc.history.find((h) => undecided(h.from) && !undecided(h.to));
  return step ? new Date(step.at) : undefined;
}

/** An invitation is out and the machine waits for its acceptance (L4). */
export function awaitsAcceptance(doc: Pick<RequestDoc, 'kind' | 'status'>): boolean {
  return requestMachines.hasTag(doc.kind, doc.status, TAG.awaitingAcceptance);
}
