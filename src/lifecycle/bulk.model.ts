import { randomBytes } from 'node:crypto';
import { type Connection, type Model, Schema } from 'mongoose';
import type { BatchRowState } from '../../machines/bulk-member.machine.ts';
import type { OnboardingDetails } from './kinds.ts';

/**
 * Where a person of a batch is, ordered: a row only ever moves up (a late or repeated report of
 * an earlier state changes nothing). `staged` rows wait for the batch's approval; `admitting`
 * marks a row whose request may exist (a crash between its creation and the row's update).
 */
export const ROW_RANK = {
  staged: 0,
  admitting: 0,
  queued: 1,
  waiting: 2,
  provisioning: 3,
  provisioned: 4,
  invited: 5,
  accepted: 6,
  ended: 7,
} as const satisfies Record<BatchRowState | 'staged' | 'admitting' | 'queued', number>;

/** A row's state. */
export type RowState = keyof typeof ROW_RANK;

/** From this rank on a person no longer holds the batch open (invited, accepted or ended). */
export const SETTLED_RANK = ROW_RANK.invited;

/** One person of a batch: a document of its own, so no batch document grows with its size. */
export interface BatchRowDoc {
  /** `<batchId>:<line>`: the key a person's request is made under, once. */
  _id: string;
  batchId: string;
  /** The file's line (1 is the header). */
  line: number;
  details: OnboardingDetails;
  state: RowState;
  rank: number;
  requestId?: string;
  upn?: string;
  /** When the invitee had the link show their temporary password (T2: once). */
  revealedAt?: Date;
}

/** A batch: who asked, its request once submitted, its progress message. Fixed size. */
export interface BatchDoc {
  _id: string;
  requesterEmail: string;
  fileName: string;
  people: number;
  /** The bulk onboarding request, once the file was valid and submitted. */
  requestId?: string;
  /** The requester's progress message, edited in place. */
  progress?: { channel: string; ts: string };
  /** The last edit of the progress message (at most one every two seconds, any instance). */
  editedAt?: Date;
  createdAt: Date;
}

const rowSchema = new Schema<BatchRowDoc>(
  {
    _id: String,
    batchId: { type: String, required: true },
    line: { type: Number, required: true },
    details: Schema.Types.Mixed,
    state: { type: String, required: true },
    rank: { type: Number, required: true },
    requestId: String,
    upn: String,
    revealedAt: Date,
  },
  { collection: 'bulk_rows', versionKey: false, minimize: false },
);
// Admission in file order, "is anyone still unsettled?", counting by state.
rowSchema.index({ batchId: 1, rank: 1, line: 1 });
// The results file, in file order.
rowSchema.index({ batchId: 1, line: 1 });

const batchSchema = new Schema<BatchDoc>(
  {
    _id: String,
    requesterEmail: { type: String, required: true },
    fileName: String,
    people: Number,
    requestId: String,
    progress: Schema.Types.Mixed,
    editedAt: Date,
    createdAt: Date,
  },
  { collection: 'bulk_batches', versionKey: false },
);

/** The batches and their rows, bound to `connection`. */
export function bulkModels(connection: Connection) {
  return {
    Row:
      (connection.models.BulkRow as Model<BatchRowDoc>) ?? connection.model('BulkRow', rowSchema),
    Batch:
      (connection.models.BulkBatch as Model<BatchDoc>) ??
      connection.model('BulkBatch', batchSchema),
  };
}

/** The models of the batches. */
export type BulkModels = ReturnType<typeof bulkModels>;

const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** `BATCH-` and eight characters: the key of a batch's rows (the request has its own id). */
export function newBatchId(): string {
  return `BATCH-${[...randomBytes(8)].map((b) => ALPHABET[b % ALPHABET.length]).join('')}`;
}

/** `<batchId>:<line>`. */
export const rowId = (batchId: string, line: number) => `${batchId}:${line}`;
