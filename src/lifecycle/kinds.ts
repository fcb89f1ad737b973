/*
 * The request kinds and what each asks. A new kind adds its details here, its submit function
 * to `submit.ts`, its machine to `machines.ts`, its effects file beside `effects.ts`, and its
 * flow; the kernel (lifecycle, store, runner, scheduler, seat queue) does not change.
 */

/** Which lifecycle a request follows. */
export type RequestKind =
  | 'onboarding'
  | 'role_change'
  | 'offboarding'
  | 'time_bound_grant'
  | 'bulk_onboarding'
  | 'bulk_member';

/** What was asked: onboarding fields or the change. Validated at the edge before it gets here. */
export interface OnboardingDetails {
  firstName: string;
  lastName: string;
  email: string;
  jobTitle?: string;
  department?: string;
  office?: string;
  mobilePhone?: string;
  managerEmail?: string;
  /** ISO 3166 country of the account (Graph licenses no one without it); the tenant's if unset. */
  usageLocation?: string;
  sku: string;
  environment: string;
  businessUnit: string;
  securityRoles: string[];
  accessMode: 'read_write' | 'administrative' | 'non_interactive' | 'application';
  adminRoles: string[];
  justification: string;
}

/** A role change of an existing account. */
export interface RoleChangeDetails {
  change:
    | 'security_roles_add'
    | 'security_roles_remove'
    | 'admin_roles_grant'
    | 'admin_roles_revoke'
    | 'access_mode'
    | 'license_add'
    | 'license_remove'
    | 'enable'
    | 'disable';
  environment?: string;
  securityRoles?: string[];
  adminRoles?: string[];
  accessMode?: OnboardingDetails['accessMode'];
  sku?: string;
  justification: string;
}

/** An offboarding of a leaver's account (the account stays, E5). */
export interface OffboardingDetails {
  /** When access closes (ISO instant): now or later. */
  effectiveAt: string;
  /** The leaver's manager at the time of asking, told when it is asked and when it is done. */
  managerEmail?: string;
}

/** A batch of new hires from one CSV file (its people are documents of their own). */
export interface BulkOnboardingDetails {
  batchId: string;
  fileName: string;
  people: number;
  /** "Onboard 250 people: Sales 200, Marketing 50" (bounded: the largest departments). */
  headline: string;
  /** Seats per SKU as they stood when the batch was asked ("180 free, 70 will wait"). */
  seats: string[];
  justification: string;
}

/** One person of a batch: an onboarding, and where it came from (batch and CSV line). */
export interface BulkMemberDetails extends OnboardingDetails {
  batchId: string;
  line: number;
}

/**
 * A time-bound grant: security roles of an environment, admin roles or a license, for a while.
 * The clock starts when it is applied: it ends `durationMs` later, or at `until`.
 */
export interface GrantDetails {
  grant: 'security_roles' | 'admin_roles' | 'license';
  environment?: string;
  securityRoles?: string[];
  adminRoles?: string[];
  sku?: string;
  /** How long it lasts once applied; absent when it lasts `until` a date. */
  durationMs?: number;
  /** When it ends (ISO), for "until a date". */
  until?: string;
  justification: string;
  /** The grant (request id) this one extends: it starts where that one ends. */
  extends?: string;
  /** When the person first got this access, for an extension's card (ISO). */
  heldSince?: string;
}

/** What any request asks. */
export type RequestDetails =
  | OnboardingDetails
  | RoleChangeDetails
  | OffboardingDetails
  | BulkOnboardingDetails
  | BulkMemberDetails
  | GrantDetails;
