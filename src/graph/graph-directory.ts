/** The `Directory` port over Microsoft Graph and Dataverse, with seats kept by the tenant ledger. */
import type { Connection } from 'mongoose';
import { AccessdeskError, ErrorCode, RuleViolation } from '../errors.ts';
import type { Directory, DirectoryAccount, Holdings } from '../lifecycle/ports.ts';
import type { OnboardingDetails } from '../lifecycle/request.model.ts';
import { hasDatabase } from '../tenant/access.rules.ts';
import { GLOBAL_ADMIN, globalAdminWarnings, isAdminRole } from '../tenant/admin.rules.ts';
import type { TenantConfig } from '../tenant/tenant.schema.ts';
import { AccountKeys } from './account-keys.model.ts';
import { ADMIN_ROLE_TEMPLATE_IDS } from './admin-role-ids.ts';
import { Dataverse } from './dataverse.ts';
import { DriftStore } from './drift.model.ts';
import { Entra, noLicenseLeft } from './entra.ts';
import { defaultRetryPolicy, MicrosoftApi, type RetryPolicy } from './http.ts';
import { licensesLeft, skuIdsByPartNumber } from './subscribed-skus.ts';
import type { TokenSource } from './token-source.ts';

/** What the Graph directory is built from; the tenant file has passed `assertGraphReady`. */
export interface GraphDirectoryOptions {
  /** The seat ledger (the tenant model's): Graph licenses follow its holds and bindings. */
  seats: Directory;
  tenant: TenantConfig;
  connection: Connection;
  tokens: TokenSource;
  graphUrl: string;
  /** The Power Platform admin API; https://api.bap.microsoft.com unless told. */
  powerPlatformUrl?: string;
  retry?: RetryPolicy;
  /** T6: how often, and how soon, a missing systemuser is looked for again within one step. */
  syncLag?: { attempts: number; firstWaitMs: number };
}

/**
 * Provisions into Entra ID and each environment's Dataverse. Every method reads before it writes
 * or takes Microsoft's "already done" as success, so a retry after a crash changes nothing more.
 */
export class GraphDirectory implements Directory {
  readonly #entra: Entra;
  readonly #graph: MicrosoftApi;
  readonly #keys: AccountKeys;
  /** What accessdesk grants, so the directory sync can tell it from drift. */
  readonly #grants: DriftStore;
  readonly #dataverse = new Map<string, Dataverse>();
  #skuIds: Promise<Map<string, string>> | undefined;

  constructor(private readonly o: GraphDirectoryOptions) {
    this.#graph = new MicrosoftApi(o.graphUrl, o.graphUrl, o.tokens, o.retry ?? defaultRetryPolicy);
    this.#entra = new Entra(this.#graph, o.graphUrl);
    this.#keys = new AccountKeys(o.connection);
    this.#grants = new DriftStore(o.connection);
  }

