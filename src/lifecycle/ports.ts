import type { OnboardingDetails, RequestDoc } from './request.model.ts';

/** An account the directory created (or found, on a retry with the same key). */
export interface DirectoryAccount {
  accountId: string;
  upn: string;
}

/** What an account holds now: what an offboarding takes away, one step at a time. */
export interface Holdings {
  /** Environments whose security group the account is a direct member of (E1, E4). */
  environments: string[];
  /** Its admin roles (A2). */
  adminRoles: string[];
  /** The SKUs it holds a seat of (L1). */
  skus: string[];
  /** Whether it may sign in (T4), where the directory can tell. */
  signInAllowed?: boolean;
  /** Its security roles per environment, where the directory can tell (held directly, S1). */
  securityRoles?: Record<string, string[]>;
}

/**
 * The directory accessdesk provisions into (P1–P2). The built-in one is the tenant model; a
 * Microsoft Graph adapter implements the same port. Every method is idempotent: calling it again
 * with the same arguments changes nothing more. Failures worth retrying throw `RetryableError`.
 */
export interface Directory {
  /** Creates the account for `key`; a leaver's blocked account is enabled again instead (E3, L1). */
  createAccount(key: string, person: OnboardingDetails): Promise<DirectoryAccount>;
  accountIdByEmail(email: string): Promise<string | undefined>;
  /** The account `createAccount` made for `key`, if it got that far. */
  accountIdByKey(key: string): Promise<string | undefined>;
  /** Takes a held seat for `key` (L3, L4); throws RuleViolation no_free_seat when none is free. */
  holdSeat(skuId: string, key: string, expiresAt?: Date): Promise<void>;
  /** Whether a seat of the SKU is taken for `key` already (a repeat after a crash). */
  holdsSeat(skuId: string, key: string): Promise<boolean>;
  bindSeat(skuId: string, key: string, accountId: string, expiresAt?: Date): Promise<void>;
  confirmSeat(skuId: string, key: string): Promise<void>;
  releaseSeat(skuId: string, key: string): Promise<void>;
  releaseAccountSeat(skuId: string, accountId: string): Promise<void>;
  hasFreeSeat(skuId: string): Promise<boolean>;
  grantAdminRoles(accountId: string, roles: string[]): Promise<string[]>;
  revokeAdminRoles(accountId: string, roles: string[]): Promise<string[]>;
  /**
   * The environment step of P1 for a new account in one go (security group, business unit,
   * security roles, access mode), when the directory checks their rules (E1, S3, S5, A1, A5,
   * M1) itself; false when it cannot, and the four steps below run one by one. Optional: without
   * it they always do (Graph: they are separate calls there). Idempotent like every step.
   */
  placeInEnvironment?(account: DirectoryAccount, details: OnboardingDetails): Promise<boolean>;
  addToSecurityGroup(environmentId: string, accountId: string): Promise<void>;
  removeFromSecurityGroup(environmentId: string, accountId: string): Promise<void>;
  assignBusinessUnit(environmentId: string, accountId: string, businessUnit: string): Promise<void>;
  assignSecurityRoles(environmentId: string, accountId: string, roles: string[]): Promise<void>;
  removeSecurityRoles(environmentId: string, accountId: string, roles: string[]): Promise<string[]>;
  /**
   * Which of `roles` the account holds in the environment now (S1; read only, held directly,
   * from anywhere): what a time-bound grant reads before it gives them.
   */
  securityRolesHeld(environmentId: string, accountId: string, roles: string[]): Promise<string[]>;
  setAccessMode(
    environmentId: string,
    accountId: string,
    mode: OnboardingDetails['accessMode'],
  ): Promise<void>;
  setSignInAllowed(accountId: string, allowed: boolean): Promise<void>;
  /** A fresh temporary password (T1), returned once and never stored in clear (T2). */
  issueTemporaryPassword(accountId: string): Promise<string>;
  /** Deletes the account (T5); one already deleted stays so. */
  deleteAccount(accountId: string): Promise<void>;
  /** What the account holds now (read only). */
  holdingsOf(accountId: string): Promise<Holdings>;
  /**
   * P1 for a chunk of people at once (optional: without it a batch goes one person at a time).
   * Seats are held, until `expiresAt` (L4), only for SKUs in `seatsOf`, in the order given and
   * while free (L3); `chunkKey` keys the chunk's seat take. Idempotent like every step:
   * running it again finds what a stopped run made. People it leaves out, or reports not
   * provisioned, go through the one-at-a-time path, which finishes what they have.
   */
  provisionMany?(
    chunkKey: string,
    people: BulkPerson[],
    seatsOf: ReadonlySet<string>,
    expiresAt: Date,
  ): Promise<Map<string, BulkProvisioned>>;
}

