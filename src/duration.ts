import ms from 'ms';
import * as z from 'zod';

/** Parses durations written like `14d`, `24h`, `30m` or `90s` into milliseconds; throws otherwise. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (!/^\d+(d|h|m|s)$/.test(trimmed)) {
    throw new Error(`"${text}" is not a duration like 14d, 24h, 30m or 90s`);
  }
  const value = ms(trimmed as ms.StringValue);
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`"${text}" is not a positive duration`);
  }
  return value;
}

/** A zod schema of a duration written like `8h`: its milliseconds, or the parse error as an issue. */
export function durationSchema() {
  return z.string().transform((text, ctx) => {
    try {
      return parseDuration(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });
}
