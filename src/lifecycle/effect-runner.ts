import { AccessdeskError, RetryableError } from '../errors.ts';
import type { Lifecycle } from './lifecycle.service.ts';
import type { OutboxItem, RequestDoc } from './request.model.ts';

/** One effect: does its (idempotent) work and may send the event that follows it. */
export type Effect = (request: RequestDoc, item: OutboxItem) => Promise<void>;

/** A permanent failure of an effect: what to tell the machine, if anything. */
export type OnPermanentFailure = (
  request: RequestDoc,
  item: OutboxItem,
  error: AccessdeskError,
) => Promise<void>;

const MAX_ATTEMPTS = 8;

/**
 * Runs the outbox of a request. Each item is claimed with a lease by compare-and-set, so two
 * runners never work the same item at once, and an item whose runner died is taken over once the
 * lease has passed. Effects are idempotent, so running one again after a crash doubles nothing.
 */
export class EffectRunner {
  constructor(
    private readonly lifecycle: Lifecycle,
    private readonly effects: Record<string, Effect>,
    private readonly onPermanentFailure: OnPermanentFailure,
    private readonly leaseMs = 60_000,
  ) {
    lifecycle.runEffects = (id) => this.run(id);
  }

  /** Runs every runnable outbox item of `requestId`, oldest first. */
  async run(requestId: string): Promise<void> {
    for (let guard = 0; guard < 100; guard++) {
      const claimed = await this.#claim(requestId);
      if (!claimed) return;
      const { request, item } = claimed;
      const effect = this.effects[item.effect];
      try {
        if (!effect) throw new Error(`no effect named ${item.effect}`);
        await effect(request, item);
        await this.#finish(requestId, item.key, { status: 'done' });
      } catch (error) {
        if (error instanceof RetryableError && item.attempts < MAX_ATTEMPTS) {
          const backoff = Math.min(2 ** item.attempts * 1000, 15 * 60_000);
          await this.#finish(requestId, item.key, {
            status: 'pending',
            lastError: error.message,
            leaseUntil: new Date(this.lifecycle.deps.clock.now().getTime() + backoff),
          });
          return;
        }
        if (error instanceof AccessdeskError) {
          await this.#finish(requestId, item.key, { status: 'failed', lastError: error.message });
          await this.onPermanentFailure(request, item, error);
          continue;
        }
        // Anything else looks like a crash: keep the lease, so the item runs again once it passes.
        throw error;
      }
    }
  }

  /** Runs every request that has runnable outbox items: at start-up and on each sweep. */
  async recoverAll(): Promise<number> {
    const now = this.lifecycle.deps.clock.now();
    const ids = await this.lifecycle.requests
      .find(
        {
          outbox: {
            $elemMatch: {
              status: 'pending',
              $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }],
            },
          },
        },
        { _id: 1 },
      )
      .lean();
    for (const { _id } of ids) {
      await this.run(_id).catch((error) =>
        this.lifecycle.deps.onError?.(error, `recovery of ${_id}`),
      );
    }
    return ids.length;
  }

  async #claim(requestId: string): Promise<{ request: RequestDoc; item: OutboxItem } | undefined> {
    const now = this.lifecycle.deps.clock.now();
    for (let attempt = 0; attempt < 20; attempt++) {
      const request = await this.lifecycle.requests.findById(requestId).lean<RequestDoc>();
      if (!request) return undefined;
      const item = request.outbox.find(
        (i) => i.status === 'pending' && (!i.leaseUntil || new Date(i.leaseUntil) <= now),
      );
      if (!item) return undefined;
      const claimedItem = {
        ...item,
        attempts: item.attempts + 1,
        leaseUntil: new Date(now.getTime() + this.leaseMs),
      };
      const saved = await this.lifecycle.requests
        .findOneAndUpdate(
          { _id: requestId, version: request.version },
          {
            $set: {
              outbox: request.outbox.map((i) => (i.key === item.key ? claimedItem : i)),
              version: request.version + 1,
            },
          },
          { returnDocument: 'after' },
        )
        .lean<RequestDoc>();
      if (saved) return { request: saved, item: claimedItem };
    }
    return undefined;
  }

  async #finish(requestId: string, key: string, change: Partial<OutboxItem>) {
    await this.lifecycle.patch(requestId, (doc) => {
      const item = doc.outbox.find((i) => i.key === key);
      // A follow-up event may already have completed it in its own save.
      if (item?.status !== 'pending') return undefined;
      return { outbox: doc.outbox.map((i) => (i.key === key ? { ...i, ...change } : i)) };
    });
  }
}
