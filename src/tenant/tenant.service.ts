/** The tenant, as the rest of accessdesk sees it: one class, every operation idempotent. */
import type { Connection } from 'mongoose';
import type { Clock } from '../clock.ts';
import { AccessdeskError, ErrorCode, RuleViolation } from '../errors.ts';
import { AccessModes } from './access-modes.service.ts';
import type { Profile } from './accounts.rules.ts';
import { AccountDirectory, type CreateAccountInput } from './accounts.service.ts';
import { GLOBAL_ADMIN, mayCreatePartnerCenterUsers } from './admin.rules.ts';
import { AdminRoleRegistry, type ChangeOutcome } from './admin-roles.service.ts';
import { applyTenantConfig } from './apply-config.ts';
import { forgetEnvironmentConfig } from './environment-context.ts';
import { EnvironmentAccess } from './environments.service.ts';
import { type EnvironmentPlacement, placeMany, placeOne } from './environments-bulk.ts';
import { groupsOf, removeFromAllGroups } from './group-members.ts';
import { NonInteractivePlaces, type PlaceOptions } from './non-interactive.service.ts';
import { PeopleDirectory } from './people.service.ts';
import type { BulkSeatWant } from './seat-bulk.ts';
import type { SeatJournalOptions } from './seat-journal.ts';
import { SeatLedger, type SeatOptions, type SeatSummary } from './seats.service.ts';
import {
  type AccountDoc,
  ensureTenantIndexes,
  type PersonDoc,
  type TenantModels,
  tenantModels,
} from './tenant.model.ts';
import type { TenantConfig } from './tenant.schema.ts';
import { TenantEnvironments } from './tenant-environments.ts';

/** Accounts, seats, admin roles and environments of the tenant, on one Mongo connection. */
export class TenantService extends TenantEnvironments {
  readonly models: TenantModels;
  private readonly seats: SeatLedger;
  private readonly accounts: AccountDirectory;
  private readonly admins: AdminRoleRegistry;
  protected readonly environments: EnvironmentAccess;
  protected readonly modes: AccessModes;
  protected readonly places: NonInteractivePlaces;
  private readonly people: PeopleDirectory;

  constructor(
    connection: Connection,
    private readonly clock: Clock,
    options: { seats?: SeatJournalOptions; places?: PlaceOptions } = {},
  ) {
    super();
    this.models = tenantModels(connection);
    this.seats = new SeatLedger(this.models, clock, options.seats);
    this.accounts = new AccountDirectory(this.models, clock);
    this.admins = new AdminRoleRegistry(this.models);
    this.environments = new EnvironmentAccess(this.models, clock, this.accounts);
    this.places = new NonInteractivePlaces(this.models, clock, options.places);
    this.modes = new AccessModes(this.models, clock, this.places);
    this.people = new PeopleDirectory(this.models);
  }

  /** Waits for the unique indexes idempotency relies on. */
  init(): Promise<void> {
    return ensureTenantIndexes(this.models);
  }

  /** Applies a validated tenant file; safe on every start; returns warnings, one a line. */
  async applyConfig(config: TenantConfig): Promise<{ warnings: string[] }> {
    await this.init();
    const { models: m, seats, accounts, admins, environments, modes, people } = this;
    const parts = { m, seats, accounts, admins, environments, modes, people };
    try {
      return { warnings: await applyTenantConfig(parts, config) };
    } finally {
      forgetEnvironmentConfig(m);
      accounts.forgetDomain();
    }
  }

  // People

  /** The person with this Slack user id, if any. */
  personBySlackId(slackId: string): Promise<PersonDoc | null> {
    return this.people.bySlackId(slackId);
  }
  /** The person with this email, if any. */
  personByEmail(email: string): Promise<PersonDoc | null> {
    return this.people.byEmail(email);
  }
  /** Everyone of the tenant file. */
  listPeople(): Promise<PersonDoc[]> {
    return this.people.list();
  }
  /** Everyone reporting to `managerEmail`, directly or indirectly. */
  reportsOf(managerEmail: string): Promise<PersonDoc[]> {
    return this.people.reportsOf(managerEmail);
  }
  /** Whether `managerEmail` manages `personEmail`, directly or not. */
  manages(managerEmail: string, personEmail: string): Promise<boolean> {
    return this.people.manages(managerEmail, personEmail);
  }
  /** A2: the accounts that are Global admins now. */
  async globalAdmins(): Promise<AccountDoc[]> {
    const ids = await this.admins.globalAdminIds();
    const accounts = await this.models.Account.find({
      _id: { $in: ids },
      adminRoles: GLOBAL_ADMIN,
      deletedAt: null,
    }).lean<AccountDoc[]>();
    return accounts.sort((a, b) => a.personEmail.localeCompare(b.personEmail));
  }
  /** A2: whether the person's account is a Global admin at this moment (read from the DB). */
  async isGlobalAdmin(email: string): Promise<boolean> {
    const account = await this.accounts.byEmail(email);
    return account ? this.admins.isGlobalAdmin(account._id) : false;
  }