/** One person of a chunk of a batch: the key of their onboarding, and what it asks. */
export interface BulkPerson {
  key: string;
  details: OnboardingDetails;
}

/** What a chunk's provisioning did for one person (left out: nothing, go one at a time). */
export interface BulkProvisioned {
  accountId: string;
  upn: string;
  /** A held seat of the person's SKU is theirs (L3, L4). */
  seated: boolean;
  /** Every step of P1 is done (seated, account, environment). */
  provisioned: boolean;
}

/** What the invitee (or the requester, when the invitee is not in Slack) is told, once. */
export interface InvitationDelivery {
  acceptUrl: string;
  upn: string;
  temporaryPassword: string;
  expiresAt: Date;
}

/** How a request's people are told. The Slack bot implements it; the lifecycle never imports Slack. */
export interface Notifier {
  /** Posts the approval card; returns where it went so later changes edit it in place. */
  notifyApprovers(request: RequestDoc): Promise<{ channel: string; ts: string } | undefined>;
  /** Updates the card and DMs the requester after a change of status. */
  requestChanged(request: RequestDoc): Promise<void>;
  remindApprovers(request: RequestDoc): Promise<void>;
  escalateToGlobalAdmins(request: RequestDoc, admins: string[]): Promise<void>;
  deliverInvitation(request: RequestDoc, delivery: InvitationDelivery): Promise<void>;
  /** DMs the manager of the request's subject where it is now (an offboarding's notices). */
  tellManager(request: RequestDoc, managerEmail: string): Promise<void>;
  /** DMs `notice.to` about a time-bound grant: its end comes (with Extend), it ended, or is held. */
  grantNotice(request: RequestDoc, notice: GrantNotice): Promise<void>;
}

/** What a time-bound grant tells people, and whom. */
export type GrantNotice =
  | { kind: 'ending'; to: string[]; endsAt: Date }
  | { kind: 'ended'; to: string[]; warnings: string[] }
  | { kind: 'held'; to: string[]; reason: string };

/** A Notifier that tells no one: for benches and tests that do not look at messages. */
export const silentNotifier: Notifier = {
  notifyApprovers: async () => undefined,
  requestChanged: async () => {},
  remindApprovers: async () => {},
  escalateToGlobalAdmins: async () => {},
  deliverInvitation: async () => {},
  tellManager: async () => {},
  grantNotice: async () => {},
};

/** Who people are, read from the tenant at the moment it matters. */
export interface People {
  /** The person's admin roles right now (empty for someone unknown). */
  adminRolesOf(email: string): Promise<string[]>;
  /** Emails of every Global admin right now. */
  globalAdmins(): Promise<string[]>;
}

/**
 * Why a person holds one role, admin role or license: one document per person, grant key and
 * source (`unlimited`, or the time-bound grant's request id). A grant's end revokes only what no
 * other source still gives; nothing here grows with the tenant (no arrays).
 */
export interface GrantSource {
  /** `<subject>|<key>|<source>`. */
  _id: string;
  subjectEmail: string;
  /** `admin:<role>`, `role:<environment>:<role>` or `license:<sku>`. */
  key: string;
  /** What it is in words, for App Home ("Global admin", "Salesperson in sales-prod"). */
  label: string;
  /** `unlimited`, or the request id of the time-bound grant. */
  source: string;
  /** When a time-bound grant ends; null for `unlimited`. */
  endsAt: Date | null;
  /** Whether this grant gave it (the person did not hold it already when it was applied). */
  gave: boolean;
  /** The warning offsets (ms before the end) already sent for this grant. */
  warned?: number[];
  createdAt: Date;
}

/** The grant sources of people, behind a port (flows and effects never see MongoDB). */
export interface GrantSources {
  /** Records a source, or moves the end of one already there (an idempotent retry). */
  add(source: Omit<GrantSource, '_id' | 'createdAt'>): Promise<void>;
  /** The source, if recorded. */
  get(subjectEmail: string, key: string, source: string): Promise<GrantSource | undefined>;
  /** Whether any source but `except` gives the person `key`. */
  othersThan(subjectEmail: string, key: string, except?: string): Promise<boolean>;
  remove(subjectEmail: string, key: string, source: string): Promise<void>;
  /**
   * Claims the warning `offset` ms before a grant's end (compare-and-set): true once per grant
   * and offset, false when already claimed or the grant is gone; `give back` undoes a claim.
   */
  claimWarning(subjectEmail: string, key: string, source: string, offset: number): Promise<boolean>;
  giveBackWarning(subjectEmail: string, key: string, source: string, offset: number): Promise<void>;
  /** The running time-bound grants of these people, soonest end first, at most `limit`. */
  running(subjectEmails: string[], limit: number): Promise<GrantSource[]>;
}
