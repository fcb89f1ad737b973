import { mongo } from 'mongoose';

/**
 * Server error codes of a replica set changing its primary or of a lost connection (the set the
 * driver itself retries once: NotWritablePrimary, PrimarySteppedDown, InterruptedDueToReplStateChange…).
 */
const TRANSIENT_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

const TRANSIENT_LABELS = [
  mongo.MongoErrorLabel.RetryableWriteError,
  mongo.MongoErrorLabel.TransientTransactionError,
  mongo.MongoErrorLabel.RetryableError,
];

/**
 * True for a MongoDB error that another try can cure: a primary stepping down, an election, a
 * dropped connection. The driver already retries such a read or write once (retryable reads and
 * writes); this is for the ones an election outlasts.
 */
export function isTransientDatabaseError(error: unknown): error is mongo.MongoError {
  if (!(error instanceof mongo.MongoError)) return false;
  if (error instanceof mongo.MongoNetworkError) return true;
  if (error instanceof mongo.MongoServerSelectionError) return true;
  if (TRANSIENT_LABELS.some((label) => error.hasErrorLabel(label))) return true;
  return typeof error.code === 'number' && TRANSIENT_CODES.has(error.code);
}

/**
 * Runs `work` again while it fails with a transient database error, backing off (0.1 s doubling
 * to 2 s, about 30 s in all with the driver's own waits for a primary). `work` is told the
 * attempt number: from 1 on it must not trust what it remembered. Any other error goes through.
 */
export async function retryTransient<T>(
  work: (attempt: number) => Promise<T>,
  { tries = 12, firstDelayMs = 100, maxDelayMs = 2000 } = {},
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (!isTransientDatabaseError(error) || attempt + 1 >= tries) throw error;
      const delay = Math.min(firstDelayMs * 2 ** attempt, maxDelayMs);
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random() / 2)));
    }
  }
}
