/** Every failure a person can be told about has a code; `describeError` turns it into words. */
export enum ErrorCode {
  TenantFileInvalid = 'tenant_file_invalid',
  ConfigInvalid = 'config_invalid',
  NotFound = 'not_found',
  UnknownPerson = 'unknown_person',
  NoFreeSeat = 'no_free_seat',
  SeatsInUse = 'seats_in_use',
  NonInteractiveLimit = 'non_interactive_limit',
  RoleOutsideBusinessUnit = 'role_outside_business_unit',
  UserDisabled = 'user_disabled',
  LastGlobalAdmin = 'last_global_admin',
  NotAllowed = 'not_allowed',
  InvalidInput = 'invalid_input',
  AlreadyDecided = 'already_decided',
  Conflict = 'conflict',
  DirectoryUnavailable = 'directory_unavailable',
  DirectoryRefused = 'directory_refused',
  InvitationInvalid = 'invitation_invalid',
}

/** Base class: a coded error with a message fit for the person who caused it. */
export class AccessdeskError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A tenant file or an input that names a field, with one line per problem. */
export class ValidationError extends AccessdeskError {
  constructor(
    code: ErrorCode.TenantFileInvalid | ErrorCode.ConfigInvalid | ErrorCode.InvalidInput,
    readonly problems: string[],
  ) {
    super(code, problems.join('\n'), { problems });
  }
}

/** A rule of DOMAIN.md refused the operation; `rule` is its ID (L3, M3, …). */
export class RuleViolation extends AccessdeskError {
  constructor(
    code: ErrorCode,
    readonly rule: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, { ...details, rule });
  }
}

/** A retryable failure of an outside system (directory, Graph). */
export class RetryableError extends AccessdeskError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorCode.DirectoryUnavailable, message, details);
  }
}

/** The one place where a coded error becomes the words a person in Slack reads. */
export function describeError(error: unknown): string {
  if (error instanceof AccessdeskError) {
    const rule = typeof error.details.rule === 'string' ? ` (${error.details.rule})` : '';
    return `${error.message}${rule}`;
  }
  return 'Something went wrong on our side. Nothing was changed; please try again.';
}
