import { clip, type Logger } from './log.ts';

/** The part of `process` the guards use (a stand-in in tests). */
export interface GuardedProcess {
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  on(event: 'uncaughtException', listener: (error: Error) => void): unknown;
  exit(code: number): never | void;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return clip(error, 200);
  const where = error.stack?.split('\n')[1]?.trim() ?? 'no stack';
  return `${error.name}: ${clip(error.message, 200)} (${clip(where, 200)})`;
}

/**
 * What a stray failure does to the process. A rejected promise nobody awaited is logged and the
 * process goes on: every request's state is in MongoDB behind compare-and-set, and work in
 * flight is in the durable outbox, so nothing in memory is left half-changed. A synchronous
 * exception that reached the event loop may have left this process's in-memory queues (write
 * queue, turns, leases it holds) half-updated: it is logged and the process exits (code 1), and
 * the outbox's lease hands its work to the next start or another instance.
 */
export function guardProcess(proc: GuardedProcess, logger: Logger): void {
  proc.on('unhandledRejection', (reason) => {
    logger.error(`unhandled rejection, carrying on: ${describe(reason)}`);
  });
  proc.on('uncaughtException', (error) => {
    logger.fatal(
      `uncaught exception, exiting (state in memory may be corrupt): ${describe(error)}`,
    );
    proc.exit(1);
  });
}
