import { type Connection, type Model, Schema } from 'mongoose';
import type { RequestDetails, RequestKind } from './kinds.ts';

export type {
  BulkMemberDetails,
  BulkOnboardingDetails,
  GrantDetails,
  OffboardingDetails,
  OnboardingDetails,
  RequestKind,
  RoleChangeDetails,
} from './kinds.ts';

/** An effect waiting to run (or done) after the transition that named it was saved. */
export interface OutboxItem {
  /** Idempotency key: `<effect>:<version that queued it>`. */
  key: string;
  effect: string;
  params?: Record<string, unknown>;
  status: 'pending' | 'done' | 'failed';
  attempts: number;
  lastError?: string;
  /** A runner holds the item until then; after it, another runner may take it over. */
  leaseUntil?: Date | null;
  /** When the save that queued it was made (items stored before this field existed lack it). */
  queuedAt?: Date;
}

/** A durable deadline; the scheduler sends `event` once `at` has passed. */
export interface Deadline {
  kind:
    | 'reminder'
    | 'escalation'
    | 'requestExpiry'
    | 'invitationExpiry'
    | 'effectiveDate'
    | 'grantEnd'
    | 'retentionEnd'
    | `grantWarning:${number}`;
  at: Date;
  event: string;
  fired: boolean;
}

/** One line of the timeline people see. */
export interface HistoryEntry {
  at: Date;
  from: string;
  to: string;
  event: string;
  actor: string;
}

/** The stored request: persisted machine state, a queryable status, and a version for CAS. */
export interface RequestDoc {
  _id: string;
  kind: RequestKind;
  /** Dotted machine state, e.g. `approved.waitingForSeat`. Mirrors `state`. */
  status: string;
  /** `true` once the machine reached a final state. */
  done: boolean;
  state: unknown;
  context: Record<string, unknown>;
  version: number;
  requesterEmail: string;
  subjectEmail: string;
  details: RequestDetails;
  skuId?: string;
  approvedAt?: Date;
  outbox: OutboxItem[];
  deadlines: Deadline[];
  /** The earliest unfired deadline, indexed for the scheduler. */
  nextDeadlineAt?: Date | null;
  /** The scheduler's claim on this document while it fires a deadline. */
  sweepLeaseUntil?: Date | null;
  history: HistoryEntry[];
  slack?: { channel?: string; ts?: string };
  /** `tokenHash` is saved with `invitation.issued`; the expiry can be set before it. */
  invitation?: { tokenHash?: string; expiresAt: Date; usedAt?: Date; deliveredAt?: Date } | null;
  failure?: { reason: string; undone: string[] } | null;
  createdAt: Date;
  updatedAt: Date;
}

const requestSchema = new Schema<RequestDoc>(
  {
    _id: String,
    kind: { type: String, required: true },
    status: { type: String, required: true },
    done: { type: Boolean, required: true },
    state: Schema.Types.Mixed,
    context: Schema.Types.Mixed,
    version: { type: Number, required: true },
    requesterEmail: { type: String, required: true },
    subjectEmail: { type: String, required: true },
    details: Schema.Types.Mixed,
    skuId: String,
    approvedAt: Date,
    outbox: [Schema.Types.Mixed],
    deadlines: [Schema.Types.Mixed],
    nextDeadlineAt: Date,
    sweepLeaseUntil: Date,
    history: [Schema.Types.Mixed],
    slack: Schema.Types.Mixed,
    invitation: Schema.Types.Mixed,
    failure: Schema.Types.Mixed,
    createdAt: Date,
    updatedAt: Date,
  },
  { collection: 'requests', versionKey: false, minimize: false },
);
// Every list a person sees is sorted and limited by one of these (RequestQueries, visibility):
// `/access status` and App Home by requester or subject, newest first (an $in over several
// people merges their index ranges); the new hire's manager; the Global admins' queue.
requestSchema.index({ requesterEmail: 1, createdAt: -1 });
requestSchema.index({ subjectEmail: 1, createdAt: -1 });
requestSchema.index(
  { 'details.managerEmail': 1, createdAt: -1 },
  { partialFilterExpression: { 'details.managerEmail': { $exists: true } } },
);
requestSchema.index({ status: 1, createdAt: 1 });
// The seat queue: the next waiting request of a SKU in approval order, and which SKUs wait.
requestSchema.index({ skuId: 1, status: 1, approvedAt: 1 });
requestSchema.index({ status: 1, skuId: 1 });
requestSchema.index({ 'outbox.status': 1 });
requestSchema.index({ 'invitation.tokenHash': 1 });
// The deadline sweep: unfinished requests only, in deadline order, the lease read from the index,
// so claiming the next due request costs the same with 1k or 1M requests pending.
requestSchema.index(
  { nextDeadlineAt: 1, sweepLeaseUntil: 1 },
  { partialFilterExpression: { done: false } },
);

/** The requests model bound to `connection`. */
export function requestModel(connection: Connection): Model<RequestDoc> {
  return (
    (connection.models.Request as Model<RequestDoc>) ?? connection.model('Request', requestSchema)
  );
}
