import type { Background } from './background.ts';
import type { BatchDoc } from './bulk.model.ts';
import type { BatchNotifier, BulkImports } from './bulk.service.ts';

/** The progress message is edited at most this often (per batch, across instances). */
export const PROGRESS_EVERY_MS = 2000;

/** How many people of a batch are where. */
export interface BatchCounts {
  people: number;
  provisioned: number;
  invited: number;
  accepted: number;
  waiting: number;
  ended: number;
}

/** "provisioned 120/250, invited 80, waiting for a seat 70". */
export function progressText(counts: BatchCounts): string {
  const parts = [
    `provisioned ${counts.provisioned}/${counts.people}`,
    `invited ${counts.invited}`,
    ...(counts.accepted ? [`accepted ${counts.accepted}`] : []),
    `waiting for a seat ${counts.waiting}`,
    ...(counts.ended ? [`ended without an account ${counts.ended}`] : []),
  ];
  return parts.join(', ');
}

/**
 * The requester's one progress message per batch, edited in place: a person's change asks for
 * an edit (`poke`); edits come at most every two seconds, the last one trailing, and the counts
 * are one aggregation over the batch's rows (served by the `{batchId, rank}` index), never a
 * counter that a crash could leave off by one.
 */
export class BatchProgress {
  readonly #timers = new Map<string, Promise<void>>();

  constructor(
    private readonly imports: BulkImports,
    private readonly notifier: BatchNotifier,
    private readonly background: Background,
  ) {}

  /** Where the batch's people are now. */
  async counts(batchId: string, people: number): Promise<BatchCounts> {
    const byState = await this.imports.rows
      .aggregate<{ _id: string; n: number }>([
        { $match: { batchId } },
        { $group: { _id: '$state', n: { $sum: 1 } } },
      ])
      .toArray();
    const n = (state: string) => byState.find((s) => s._id === state)?.n ?? 0;
    return {
      people,
      provisioned: n('provisioned') + n('invited') + n('accepted'),
      invited: n('invited') + n('accepted'),
      accepted: n('accepted'),
      waiting: n('waiting'),
      ended: n('ended'),
    };
  }

  /** Asks for an edit: one is due within two seconds; more asks meanwhile change nothing. */
  poke(batchId: string): void {
    if (this.#timers.has(batchId)) return;
    const run = new Promise<void>((resolve) => setTimeout(resolve, PROGRESS_EVERY_MS))
      .then(() => {
        this.#timers.delete(batchId);
        return this.edit(batchId, false);
      })
      .finally(() => this.#timers.delete(batchId));
    this.#timers.set(batchId, run);
    this.background.track(run, `progress of ${batchId}`);
  }

  /**
   * Posts or edits the message with the counts now. Unless `force`, only when no instance
   * edited it within two seconds (a guarded update on the batch document).
   */
  async edit(batchId: string, force: boolean): Promise<void> {
    const now = new Date();
    const since = new Date(now.getTime() - PROGRESS_EVERY_MS + 50);
    const claim = force
      ? { _id: batchId }
      : { _id: batchId, $or: [{ editedAt: { $exists: false } }, { editedAt: { $lte: since } }] };
    const batch = await this.imports.models.Batch.findOneAndUpdate(
      claim,
      { $set: { editedAt: now } },
      { returnDocument: 'after' },
    ).lean<BatchDoc>();
    if (!batch) return;
    const text = progressText(await this.counts(batchId, batch.people));
    const ref = await this.notifier.batchProgress(batch, text, batch.progress);
    if (ref && !batch.progress) {
      await this.imports.models.Batch.updateOne(
        { _id: batchId, progress: { $exists: false } },
        { $set: { progress: ref } },
      );
    }
  }
}
