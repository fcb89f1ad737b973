/** Accounts in the directory (T1–T5): idempotent creation, one-time passwords, profile sync. */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { ErrorCode, RuleViolation, ValidationError } from '../errors.ts';
import {
  environmentProfileUpdate,
  fullName,
  generateTemporaryPassword,
  hashPassword,
  type Profile,
  passwordProblems,
  upnCandidate,
} from './accounts.rules.ts';
import { mayPerform } from './admin.rules.ts';
import {
  type AccountDoc,
  type EnvironmentUserDoc,
  isDuplicateKey,
  rawOf,
  type TenantModels,
} from './tenant.model.ts';

/** What creating an account needs; the same `idempotencyKey` always yields the same account. */
export interface CreateAccountInput extends Profile {
  idempotencyKey?: string;
  personEmail: string;
  firstName: string;
  lastName: string;
  /** A fixed user name (people of the tenant file keep theirs); otherwise `first.last@domain`. */
  upn?: string;
}

/** The account, and whether this call created it. */
export interface CreatedAccount {
  account: AccountDoc;
  created: boolean;
}

const MAX_UPN_ATTEMPTS = 50;

/** Creates and changes accounts; never stores or logs a password in clear (T2). */
export class AccountDirectory {
  constructor(
    private readonly m: TenantModels,
    private readonly clock: Clock,
  ) {}

  /** T1: creates the account once per key; a taken UPN gets a numeric suffix (race-safe). */
  async create(input: CreateAccountInput): Promise<CreatedAccount> {
    await this.m.Account.init();
    const personEmail = input.personEmail.toLowerCase();
    const idempotencyKey = input.idempotencyKey ?? `person:${personEmail}`;
    // No read for the key first: the insert below refuses a second account for it (unique
    // index), and that refusal is where an existing one is found.
    const domain = await this.#tenantDomain();
    if (!input.upn && !domain) {
      throw new ValidationError(ErrorCode.InvalidInput, ['domain: the tenant has no domain yet']);
    }
    const profile = pickProfile(input);
    for (let attempt = 1; attempt <= MAX_UPN_ATTEMPTS; attempt++) {
      const upn =
        input.upn?.toLowerCase() ?? upnCandidate(input.firstName, input.lastName, domain!, attempt);
      try {
        // Every field is given and plain, so the driver writes it as the schema would.
        const doc: AccountDoc = {
          _id: `acc_${randomUUID()}`,
          upn,
          personEmail,
          idempotencyKey,
          firstName: input.firstName,
          lastName: input.lastName,
          profile,
          signInAllowed: true,
          mustChangePassword: true,
          adminRoles: [],
          fileAdminRoles: [],
          partnerCenterRoles: [],
          createdAt: this.clock.now(),
        };
        await rawOf(this.m.Account).insertOne(doc, { ignoreUndefined: true });
        return { account: doc, created: true };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const again = await this.m.Account.findOne({ idempotencyKey }).lean<AccountDoc>();
        if (again) return { account: again, created: false };
        if (isDuplicateKey(error, 'personEmail')) {
          throw new RuleViolation(
            ErrorCode.Conflict,
            'L1',
            `${personEmail} already has an account.`,
          );
        }
        if (input.upn) throw new RuleViolation(ErrorCode.Conflict, 'T1', `${upn} is taken.`);
      }
    }
    throw new RuleViolation(ErrorCode.Conflict, 'T1', 'No free user name was found.');
  }

