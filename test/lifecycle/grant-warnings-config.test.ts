import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { ErrorCode, type ValidationError } from '../../src/errors.ts';

const failure = (value: string) => {
  try {
    loadConfig({ ACCESSDESK_GRANT_WARNINGS: value });
  } catch (error) {
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
};

describe('ACCESSDESK_GRANT_WARNINGS', () => {
  it('is a list of the shared durations, 24h and 1h by default, none when empty', () => {
    expect(loadConfig({}).grantWarnings).toEqual([24 * 3_600_000, 3_600_000]);
    expect(loadConfig({ ACCESSDESK_GRANT_WARNINGS: '2d, 30m' }).grantWarnings).toEqual([
      2 * 86_400_000,
      30 * 60_000,
    ]);
    expect(loadConfig({ ACCESSDESK_GRANT_WARNINGS: '' }).grantWarnings).toEqual([]);
  });

  it('a bad entry stops start with a message naming the variable and the entry', () => {
    const error = failure('24h,1x');
    expect(error.code).toBe(ErrorCode.ConfigInvalid);
    expect(error.problems).toEqual([
      'ACCESSDESK_GRANT_WARNINGS.1: "1x" is not a duration like 14d, 24h, 30m or 90s',
    ]);
    expect(failure('0m').problems).toEqual([
      'ACCESSDESK_GRANT_WARNINGS.0: "0m" is not a positive duration',
    ]);
  });
});
