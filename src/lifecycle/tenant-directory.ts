import { RuleViolation } from '../errors.ts';
import { hasDatabase } from '../tenant/access.rules.ts';
import { GLOBAL_ADMIN } from '../tenant/admin.rules.ts';
import { environmentUserId } from '../tenant/environment-context.ts';
import {
  type AccountDoc,
  type EnvironmentDoc,
  rawOf,
  type SkuDoc,
} from '../tenant/tenant.model.ts';
import type { TenantService } from '../tenant/tenant.service.ts';
import type {
  BulkPerson,
  BulkProvisioned,
  Directory,
  DirectoryAccount,
  Holdings,
  People,
} from './ports.ts';
import type { OnboardingDetails } from './request.model.ts';
import { accountInput, provisionMany } from './tenant-directory-bulk.ts';

/**
 * The built-in directory: the tenant model itself. Each call is idempotent (the tenant services
 * are), and environments without a database skip the environment steps (E6).
 */
export class TenantDirectory implements Directory {
  constructor(private readonly t: TenantService) {}

  /** The account each result of `createAccount` stands for, as that call wrote or read it. */
  readonly #accounts = new WeakMap<DirectoryAccount, AccountDoc>();

  async createAccount(key: string, person: OnboardingDetails): Promise<DirectoryAccount> {
    try {
      const { account } = await this.t.createAccount(accountInput(key, person));
      const made = { accountId: account._id, upn: account.upn };
      this.#accounts.set(made, account);
      return made;
    } catch (error) {
      // A rehire (E3, L1): a leaver's account stays, blocked (E5); onboarding the same person
      // again enables it for the new invitation instead of making a second account. Looked
      // for only when the person's account refused a new one, so a new hire reads nothing.
      if (!(error instanceof RuleViolation && error.rule === 'L1')) throw error;
      const existing = await this.t.accountByEmail(person.email.toLowerCase());
      if (!existing || existing.deletedAt || existing.signInAllowed) throw error;
      await this.t.setSignInAllowed(existing._id, true);
      return { accountId: existing._id, upn: existing.upn };
    }
  }

  async accountIdByEmail(email: string): Promise<string | undefined> {
    return (await this.t.accountByEmail(email.toLowerCase()))?._id;
  }

  async accountIdByKey(key: string): Promise<string | undefined> {
    const account = await rawOf(this.t.models.Account).findOne(
      { idempotencyKey: key },
      { projection: { _id: 1 } },
    );
    return account?._id;
  }

  async holdSeat(skuId: string, key: string, expiresAt?: Date): Promise<void> {
    await this.t.holdSeat(skuId, key, expiresAt ? { expiresAt } : {});
  }

  async holdsSeat(skuId: string, key: string): Promise<boolean> {
    return !!(await this.t.seatHolder(skuId, key));
  }

  /**
   * Attaches the held seat of `key` to the account and, for an invitation, sets when it ends.
   * One guarded update: it refuses when another seat of the SKU is already the account's (L1),
   * and says so when the held seat is gone (L3) instead of provisioning without one.
   */
  async bindSeat(skuId: string, key: string, accountId: string, expiresAt?: Date): Promise<void> {
    await this.t.bindSeat(skuId, key, accountId, expiresAt);
  }

  async confirmSeat(skuId: string, key: string): Promise<void> {
    await this.t.confirmHeldSeat(skuId, key, undefined, { readBack: false });
  }

  async releaseSeat(skuId: string, key: string): Promise<void> {
    await this.t.releaseSeat(skuId, key);
  }

  async releaseAccountSeat(skuId: string, accountId: string): Promise<void> {
    const seat = (await this.t.seatsOf(accountId)).find((s) => s.skuId === skuId);
    if (seat) await this.t.releaseSeat(skuId, seat.key);
  }

  async hasFreeSeat(skuId: string): Promise<boolean> {
    // Only the counter: the document also carries every holder of the SKU.
    const sku = await this.t.models.Sku.findById(skuId, { free: 1 }).lean<Pick<SkuDoc, 'free'>>();
    return !!sku && sku.free > 0;
  }

  async grantAdminRoles(accountId: string, roles: string[]): Promise<string[]> {
    const warnings: string[] = [];
    for (const role of roles)
      warnings.push(...(await this.t.grantAdminRole(accountId, role)).warnings);
    return warnings;
  }

  async revokeAdminRoles(accountId: string, roles: string[]): Promise<string[]> {
    const warnings: string[] = [];
    for (const role of roles)
      warnings.push(...(await this.t.revokeAdminRole(accountId, role)).warnings);
    return warnings;
  }

  /**
   * The environment step in two writes when the rules allow it in memory (environments-bulk.ts).
   * The account is the one `createAccount` returned, not read again, unless admin roles were
   * granted to it since (A1, S5 look at them).
   */
  async placeInEnvironment(account: DirectoryAccount, details: OnboardingDetails) {
    const known = details.adminRoles.length ? undefined : this.#accounts.get(account);
    const doc = known ?? (await this.t.accountById(account.accountId));
    if (!doc) return false;
    return this.t.placeOneInEnvironment(details.environment, {
      account: doc,
      sku: details.sku,
      businessUnit: details.businessUnit,
      roles: details.securityRoles,
      accessMode: details.accessMode,
    });
  }

  async addToSecurityGroup(environmentId: string, accountId: string): Promise<void> {
    if (await this.#withDatabase(environmentId)) {
      await this.t.addToSecurityGroup(environmentId, accountId);
    }
  }

