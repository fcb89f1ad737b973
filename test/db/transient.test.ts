import { mongo } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { isTransientDatabaseError, retryTransient } from '../../src/db/transient.ts';

const serverError = (code: number, labels: string[] = []) =>
  new mongo.MongoServerError({ message: `code ${code}`, code, errorLabels: labels });

describe('transient database errors', () => {
  it('a primary stepping down, an election or a dropped connection is transient', () => {
    expect(isTransientDatabaseError(serverError(10107))).toBe(true); // NotWritablePrimary
    expect(isTransientDatabaseError(serverError(11602))).toBe(true); // InterruptedDueToReplStateChange
    expect(isTransientDatabaseError(serverError(1, ['RetryableWriteError']))).toBe(true);
    expect(isTransientDatabaseError(new mongo.MongoNetworkError('connection reset'))).toBe(true);
  });

  it('a duplicate key, another server error or a plain error is not', () => {
    expect(isTransientDatabaseError(serverError(11000))).toBe(false);
    expect(isTransientDatabaseError(serverError(2))).toBe(false);
    expect(isTransientDatabaseError(new Error('NotWritablePrimary'))).toBe(false);
  });

  it('retries the transient ones, telling the work which attempt it is; lets the others through', async () => {
    const attempts: number[] = [];
    const result = await retryTransient(
      async (attempt) => {
        attempts.push(attempt);
        if (attempt < 2) throw serverError(10107);
        return 'saved';
      },
      { firstDelayMs: 1 },
    );
    expect(result).toBe('saved');
    expect(attempts).toEqual([0, 1, 2]);
    let calls = 0;
    const duplicate = retryTransient(async () => {
      calls++;
      throw serverError(11000);
    });
    await expect(duplicate).rejects.toMatchObject({ code: 11000 });
    expect(calls).toBe(1);
    await expect(
      retryTransient(
        async () => {
          throw serverError(10107);
        },
        { tries: 3, firstDelayMs: 1 },
      ),
    ).rejects.toMatchObject({ code: 10107 });
  });
});
