import { defaultLogger } from '../log.ts';

/**
 * Work that runs after its caller returned (effects, Slack listeners after their ack), remembered
 * so that tests and a graceful shutdown can wait for it. Failures go to `onError`.
 */
export class Background {
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(private readonly onError: (error: unknown, context: string) => void) {}

  /** Runs `work` in the background, remembered so `idle()` can wait for it. */
  track(work: Promise<unknown>, context: string): void {
    const tracked = work.catch((error) => this.onError(error, context));
    this.#inFlight.add(tracked);
    tracked.finally(() => this.#inFlight.delete(tracked));
  }

  /** Resolves once no background work is left. */
  async idle(): Promise<void> {
    while (this.#inFlight.size) await Promise.all([...this.#inFlight]);
  }
}

/** Where background failures go when nobody says: the default logger, message only. */
export function reportToLog(error: unknown, context: string): void {
  defaultLogger.error(`${context}: ${error instanceof Error ? error.message : String(error)}`);
}