  async removeFromSecurityGroup(environmentId: string, accountId: string): Promise<void> {
    if (await this.#withDatabase(environmentId)) {
      await this.t.removeFromSecurityGroup(environmentId, accountId);
    }
  }

  async assignBusinessUnit(environmentId: string, accountId: string, unit: string): Promise<void> {
    if (await this.#withDatabase(environmentId)) {
      await this.t.assignBusinessUnit(environmentId, accountId, unit);
    }
  }

  async assignSecurityRoles(environmentId: string, accountId: string, roles: string[]) {
    if (await this.#withDatabase(environmentId)) {
      await this.t.assignSecurityRoles(environmentId, accountId, roles);
    }
  }

  async removeSecurityRoles(environmentId: string, accountId: string, roles: string[]) {
    if (!(await this.#withDatabase(environmentId))) return [];
    const result = await this.t.removeSecurityRoles(environmentId, accountId, roles);
    return (result as { warnings?: string[] } | undefined)?.warnings ?? [];
  }

  async securityRolesHeld(environmentId: string, accountId: string, roles: string[]) {
    const user = await this.t.models.EnvironmentUser.findById(
      environmentUserId(environmentId, accountId),
      { roles: 1 },
    ).lean<{ roles: string[] }>();
    return roles.filter((role) => user?.roles.includes(role));
  }

  async setAccessMode(
    environmentId: string,
    accountId: string,
    mode: OnboardingDetails['accessMode'],
  ): Promise<void> {
    if (!(await this.#withDatabase(environmentId))) return;
    if (mode === 'application') {
      await this.t.createApplicationUser(environmentId, {
        appId: accountId,
        name: accountId,
      });
      return;
    }
    await this.t.setAccessMode(environmentId, accountId, mode);
  }

  async setSignInAllowed(accountId: string, allowed: boolean): Promise<void> {
    await this.t.setSignInAllowed(accountId, allowed);
  }

  async issueTemporaryPassword(accountId: string): Promise<string> {
    return (await this.t.issueTemporaryPassword(accountId)).password;
  }

  async deleteAccount(accountId: string): Promise<void> {
    const account = await this.t.accountById(accountId);
    if (account && !account.deletedAt) await this.t.deleteAccount(accountId);
  }

  provisionMany(
    chunkKey: string,
    people: BulkPerson[],
    seatsOf: ReadonlySet<string>,
    expiresAt: Date,
  ): Promise<Map<string, BulkProvisioned>> {
    return provisionMany(this.t, chunkKey, people, seatsOf, expiresAt);
  }

  async holdingsOf(accountId: string): Promise<Holdings> {
    const account = await this.t.accountById(accountId);
    // E4: only direct members count; one query over the groups the account is in.
    const groups = await this.t.groupsOf(accountId);
    const environments = groups.length
      ? await this.t.models.Environment.find({ securityGroup: { $in: groups } }, { _id: 1 }).lean<
          Array<{ _id: string }>
        >()
      : [];
    const seats = await this.t.seatsOf(accountId);
    const users = await this.t.models.EnvironmentUser.find({ accountId }, { envId: 1, roles: 1 })
      .limit(100)
      .lean<Array<{ envId: string; roles: string[] }>>();
    return {
      environments: environments.map((e) => e._id),
      adminRoles: account?.adminRoles ?? [],
      skus: [...new Set(seats.map((s) => s.skuId))],
      securityRoles: Object.fromEntries(users.map((u) => [u.envId, u.roles])),
      ...(account ? { signInAllowed: account.signInAllowed } : {}),
    };
  }

  /** Environment kinds come from the tenant file and change only when it is applied at start. */
  readonly #kinds = new Map<string, Promise<boolean>>();

  #withDatabase(environmentId: string): Promise<boolean> {
    let known = this.#kinds.get(environmentId);
    if (!known) {
      known = this.t.models.Environment.findById(environmentId)
        .lean<EnvironmentDoc>()
        .then((env) => !env || hasDatabase(env.kind));
      known.catch(() => this.#kinds.delete(environmentId));
      this.#kinds.set(environmentId, known);
    }
    return known;
  }
}

/** People as the lifecycle needs them, read from the tenant at call time. */
export class TenantPeople implements People {
  constructor(private readonly t: TenantService) {}

  async adminRolesOf(email: string): Promise<string[]> {
    // Read at the moment of the decision, in one round trip: the account and whether the
    // registry lists it (a `$lookup` into the tenant document, for the account found).
    const { Account, Tenant } = this.t.models;
    const [account] = await rawOf(Account)
      .aggregate<Pick<AccountDoc, 'adminRoles' | 'deletedAt'> & { registry: unknown[] }>([
        { $match: { personEmail: email.toLowerCase() } },
        { $limit: 1 },
        { $project: { adminRoles: 1, deletedAt: 1 } },
        {
          $lookup: {
            from: Tenant.collection.collectionName,
            let: { id: '$_id' },
            pipeline: [
              {
                $match: {
                  _id: 'tenant',
                  $expr: { $in: ['$$id', { $ifNull: ['$globalAdmins', []] }] },
                },
              },
              { $project: { _id: 1 } },
            ],
            as: 'registry',
          },
        },
      ])
      .toArray();
    if (!account || account.deletedAt) return [];
    // A2: an account counts as Global admin only when its roles and the registry both say so.
    const registered = account.registry.length > 0;
    return account.adminRoles.filter((role) => role !== GLOBAL_ADMIN || registered);
  }

  async globalAdmins(): Promise<string[]> {
    return (await this.t.globalAdmins()).map((a) => a.personEmail);
  }
}
