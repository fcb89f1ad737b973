import type { Clock } from '../clock.ts';
import { isTransientDatabaseError } from '../db/transient.ts';
import { AccessdeskError, ErrorCode, RetryableError, RuleViolation } from '../errors.ts';
import { withLogContext } from '../log.ts';
import { effectSeconds } from '../observability/metrics.ts';
import type { QueuedEffects } from './lifecycle.service.ts';
import type { OutboxItem, RequestDoc } from './request.model.ts';
import type { RequestStore } from './request-store.ts';

/** Fields an effect saves with its item's settlement, computed on the document of that moment. */
export type Settlement = (doc: RequestDoc) => Partial<RequestDoc> | undefined;

/**
 * One effect: does its (idempotent) work and may send the event that follows it. What it
 * returns is saved by the same write that marks its item done (a crash before that write runs
 * the effect again, which is why it must be idempotent anyway). An event it sends completes
 * `completes`: its own item and the items of its batch already done.
 */
export type Effect = (
  request: RequestDoc,
  item: OutboxItem,
  completes: string[],
) => Promise<Settlement | undefined>;

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
    private readonly store: RequestStore,
    private readonly effects: Readonly<Record<string, Effect>>,
    private readonly onPermanentFailure: OnPermanentFailure,
    private readonly clock: Clock,
    private readonly onError: (error: unknown, context: string) => void,
    /** Longer than an effect's worst case (a Slack call gives up within ~35 s). */
    private readonly leaseMs = 5 * 60_000,
  ) {}

  /**
   * Runs every runnable outbox item of `requestId`, oldest first: first those `queued` by the
   * save that called (already leased to this process by that save), then any others, claimed
   * together by one compare-and-set. Each batch runs one by one and is settled together.
   */
  run(requestId: string, fromDatabase = false, queued?: QueuedEffects): Promise<void> {
    // Whatever its effects log names the request.
    return withLogContext({ requestId }, () => this.#run(requestId, fromDatabase, queued));
  }

  async #run(requestId: string, fromDatabase: boolean, queued?: QueuedEffects): Promise<void> {
    if (queued?.keys.length) {
      const keys = new Set(queued.keys);
      const items = queued.request.outbox.filter((i) => keys.has(i.key) && i.status === 'pending');
      if (items.length && (await this.#runClaimed(requestId, queued.request, items))) return;
    }
    for (let guard = 0; guard < 100; guard++) {
      const claimed = await this.#claim(requestId, fromDatabase);
      if (!claimed) return;
      if (await this.#runClaimed(requestId, claimed.request, claimed.items)) return;
    }
  }

  /** Runs items this process holds the lease of; true when one must wait for a retry. */
  async #runClaimed(requestId: string, request: RequestDoc, items: OutboxItem[]) {
    const mine = items.map((i) => `${requestId}:${i.key}`);
    for (const key of mine) this.#running.add(key);
    try {
      return await this.#runBatch(requestId, request, items);
    } finally {
      for (const key of mine) this.#running.delete(key);
    }
  }

  /** Items this process is running now: never claimed again here, whatever their lease says. */
  readonly #running = new Set<string>();

  /** Runs one claimed batch and settles it; true when an item must wait for a retry. */
  async #runBatch(requestId: string, request: RequestDoc, items: OutboxItem[]): Promise<boolean> {
    const settled = new Map<string, Partial<OutboxItem>>();
    const settlements: Settlement[] = [];
    const withFields = new Set<string>();
    const failures: Array<[OutboxItem, AccessdeskError]> = [];
    let crash: unknown;
    let retryLater = false;
    for (const item of items) {
      const effect = this.effects[item.effect];
      const timer = effectSeconds.startTimer({ effect: item.effect });
      let outcome = 'crashed';
      try {
        if (!effect) throw new Error(`no effect named ${item.effect}`);
        // An item whose effect left fields to save is completed by the settling write that
        // saves them, never by the next event's save (a crash in between would lose them).
        const done = [...settled].flatMap(([key, s]) =>
          s.status === 'done' && !withFields.has(key) ? [key] : [],
        );
        const settlement = await effect(request, item, [...done, item.key]);
        if (settlement) {
          settlements.push(settlement);
          withFields.add(item.key);
        }
        settled.set(item.key, { status: 'done' });
        outcome = 'done';
      } catch (error) {
        // A lost compare-and-set race is worth another try, like an outside system's hiccup or
        // a replica set electing a new primary.
        const transient =
          error instanceof RetryableError ||
          isTransientDatabaseError(error) ||
          (error instanceof AccessdeskError &&
            !(error instanceof RuleViolation) &&
            error.code === ErrorCode.Conflict);
        if (transient && item.attempts < MAX_ATTEMPTS) {
          const backoff = Math.min(2 ** item.attempts * 1000, 15 * 60_000);
          const now = this.clock.now().getTime();
          settled.set(item.key, {
            status: 'pending',
            lastError: error.message,
            leaseUntil: new Date(now + backoff),
          });
          retryLater = true;
          outcome = 'retry';
        } else if (error instanceof AccessdeskError || item.attempts >= MAX_ATTEMPTS) {
          // For good: a rule refused it, or it kept failing. The machine is told (below).
          const coded =
            error instanceof AccessdeskError
              ? error
              : new RetryableError(`gave up after ${item.attempts} attempts: ${String(error)}`);
          settled.set(item.key, { status: 'failed', lastError: coded.message });
          failures.push([item, coded]);
          outcome = 'failed';
        } else {
          // Anything else looks like a crash: the item keeps its lease and runs again once it
          // passes; the items behind it are handed back untouched.
          crash = error;
          const rest = items.slice(items.indexOf(item) + 1);
          for (const later of rest) {
            settled.set(later.key, { leaseUntil: null, attempts: later.attempts - 1 });
          }
          break;
        }
      } finally {
        timer({ outcome });
      }
    }
    // The machine hears of a failure before the item is settled: a crash in between runs the
    // item again rather than leaving the request stuck with a failed item nobody reacted to.
    for (const [item, error] of failures) await this.onPermanentFailure(request, item, error);
    await this.#settle(requestId, settled, settlements);
    if (crash) throw crash;
    return retryLater;
  }

  /** Runs every request that has runnable outbox items: at start-up and on each sweep. */
  async recoverAll(): Promise<number> {
    const now = this.clock.now();
    const ids = await this.store.withRunnableEffects(now);
    for (const id of ids) {
      // Another instance may have queued these: read the request, not a remembered copy.
      await this.run(id, true).catch((error) => this.onError(error, `recovery of ${id}`));
    }
    return ids.length;
  }

  /**
   * Claims the runnable items of `requestId` with a lease, by compare-and-set. Trusting a
   * remembered copy here is safe: items are run by the process whose save queued them (it kicks
   * its runner) or, after a crash, by the sweep's recoverAll, which reads.
   */
  async #claim(
    requestId: string,
    fromDatabase: boolean,
  ): Promise<{ request: RequestDoc; items: OutboxItem[] } | undefined> {
    let keys = new Set<string>();
    const claimed = await this.store
      .update(
        requestId,
        (request) => {
          // "Now" after the read, on every attempt: a lease computed from a time taken before a
          // slow read could already have passed when written, and a sweep would run it twice.
          const now = this.clock.now();
          const runnable = (i: OutboxItem) =>
            i.status === 'pending' &&
            (!i.leaseUntil || new Date(i.leaseUntil) <= now) &&
            !this.#running.has(`${requestId}:${i.key}`);
          keys = new Set(request.outbox.filter(runnable).map((i) => i.key));
          if (!keys.size) return undefined;
          const leaseUntil = new Date(now.getTime() + this.leaseMs);
          const outbox = request.outbox.map((i) =>
            keys.has(i.key) ? { ...i, attempts: i.attempts + 1, leaseUntil } : i,
          );
          return { set: { outbox } };
        },
        { fromDatabase, settled: true },
      )
      .catch(() => undefined);
    if (!claimed?.changed) return undefined;
    return {
      request: claimed.request,
      items: claimed.request.outbox.filter((i) => keys.has(i.key)),
    };
  }

  /**
   * Writes what became of the claimed items, with the fields their effects save, in one
   * compare-and-set; items a follow-up event completed stay done.
   */
  async #settle(
    requestId: string,
    settled: Map<string, Partial<OutboxItem>>,
    settlements: Settlement[],
  ) {
    if (!settled.size) return;
    await this.store.update(
      requestId,
      (doc) => {
        let changed = false;
        const outbox = doc.outbox.flatMap((i) => {
          const change = settled.get(i.key);
          if (!change || i.status !== 'pending') return [i];
          changed = true;
          // Done items leave the outbox; it holds what is still to run, or failed for good.
          return change.status === 'done' ? [] : [{ ...i, ...change } as OutboxItem];
        });
        const fields = Object.assign({}, ...settlements.map((s) => s(doc) ?? {}));
        if (changed) fields.outbox = outbox;
        return Object.keys(fields).length ? { set: fields } : undefined;
      },
      // Left items never come back, so a remembered copy without them is the truth.
      { settled: true },
    );
  }
}
