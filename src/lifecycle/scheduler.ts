import type { Clock } from '../clock.ts';
import { nextDeadline } from './deadlines.ts';
import type { EffectRunner } from './effect-runner.ts';
import type { Lifecycle } from './lifecycle.service.ts';
import type { RequestDoc } from './request.model.ts';
import type { RequestStore } from './request-store.ts';
import type { SeatQueue } from './seat-queue.ts';

/**
 * Fires the deadlines stored on requests. Each due request is claimed with one atomic
 * findOneAndUpdate (a lease), so several bot instances can sweep side by side; time comes from the
 * injected clock. The same sweep retries effects that are due again and unsticks seat queues.
 */
export class Scheduler {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;

  constructor(
    private readonly store: RequestStore,
    private readonly lifecycle: Lifecycle,
    private readonly runner: EffectRunner,
    private readonly seats: SeatQueue,
    private readonly clock: Clock,
    private readonly onError: (error: unknown, context: string) => void,
    private readonly leaseMs = 5 * 60_000,
  ) {}

  /** One pass: fires every due deadline, then runs due effects and waiting seat queues. */
  async sweep(): Promise<{ fired: number }> {
    let fired = 0;
    for (let guard = 0; guard < 10_000; guard++) {
      const claimed = await this.#claimDue();
      if (!claimed) break;
      try {
        fired += await this.#fire(claimed);
      } catch (error) {
        // One request's failure must not hold up the others; its lease makes it wait a while.
        this.onError(error, `deadline of ${claimed._id}`);
      }
    }
    await this.runner.recoverAll();
    await this.seats.promoteAll();
    return { fired };
  }

  /** Sweeps every `everyMs` until `stop()`. */
  start(everyMs: number): void {
    this.#timer = setInterval(() => {
      if (this.#running) return;
      this.#running = this.sweep()
        .catch((error) => this.onError(error, 'scheduler sweep'))
        .finally(() => {
          this.#running = undefined;
        });
    }, everyMs);
    this.#timer.unref();
  }

  /** Whether `start` was called and `stop` not since: this instance sweeps. */
  get started(): boolean {
    return this.#timer !== undefined;
  }

  /** Stops sweeping and waits for a pass under way. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #claimDue(): Promise<RequestDoc | null> {
    const now = this.clock.now();
    return this.store.claimDue(now, new Date(now.getTime() + this.leaseMs));
  }

  async #fire(request: RequestDoc): Promise<number> {
    const now = this.clock.now();
    const due = request.deadlines
      .filter((d) => !d.fired && new Date(d.at) <= now)
      .sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime());
    for (const deadline of due) {
      // Send first, then mark: a crash in between fires it again, which the machine tolerates.
      await this.lifecycle.send(request._id, { type: deadline.event });
      // Only this deadline: the effects of the send may already have planned another of the
      // same kind (a held revocation's next try), which must stay to fire.
      const at = new Date(deadline.at).getTime();
      await this.store.update(request._id, (doc) => {
        const deadlines = doc.deadlines.map((d) =>
          d.kind === deadline.kind && new Date(d.at).getTime() === at ? { ...d, fired: true } : d,
        );
        return { set: { deadlines, nextDeadlineAt: nextDeadline(deadlines) } };
      });
    }
    // The next deadline is read again: a request claimed with none due (its deadlines moved since
    // nextDeadlineAt was written) must not be claimed again and again in the same sweep.
    await this.store.update(request._id, (doc) => ({
      set: { sweepLeaseUntil: null, nextDeadlineAt: nextDeadline(doc.deadlines) },
    }));
    return due.length;
  }
}
