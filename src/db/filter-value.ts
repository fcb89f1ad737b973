import { AccessdeskError, ErrorCode } from '../errors.ts';
import { clip } from '../log.ts';

/**
 * A value that is about to become a query filter's value, checked to be a plain string: an
 * object (`{ $ne: null }`), an array or a number never reaches MongoDB as an operator or as a
 * match on several values. Ids are parsed at the edge already; this is the second lock.
 */
export function filterValue(value: unknown, what: string, max = 320): string {
  if (typeof value !== 'string' || value.length > max || value.includes('\0'))
    throw new AccessdeskError(ErrorCode.InvalidInput, `Not a valid ${what}: ${clip(value)}.`);
  return value;
}