  /**
   * T1 for a chunk of people at once: one unordered insert of the accounts (first-choice user
   * names), then one read by key. A key that made its account before (a re-run) finds it; a
   * person whose user name is taken or who has an account already is left out of the result,
   * for `create` to handle one at a time.
   */
  async createMany(inputs: Array<CreateAccountInput & { idempotencyKey: string }>) {
    await this.m.Account.init();
    const domain = await this.#tenantDomain();
    if (!domain)
      throw new ValidationError(ErrorCode.InvalidInput, ['domain: the tenant has no domain yet']);
    const now = this.clock.now();
    const docs: AccountDoc[] = inputs.map((input) => ({
      _id: `acc_${randomUUID()}`,
      upn: upnCandidate(input.firstName, input.lastName, domain, 1),
      personEmail: input.personEmail.toLowerCase(),
      idempotencyKey: input.idempotencyKey,
      firstName: input.firstName,
      lastName: input.lastName,
      profile: pickProfile(input),
      signInAllowed: true,
      mustChangePassword: true,
      adminRoles: [],
      fileAdminRoles: [],
      partnerCenterRoles: [],
      createdAt: now,
    }));
    try {
      await rawOf(this.m.Account).insertMany(docs, { ordered: false, ignoreUndefined: true });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const made = await rawOf(this.m.Account)
      .find({ idempotencyKey: { $in: inputs.map((i) => i.idempotencyKey) } })
      .toArray();
    return new Map(made.map((a) => [a.idempotencyKey as string, a]));
  }

  /** T1/T2: a new password, returned once; only its salted hash is stored (see hashPassword). */
  async issueTemporaryPassword(
    accountId: string,
    options: { permanent?: string; by?: string } = {},
  ): Promise<{ password: string; mustChangePassword: boolean }> {
    if (options.by) await this.requirePermission(options.by);
    if (options.permanent !== undefined) {
      const problems = passwordProblems(options.permanent);
      if (problems.length > 0) throw new ValidationError(ErrorCode.InvalidInput, problems);
    }
    const password = options.permanent ?? generateTemporaryPassword();
    const mustChangePassword = options.permanent === undefined;
    const result = await rawOf(this.m.Account).updateOne(
      { _id: accountId, deletedAt: null },
      {
        $set: {
          passwordHash: await hashPassword(password, mustChangePassword ? 'generated' : 'chosen'),
          mustChangePassword,
          passwordIssuedAt: this.clock.now(),
        },
      },
    );
    if (result.matchedCount === 0) throw notFound(accountId);
    return { password, mustChangePassword };
  }

  /** T4: allows or blocks sign-in. */
  async setSignInAllowed(accountId: string, allowed: boolean): Promise<AccountDoc> {
    return this.update(accountId, { $set: { signInAllowed: allowed } });
  }

  /** T5: marks the account deleted and blocks sign-in (seats are freed by the caller at once). */
  async markDeleted(accountId: string): Promise<AccountDoc> {
    const account = await this.require(accountId);
    if (account.deletedAt) return account;
    return this.update(accountId, { $set: { deletedAt: this.clock.now(), signInAllowed: false } });
  }

  /** T3: updates the profile and copies it to every environment record, except primary email. */
  async updateProfile(
    accountId: string,
    patch: Profile & { firstName?: string; lastName?: string },
  ): Promise<AccountDoc> {
    const set: Record<string, unknown> = {};
    if (patch.firstName) set.firstName = patch.firstName;
    if (patch.lastName) set.lastName = patch.lastName;
    for (const [field, value] of Object.entries(pickProfile(patch)))
      set[`profile.${field}`] = value;
    const account = await this.update(accountId, { $set: set });
    const envSet: Record<string, unknown> = {
      fullName: fullName(account.firstName, account.lastName),
    };
    for (const [field, value] of Object.entries(environmentProfileUpdate(account.profile, true))) {
      envSet[`profile.${field}`] = value;
    }
    await this.m.EnvironmentUser.updateMany({ accountId }, { $set: envSet });
    return account;
  }

  /** T3: the fields a new environment record starts with (email included, only here). */
  static environmentCopy(account: AccountDoc): Pick<EnvironmentUserDoc, 'fullName' | 'profile'> {
    return {
      fullName: fullName(account.firstName, account.lastName),
      profile: environmentProfileUpdate(account.profile, false),
    };
  }

  /** The tenant's domain, kept once read: it is set by the tenant file (see `forgetDomain`). */
  #domain: string | undefined;
  async #tenantDomain(): Promise<string | undefined> {
    this.#domain ??= (
      await rawOf(this.m.Tenant).findOne({ _id: 'tenant' }, { projection: { domain: 1 } })
    )?.domain;
    return this.#domain;
  }

  /** Called when the tenant file is applied: the domain is read again on the next account. */
  forgetDomain(): void {
    this.#domain = undefined;
  }

  /** The account with this id, if any. */
  byId(accountId: string): Promise<AccountDoc | null> {
    return rawOf(this.m.Account).findOne({ _id: accountId });
  }

  /** The account with this user principal name, if any. */
  byUpn(upn: string): Promise<AccountDoc | null> {
    return this.m.Account.findOne({ upn: upn.toLowerCase() }).lean<AccountDoc>();
  }

  /** The account of the person with this email, if any. */
  byEmail(email: string): Promise<AccountDoc | null> {
    return rawOf(this.m.Account).findOne({ personEmail: email.toLowerCase() });
  }

  /** The account, or a NotFound error. */
  async require(accountId: string): Promise<AccountDoc> {
    const account = await this.byId(accountId);
    if (!account) throw notFound(accountId);
    return account;
  }

  private async update(accountId: string, update: Record<string, unknown>): Promise<AccountDoc> {
    const account = await this.m.Account.findOneAndUpdate({ _id: accountId }, update, {
      returnDocument: 'after',
    }).lean<AccountDoc>();
    if (!account) throw notFound(accountId);
    return account;
  }

  private async requirePermission(actorId: string): Promise<void> {
    const actor = await this.byId(actorId);
    if (!actor || !mayPerform(actor.adminRoles, 'reset-passwords')) {
      throw new RuleViolation(
        ErrorCode.NotAllowed,
        'A2',
        'Only a Global, Password or User management admin can set passwords.',
      );
    }
  }
}

function pickProfile(input: Profile): Profile {
  const profile: Profile = {};
  for (const [field, value] of Object.entries(environmentProfileUpdate(input, false))) {
    profile[field as keyof Profile] = value;
  }
  return profile;
}

function notFound(accountId: string): RuleViolation {
  return new RuleViolation(ErrorCode.NotFound, 'T1', `There is no account "${accountId}".`);
}