  async createAccount(key: string, person: OnboardingDetails): Promise<DirectoryAccount> {
    const account = await this.#entra.createAccount(
      key,
      person,
      this.o.tenant.domain,
      person.usageLocation ?? this.o.tenant.usageLocation ?? '',
    );
    await this.#keys.remember(key, account.accountId, account.upn);
    return account;
  }

  accountIdByEmail(email: string): Promise<string | undefined> {
    return this.#entra.accountIdByEmail(email);
  }

  async accountIdByKey(key: string): Promise<string | undefined> {
    return (await this.#keys.accountIdOf(key)) ?? this.#entra.accountIdByMark(key);
  }

  /**
   * L3: a seat is held only while Microsoft 365 also has a license of the SKU left, so a request
   * whose subscription is used up outside accessdesk waits for a seat instead of failing later
   * at the license step. Graph first: refusing leaves the ledger untouched.
   */
  async holdSeat(skuId: string, key: string, expiresAt?: Date): Promise<void> {
    if ((await this.#licensesLeft(skuId)) <= 0) throw noLicenseLeft(skuId);
    await this.o.seats.holdSeat(skuId, key, expiresAt);
  }

  holdsSeat(skuId: string, key: string): Promise<boolean> {
    return this.o.seats.holdsSeat(skuId, key);
  }

  /**
   * L1/L2: the ledger binds the seat, then Graph assigns the license. L3: a license used up
   * outside accessdesk since the seat was held gives the seat back and says no free seat, so the
   * request waits for one instead of failing.
   */
  async bindSeat(skuId: string, key: string, accountId: string, expiresAt?: Date): Promise<void> {
    await this.o.seats.bindSeat(skuId, key, accountId, expiresAt);
    // Noted before the license: releasing the seat of `key` must find whom to take it from.
    await this.#keys.remember(key, accountId);
    try {
      await this.#entra.assignLicense(accountId, await this.#graphSkuId(skuId));
    } catch (error) {
      if (error instanceof AccessdeskError && error.code === ErrorCode.NoFreeSeat) {
        await this.o.seats.releaseSeat(skuId, key);
      }
      throw error;
    }
  }

  confirmSeat(skuId: string, key: string): Promise<void> {
    return this.o.seats.confirmSeat(skuId, key);
  }

  /** L4/L6: removes the license from the account the request made, then frees the seat. */
  async releaseSeat(skuId: string, key: string): Promise<void> {
    const accountId = await this.#keys.accountIdOf(key);
    if (accountId) await this.#entra.removeLicense(accountId, await this.#graphSkuId(skuId));
    await this.o.seats.releaseSeat(skuId, key);
  }

  async releaseAccountSeat(skuId: string, accountId: string): Promise<void> {
    await this.#entra.removeLicense(accountId, await this.#graphSkuId(skuId));
    await this.o.seats.releaseAccountSeat(skuId, accountId);
  }

  async hasFreeSeat(skuId: string): Promise<boolean> {
    return (await this.o.seats.hasFreeSeat(skuId)) && (await this.#licensesLeft(skuId)) > 0;
  }

  async grantAdminRoles(accountId: string, roles: string[]): Promise<string[]> {
    for (const role of roles) {
      const id = templateId(role);
      await this.#grants.noteGrant('role', role, accountId);
      await this.#entra.grantRole(accountId, id);
    }
    return [];
  }

  /** A2: revokes the roles; refuses to remove the last Global admin, warns below two. */
  async revokeAdminRoles(accountId: string, roles: string[]): Promise<string[]> {
    const warnings: string[] = [];
    for (const role of roles) {
      if (role === GLOBAL_ADMIN) {
        const holders = await this.#entra.roleAssignments(templateId(role));
        const after = new Set(holders.map((a) => a.principalId).filter((p) => p !== accountId));
        if (after.size === 0) {
          throw new RuleViolation(
            ErrorCode.LastGlobalAdmin,
            'A2',
            'This would leave the tenant without a Global admin.',
          );
        }
        warnings.push(...globalAdminWarnings(after.size));
      }
      await this.#entra.revokeRole(accountId, templateId(role));
      await this.#grants.forgetGrant('role', role, accountId);
    }
    return warnings;
  }

  async deleteAccount(accountId: string): Promise<void> {
    await this.#entra.deleteUser(accountId);
  }

  /**
   * Every configured environment with a group (leaving one is a no-op when not a member), the
   * admin roles Entra assigns the account tenant-wide, the seats the ledger gives it, and its
   * sign-in state (T4: a rehire keeps the account).
   */
  async holdingsOf(accountId: string): Promise<Holdings> {
    const adminRoles: string[] = [];
    for (const [role, id] of Object.entries(ADMIN_ROLE_TEMPLATE_IDS)) {
      if ((await this.#entra.roleAssignments(id, accountId)).length) adminRoles.push(role);
    }
    const { skus } = await this.o.seats.holdingsOf(accountId);
    const environments = this.o.tenant.environments
      .filter((e) => e.securityGroupId && hasDatabase(e.kind))
      .map((e) => e.id);
    const signInAllowed = await this.#entra.signInAllowed(accountId);
    return { environments, adminRoles, skus, signInAllowed };
  }

  async addToSecurityGroup(environmentId: string, accountId: string): Promise<void> {
    const env = this.#environment(environmentId);
    if (!env) return;
    await this.#grants.noteGrant('group', env.id, accountId);
    await this.#entra.addMember(env.securityGroupId!, accountId);
  }

  async removeFromSecurityGroup(environmentId: string, accountId: string): Promise<void> {
    const env = this.#environment(environmentId);
    if (!env) return;
    await this.#entra.removeMember(env.securityGroupId!, accountId);
    await this.#grants.forgetGrant('group', env.id, accountId);
  }

  async assignBusinessUnit(environmentId: string, accountId: string, unit: string): Promise<void> {
    const env = this.#environment(environmentId);
    if (!env) return;
    const name = env.businessUnits.find((u) => u.id === unit)?.name ?? unit;
    await this.#dataverseOf(environmentId)!.setBusinessUnit(accountId, name);
  }

  async assignSecurityRoles(environmentId: string, accountId: string, roles: string[]) {
    await this.#dataverseOf(environmentId)?.assignRoles(accountId, roles);
  }

  async removeSecurityRoles(environmentId: string, accountId: string, roles: string[]) {
    return (await this.#dataverseOf(environmentId)?.removeRoles(accountId, roles)) ?? [];
  }

  /** Read from the environment's Dataverse: its role associations, narrowed to `roles`. */
  async securityRolesHeld(environmentId: string, accountId: string, roles: string[]) {
    return (await this.#dataverseOf(environmentId)?.heldRoles(accountId, roles)) ?? [];
  }

  async setAccessMode(
    environmentId: string,
    accountId: string,
    mode: OnboardingDetails['accessMode'],
  ): Promise<void> {
    await this.#dataverseOf(environmentId)?.setAccessMode(accountId, mode);
  }

  setSignInAllowed(accountId: string, allowed: boolean): Promise<void> {
    return this.#entra.setSignInAllowed(accountId, allowed);
  }

  issueTemporaryPassword(accountId: string): Promise<string> {
    return this.#entra.resetPassword(accountId);
  }

  /** The environment, or undefined when it has no database (E6: no group, no Dataverse). */
  #environment(environmentId: string) {
    const env = this.o.tenant.environments.find((e) => e.id === environmentId);
    if (!env) {
      throw new RuleViolation(
        ErrorCode.NotFound,
        'E1',
        `There is no environment "${environmentId}".`,
      );
    }
    return hasDatabase(env.kind) ? env : undefined;
  }

  #dataverseOf(environmentId: string): Dataverse | undefined {
    const env = this.#environment(environmentId);
    if (!env) return undefined;
    let dataverse = this.#dataverse.get(env.id);
    if (!dataverse) {
      dataverse = Dataverse.of(env, { ...this.o, retry: this.o.retry ?? defaultRetryPolicy });
      this.#dataverse.set(env.id, dataverse);
    }
    return dataverse;
  }

  /** The Graph skuId of a tenant-file SKU: given, or looked up once by its part number. */
  async #graphSkuId(skuId: string): Promise<string> {
    const sku = this.o.tenant.skus.find((s) => s.id === skuId);
    if (!sku) throw new RuleViolation(ErrorCode.NotFound, 'L1', `There is no SKU "${skuId}".`);
    if (sku.skuId) return sku.skuId.toLowerCase();
    if (!this.#skuIds) {
      this.#skuIds = skuIdsByPartNumber(this.#graph);
      this.#skuIds.catch(() => {
        this.#skuIds = undefined;
      });
    }
    const found = (await this.#skuIds).get(sku.skuPartNumber!);
    if (!found) {
      throw new RuleViolation(
        ErrorCode.NotFound,
        'L1',
        `The tenant has no subscription with part number ${sku.skuPartNumber}.`,
      );
    }
    return found;
  }

  async #licensesLeft(skuId: string): Promise<number> {
    return licensesLeft(this.#graph, await this.#graphSkuId(skuId));
  }
}

function templateId(role: string): string {
  if (!isAdminRole(role)) {
    throw new RuleViolation(ErrorCode.InvalidInput, 'A1', `"${role}" is not an admin role.`);
  }
  return ADMIN_ROLE_TEMPLATE_IDS[role];
}
