import type { HistoryEntry, RequestDoc } from './request.model.ts';

/**
 * What one write changes: whole top-level fields (the store moves `version` and `updatedAt` on
 * itself) and,
 * for a change of state, a line appended to the history.
 */
export interface Change {
  set: Partial<RequestDoc>;
  push?: HistoryEntry;
}

/**
 * Computes a change from the document as it is now, or nothing to change. Pure and quick: it
 * may run again on a fresher copy when its first answer loses the compare-and-set.
 */
export type Modify = (doc: RequestDoc) => Change | undefined;

/** How `update` reads and what it does after the write. */
export interface UpdateOptions {
  /**
   * Nothing to change on a remembered copy is the truth: `modify` only looks at what never
   * comes back (outbox items that left, an invitation already used), so no read checks it.
   */
  settled?: boolean;
  /** Start from the database, not a remembered copy (another instance may have written). */
  fromDatabase?: boolean;
  /** Runs in the request's write queue right after this update, whatever it did. */
  after?: (result: Updated) => Promise<void>;
}

/** What `update` did: the document as it now is, and whether this call changed it. */
export interface Updated {
  request: RequestDoc;
  changed: boolean;
}

/** Which requests a read is about; every given field must match. */
export interface RequestQuery {
  /** Made by or about any of these (lower-case) emails. */
  involving?: string[];
  /** The new hire will report to this (lower-case) email. */
  managedBy?: string;
  /** In one of these stored statuses. */
  statuses?: string[];
  skuId?: string;
}

/** Orders of a list: newest or oldest created first, or in approval order (the seat queue). */
export type RequestOrder = 'newest' | 'oldest' | 'approval';

/**
 * The requests collection, behind a port: the one place that reads and writes request documents.
 * Every writer (lifecycle, effect runner, scheduler, seat queue) goes through `update`.
 */
export interface RequestStore {
  /** Saves a new request; false when its id is taken (the caller draws another). */
  insert(doc: RequestDoc): Promise<boolean>;
  /** The request from the database; throws NotFound. */
  get(id: string): Promise<RequestDoc>;
  /** The newest copy this process has seen, else the database's (see `update`). */
  latest(id: string): Promise<RequestDoc>;
  /** The request, or undefined. */
  find(id: string): Promise<RequestDoc | undefined>;
  /**
   * The one compare-and-set helper: applies `modify` to the newest copy this process knows and
   * saves it only if the stored version is still that copy's; on a lost race, reads and tries
   * again. Nothing to change on a remembered copy is checked against the database (unless
   * `settled`). Within a process, updates of one request queue behind each other.
   */
  update(id: string, modify: Modify, options?: UpdateOptions): Promise<Updated>;
  /** Requests matching `query` in `order`, at most `limit`. */
  list(query: RequestQuery, order: RequestOrder, limit: number): Promise<RequestDoc[]>;
  /** Ids of the requests matching `query` in `order`, at most `limit`. */
  ids(query: RequestQuery, order: RequestOrder, limit: number): Promise<string[]>;
  /** The SKUs of the requests matching `query`. */
  skus(query: RequestQuery): Promise<string[]>;
  /** The request whose invitation token hashes to `tokenHash`, if any. */
  byInvitation(tokenHash: string): Promise<RequestDoc | undefined>;
  /** Ids of requests with an outbox item due at `now` (pending, lease passed or none). */
  withRunnableEffects(now: Date): Promise<string[]>;
  /**
   * Claims the unfinished request whose next deadline is the earliest due at `now`, with a sweep
   * lease until `leaseUntil`, in one atomic update; null when none is due.
   */
  claimDue(now: Date, leaseUntil: Date): Promise<RequestDoc | null>;
}
