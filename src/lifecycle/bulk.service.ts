import type { Connection, mongo } from 'mongoose';
import type { Clock } from '../clock.ts';
import {
  type BatchDoc,
  type BatchRowDoc,
  type BulkModels,
  bulkModels,
  newBatchId,
  ROW_RANK,
  rowId,
} from './bulk.model.ts';
import type { BulkOnboardingDetails, OnboardingDetails } from './kinds.ts';
import type { Lifecycle } from './lifecycle.service.ts';
import type { Directory } from './ports.ts';
import type { RequestDoc } from './request.model.ts';
import { awaitsAcceptance } from './status.ts';

/** Rows written per insert while a file is read. */
const STAGE_CHUNK = 1000;

/** How a batch's requester hears of it beyond the requester's notices: progress and results. */
export interface BatchNotifier {
  /**
   * Posts the one progress message (no `ref`) or edits it in place; returns where it is. Only
   * counts, to the requester privately.
   */
  batchProgress(
    batch: BatchDoc,
    text: string,
    ref?: { channel: string; ts: string },
  ): Promise<{ channel: string; ts: string } | undefined>;
  /** Hands the requester the results file privately (user names and one-time links). */
  batchResults(batch: BatchDoc, fileName: string, csv: string): Promise<void>;
}

/** A BatchNotifier that tells no one (benches, tests that do not look at messages). */
export const silentBatchNotifier: BatchNotifier = {
  batchProgress: async () => undefined,
  batchResults: async () => {},
};

/**
 * The rows of one file as it is read: written a chunk at a time under a new batch id, inert
 * until the batch request is submitted (nothing is queued), and dropped if the file is refused.
 */
export class BatchStager {
  #buffer: BatchRowDoc[] = [];
  #count = 0;

  constructor(
    private readonly rows: mongo.Collection<BatchRowDoc>,
    readonly batch: BatchDoc,
  ) {}

  get count(): number {
    return this.#count;
  }

  async add(line: number, details: OnboardingDetails): Promise<void> {
    const batchId = this.batch._id;
    this.#buffer.push({
      _id: rowId(batchId, line),
      batchId,
      line,
      details,
      state: 'staged',
      rank: 0,
    });
    this.#count++;
    if (this.#buffer.length >= STAGE_CHUNK) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.#buffer.length) return;
    const docs = this.#buffer;
    this.#buffer = [];
    await this.rows.insertMany(docs, { ordered: false });
  }
}

/**
 * Bulk onboarding's own documents: a batch and one row per person (`bulk_rows`), staged while
 * the file is validated, then submitted as one request of kind `bulk_onboarding`.
 */
export class BulkImports {
  readonly models: BulkModels;
  readonly #rows: mongo.Collection<BatchRowDoc>;

  constructor(
    connection: Connection,
    private readonly clock: Clock,
    private readonly directory: Directory,
  ) {
    this.models = bulkModels(connection);
    this.#rows = this.models.Row.collection as unknown as mongo.Collection<BatchRowDoc>;
  }

  /** Starts staging a file for `requesterEmail`. */
  async begin(requesterEmail: string, fileName: string): Promise<BatchStager> {
    const batch: BatchDoc = {
      _id: newBatchId(),
      requesterEmail: requesterEmail.toLowerCase(),
      fileName,
      people: 0,
      createdAt: this.clock.now(),
    };
    await this.models.Batch.create(batch);
    return new BatchStager(this.#rows, batch);
  }

  /** Drops a refused (or dry-run) file's rows: nothing of it stays. */
  async discard(stager: BatchStager): Promise<void> {
    await this.#rows.deleteMany({ batchId: stager.batch._id });
    await this.models.Batch.deleteOne({ _id: stager.batch._id });
  }

  /** Submits a staged, valid file as one bulk onboarding request (one card, one decision). */
  async submit(
    lifecycle: Lifecycle,
    stager: BatchStager,
    details: Omit<BulkOnboardingDetails, 'batchId' | 'people'>,
  ): Promise<RequestDoc> {
    await stager.flush();
    const { batch } = stager;
    const request = await lifecycle.submit({
      kind: 'bulk_onboarding',
      requesterEmail: batch.requesterEmail,
      subjectEmail: batch.requesterEmail,
      details: { ...details, batchId: batch._id, people: stager.count },
      input: { grantsGlobalAdmin: false, people: stager.count },
    });
    await this.models.Batch.updateOne(
      { _id: batch._id },
      { $set: { requestId: request._id, people: stager.count } },
    );
    return request;
  }

  /** The batch, or undefined. */
  async batch(batchId: string): Promise<BatchDoc | undefined> {
    return (await this.models.Batch.findById(batchId).lean<BatchDoc>()) ?? undefined;
  }

  /**
   * T2 for a person of a batch: their one-time link shows a fresh temporary password once.
   * The row is marked first (one guarded update), so a second opening never shows another.
   */
  async revealSignIn(
    request: RequestDoc,
  ): Promise<{ upn: string; temporaryPassword: string } | undefined> {
    const details = request.details as { batchId?: string; line?: number };
    const accountId = request.context.accountId as string | undefined;
    if (request.kind !== 'bulk_member' || !awaitsAcceptance(request) || !accountId) return;
    if (!details.batchId || details.line === undefined) return;
    const marked = await this.#rows.updateOne(
      { _id: rowId(details.batchId, details.line), revealedAt: { $exists: false } },
      { $set: { revealedAt: this.clock.now() } },
    );
    if (!marked.modifiedCount) return;
    const temporaryPassword = await this.directory.issueTemporaryPassword(accountId);
    return { upn: (request.context.upn as string) ?? request.subjectEmail, temporaryPassword };
  }

  /** Moves a row up to `state` (never down); true when it moved. */
  async moveRow(
    id: string,
    state: keyof typeof ROW_RANK,
    fields: Partial<BatchRowDoc> = {},
  ): Promise<boolean> {
    const rank = ROW_RANK[state];
    const moved = await this.#rows.updateOne(
      { _id: id, rank: { $lt: rank } },
      { $set: { ...fields, state, rank } },
    );
    return moved.modifiedCount > 0;
  }

  /** The raw rows collection (the batch's effects read it in pages). */
  get rows(): mongo.Collection<BatchRowDoc> {
    return this.#rows;
  }
}