  // Seats

  /** L5: assigned, held and free seats of a SKU. */
  seatSummary(skuId: string): Promise<SeatSummary> {
    return this.seats.summary(skuId);
  }
  /** Seat summaries of every SKU. */
  listSeatSummaries(): Promise<SeatSummary[]> {
    return this.seats.list();
  }
  /** L4: holds a seat under `key` (expires 14 days from now by default); idempotent. */
  holdSeat(skuId: string, key: string, options?: SeatOptions) {
    return this.seats.hold(skuId, key, options);
  }
  /** L3/L4: held seats for a chunk of people, in order, while free; the keys that hold one. */
  holdSeats(skuId: string, chunkKey: string, people: BulkSeatWant[], expiresAt: Date) {
    return this.seats.holdMany(skuId, chunkKey, people, expiresAt);
  }
  /** E1/S3/S5 for a chunk of new accounts in one environment; the ids of those placed. */
  placeInEnvironment(envId: string, people: EnvironmentPlacement[]) {
    return placeMany(this.models, this.clock, envId, people);
  }
  /** E1/S3/S5/A1/A5/M1 for one new account in one go; false: take the steps one by one. */
  placeOneInEnvironment(envId: string, person: EnvironmentPlacement) {
    return placeOne(this.models, this.clock, envId, person);
  }
  /** Which of `keys` hold a seat of `skuId` now. */
  seatsHeldFor(skuId: string, keys: string[]) {
    return this.seats.heldOf(skuId, keys);
  }
  /** L1–L3: assigns a seat under `key`; refuses with no_free_seat (L3); idempotent. */
  assignSeat(skuId: string, key: string, options?: SeatOptions) {
    return this.seats.assign(skuId, key, options);
  }
  /** L4: the invitation was accepted: its held seat becomes assigned. */
  confirmHeldSeat(
    skuId: string,
    key: string,
    accountId?: string,
    options?: { readBack?: boolean },
  ) {
    return this.seats.confirmHeld(skuId, key, accountId, options);
  }
  /** L4/L6: frees the seat under `key`; false when already free. */
  releaseSeat(skuId: string, key: string): Promise<boolean> {
    return this.seats.release(skuId, key);
  }
  /** L5: sets the seat count, never below the seats in use. */
  setSeatCount(skuId: string, seats: number): Promise<SeatSummary> {
    return this.seats.setSeatCount(skuId, seats);
  }
  /**
   * `/access seats set`: `actorEmail` sets the seats of the SKU `skuRef` names (its id or name,
   * any case). Only a Global admin may (read now); L5 refuses a count below the seats in use.
   */
  async setSeatCountAs(actorEmail: string, skuRef: string, seats: number): Promise<SeatSummary> {
    if (!(await this.isGlobalAdmin(actorEmail))) {
      throw new AccessdeskError(
        ErrorCode.NotAllowed,
        'Only a Global admin can change seat counts.',
      );
    }
    return this.seats.setSeatCount(await this.seats.resolve(skuRef), seats);
  }
  /** L3: buying adds seats. */
  addSeats(skuId: string, count: number): Promise<SeatSummary> {
    return this.seats.addSeats(skuId, count);
  }
  /** The holder of `key`, if any. */
  seatHolder(skuId: string, key: string) {
    return this.seats.holder(skuId, key);
  }
  /** The seats an account holds. */
  seatsOf(accountId: string) {
    return this.seats.seatsOf(accountId);
  }
  /** L4: releases every held seat whose 14 days have passed at `now`. */
  expireHeldSeats(now: Date) {
    return this.seats.expireHeld(now);
  }
  /** L1: binds the seat held under `key` to the account (and when an invitation's hold ends). */
  bindSeat(skuId: string, key: string, accountId: string, expiresAt?: Date): Promise<void> {
    return this.seats.bind(skuId, key, accountId, expiresAt);
  }
  /** Finishes seat operations whose writer stopped longer ago than the lease (or `olderThanMs`). */
  recoverSeats(olderThanMs?: number) {
    return this.seats.recover(olderThanMs);
  }
  /** SKUs whose counters disagree with a recount of their holders (empty when exact). */
  verifySeats() {
    return this.seats.verify();
  }

