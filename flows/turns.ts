import type { App } from '@slack/bolt';

/**
 * Limits how many listeners do their post-ack work at once. Under a burst of clicks the work
 * queues here, not on the event loop, so new requests are still acked within milliseconds and
 * Slack never retries for want of an ack. Modal openers take no turn: their trigger expires in 3 s.
 */
export class Turns {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    this.#free = limit;
  }

  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
    } else {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    // Start after the requests already waiting on the socket have been read and acked.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

type TurnContext = { takeTurn?: () => Promise<void> };

/** After `ack()`: waits for this listener's turn to do its work (a no-op outside the app). */
export function takeTurn(context: object): Promise<void> {
  return (context as TurnContext).takeTurn?.() ?? Promise.resolve();
}

/**
 * Gives every listener a `takeTurn`; events (acked by Bolt before any listener) take one at once.
 * A listener keeps its turn at most `maxHoldMs`: one stuck on a slow call then stops holding up
 * the others (it carries on, just without a turn).
 */
export function useTurns(app: App, turns: Turns, maxHoldMs = 1000): void {
  app.use(async ({ next, context, body }) => {
    let held = false;
    let timer: NodeJS.Timeout | undefined;
    const giveBack = () => {
      if (!held) return;
      held = false;
      clearTimeout(timer);
      turns.release();
    };
    (context as TurnContext).takeTurn = async () => {
      if (held) return;
      await turns.acquire();
      held = true;
      timer = setTimeout(giveBack, maxHoldMs);
      timer.unref();
    };
    try {
      if ((body as { type?: string }).type === 'event_callback') await takeTurn(context);
      await next();
    } finally {
      giveBack();
    }
  });
}