  // Accounts

  /** T1: creates the account once per idempotency key; `created` is false on a repeat. */
  createAccount(input: CreateAccountInput) {
    return this.accounts.create(input);
  }
  /** T1 for a chunk of people: their accounts by key (people left out go one at a time). */
  createAccounts(inputs: Array<CreateAccountInput & { idempotencyKey: string }>) {
    return this.accounts.createMany(inputs);
  }
  /** T1/T2: a new password returned once; only a salted hash is stored (see hashPassword). */
  issueTemporaryPassword(accountId: string, options?: { permanent?: string; by?: string }) {
    return this.accounts.issueTemporaryPassword(accountId, options);
  }
  /** T4: allows or blocks sign-in. */
  setSignInAllowed(accountId: string, allowed: boolean): Promise<AccountDoc> {
    return this.accounts.setSignInAllowed(accountId, allowed);
  }
  /** T5: deletes the account and frees all its seats at once (refused for the last Global admin). */
  async deleteAccount(accountId: string): Promise<{ freedSkus: string[]; warnings: string[] }> {
    const account = await this.accounts.require(accountId);
    const { warnings } = account.adminRoles.includes(GLOBAL_ADMIN)
      ? await this.admins.revoke(accountId, GLOBAL_ADMIN)
      : { warnings: [] };
    await this.accounts.markDeleted(accountId);
    const freedSkus = await this.seats.releaseAllOf(accountId);
    await removeFromAllGroups(this.models, accountId);
    return { freedSkus, warnings };
  }
  /** T3: updates profile fields everywhere, except primary email in existing environment records. */
  updateProfile(accountId: string, patch: Profile & { firstName?: string; lastName?: string }) {
    return this.accounts.updateProfile(accountId, patch);
  }
  /** The account with this user principal name, if any. */
  accountByUpn(upn: string): Promise<AccountDoc | null> {
    return this.accounts.byUpn(upn);
  }
  /** The account with this id, if any. */
  accountById(accountId: string): Promise<AccountDoc | null> {
    return this.accounts.byId(accountId);
  }
  /** The account of the person with this email, if any. */
  accountByEmail(email: string): Promise<AccountDoc | null> {
    return this.accounts.byEmail(email);
  }

  // Admin roles

  /** A1/A2: grants an admin role (never a security role). */
  grantAdminRole(accountId: string, role: string): Promise<ChangeOutcome> {
    return this.admins.grant(accountId, role);
  }
  /** A2: revokes an admin role; refuses to leave no Global admin, warns below two. */
  revokeAdminRole(accountId: string, role: string): Promise<ChangeOutcome> {
    return this.admins.revoke(accountId, role);
  }
  /** A4: grants a Partner Center role to an existing account; returns its category. */
  grantPartnerCenterRole(accountId: string, role: string) {
    return this.admins.grantPartnerCenterRole(accountId, role);
  }
  /** A4: whether the account may create Partner Center users. */
  async mayCreatePartnerCenterUsers(accountId: string): Promise<boolean> {
    const account = await this.accounts.byId(accountId);
    if (!account || account.deletedAt) return false;
    return mayCreatePartnerCenterUsers([...account.adminRoles, ...account.partnerCenterRoles]);
  }

  /** E4: the groups the account is a direct member of. */
  groupsOf(accountId: string): Promise<string[]> {
    return groupsOf(this.models, accountId);
  }
  /** The account, or a coded NotFound error. */
  async requireAccount(accountId: string): Promise<AccountDoc> {
    const account = await this.accounts.byId(accountId);
    if (!account) throw new RuleViolation(ErrorCode.NotFound, 'T1', `No account "${accountId}".`);
    return account;
  }
}
