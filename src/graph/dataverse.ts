/** One environment's Dataverse Web API (v9.2): the systemuser of an Entra account and its roles. */
import { ErrorCode, RetryableError, RuleViolation } from '../errors.ts';
import type { OnboardingDetails } from '../lifecycle/request.model.ts';
import { apiError, MicrosoftApi, odataString, type RetryPolicy, refused } from './http.ts';
import type { TokenSource } from './token-source.ts';

/** M1–M3: Dataverse's `accessmode` choice values (systemuser_accessmode). */
export const ACCESS_MODE_VALUES: Record<
  Exclude<OnboardingDetails['accessMode'], 'application'>,
  number
> = {
  read_write: 0,
  administrative: 1,
  non_interactive: 4,
};

/** The Power Platform admin API (BAP) and the resource its tokens are for. */
export const POWER_PLATFORM_URL = 'https://api.bap.microsoft.com';
export const POWER_PLATFORM_RESOURCE = 'https://service.powerapps.com/';

/** The admin API and the environment's id there: T6's "add user". */
export interface PowerPlatformAdmin {
  api: MicrosoftApi;
  environmentId: string;
}

interface SystemUser {
  systemuserid: string;
  _businessunitid_value: string;
  accessmode: number;
}

/** The systemuser side of provisioning (S1–S5, M1–M3), idempotent by reading first. */
export class Dataverse {
  readonly #units = new Map<string, Promise<string>>();

  /** The Dataverse of a graph-ready environment, with T6's "add user" at `powerPlatformUrl`. */
  static of(
    env: { dataverseUrl?: string; powerPlatformEnvironmentId?: string },
    o: {
      tokens: TokenSource;
      retry: RetryPolicy;
      syncLag?: { attempts: number; firstWaitMs: number };
      powerPlatformUrl?: string;
    },
  ): Dataverse {
    const url = env.dataverseUrl!.replace(/\/+$/, '');
    const admin = (o.powerPlatformUrl ?? POWER_PLATFORM_URL).replace(/\/+$/, '');
    return new Dataverse(
      new MicrosoftApi(`${url}/api/data/v9.2`, url, o.tokens, o.retry),
      url,
      { sleep: o.retry.sleep, ...(o.syncLag ?? { attempts: 3, firstWaitMs: 2_000 }) },
      {
        api: new MicrosoftApi(admin, POWER_PLATFORM_RESOURCE, o.tokens, o.retry),
        environmentId: env.powerPlatformEnvironmentId!,
      },
    );
  }

  constructor(
    private readonly api: MicrosoftApi,
    /** The environment's URL, for `@odata.id` references. */
    private readonly url: string,
    private readonly lag: Pick<RetryPolicy, 'sleep'> & { attempts: number; firstWaitMs: number },
    private readonly admin: PowerPlatformAdmin,
  ) {}

  /**
   * T6: the systemuser of the Entra account. Entra reaches Dataverse by background sync, so a
   * missing one is asked for through the Power Platform admin API's "add user" (what
   * Add-AdminPowerAppsSyncUser calls: the environment syncs that one user from Entra now), then
   * looked for a few times with backoff; still missing is retryable, not a failure. Dataverse
   * puts a synced user in the root business unit; S3's step moves it after.
   */
  async systemUser(step: string, objectId: string): Promise<SystemUser> {
    const found = await this.#find(step, objectId);
    if (found) return found;
    const sync = await this.admin.api.call(
      step,
      'POST',
      `/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${encodeURIComponent(this.admin.environmentId)}/addUser?api-version=2020-10-01`,
      { ObjectId: objectId },
    );
    // Refused for good (no permission, no such environment): say so now, not after the waits.
    if (!sync.ok && sync.status !== 404 && sync.status < 500) throw refused(step, sync);
    for (let i = 0; i < this.lag.attempts; i++) {
      const again = await this.#find(step, objectId);
      if (again) return again;
      await this.lag.sleep(this.lag.firstWaitMs * 2 ** i);
    }
    const why = sync.ok ? 'not visible yet' : apiError(sync).code;
    throw new RetryableError(
      `${step}: the account has not reached the environment yet (T6, ${why})`,
      {
        step,
      },
    );
  }

  /** S3: the business unit, found by its name in the tenant file. */
  async businessUnitId(step: string, name: string): Promise<string> {
    let known = this.#units.get(name);
    if (!known) {
      known = this.#unitByName(step, name);
      known.catch(() => this.#units.delete(name));
      this.#units.set(name, known);
    }
    return known;
  }

  /** S3: moves the user into the unit (a no-op when already there). */
  async setBusinessUnit(objectId: string, unitName: string): Promise<void> {
    const step = 'assignBusinessUnit';
    const unitId = await this.businessUnitId(step, unitName);
    const user = await this.systemUser(step, objectId);
    if (sameId(user._businessunitid_value, unitId)) return;
    const res = await this.api.call(step, 'PATCH', `/systemusers(${user.systemuserid})`, {
      'businessunitid@odata.bind': `/businessunits(${unitId})`,
    });
    if (!res.ok) throw refused(step, res);
  }

  /** S1–S3: associates the roles of the user's own business unit that it lacks. */
  async assignRoles(objectId: string, roles: string[]): Promise<void> {
    const step = 'assignSecurityRoles';
    const user = await this.systemUser(step, objectId);
    const wanted = await this.#roleIds(step, user._businessunitid_value, roles);
    const held = await this.#heldRoleIds(step, user.systemuserid);
    for (const roleId of wanted.filter((id) => !held.includes(id))) {
      const res = await this.api.call(
        step,
        'POST',
        `/systemusers(${user.systemuserid})/systemuserroles_association/$ref`,
        { '@odata.id': `${this.url}/api/data/v9.2/roles(${roleId})` },
      );
      if (res.ok || /duplicate/i.test(apiError(res).message)) continue;
      throw refused(step, res);
    }
  }

  /**
   * Disassociates the roles; one not held (404) is fine. Warns when none is left (S6). A user
   * not in the environment holds no role: nothing to remove, and no sync is asked for.
   */
  async removeRoles(objectId: string, roles: string[]): Promise<string[]> {
    const step = 'removeSecurityRoles';
    const user = await this.#find(step, objectId);
    if (!user) return [];
    const gone = await this.#roleIds(step, user._businessunitid_value, roles);
    for (const roleId of gone) {
      const res = await this.api.call(
        step,
        'DELETE',
        `/systemusers(${user.systemuserid})/systemuserroles_association(${roleId})/$ref`,
      );
      if (!res.ok && res.status !== 404) throw refused(step, res);
    }
    const left = await this.#heldRoleIds(step, user.systemuserid);
    return left.length === 0
      ? ['S6: the user now has no security role: access is blocked, but the license is kept.']
      : [];
  }

  /**
   * Which of `roles` (the user's own business unit's, as S1–S3 assign them) the user holds now:
   * one read of its role associations filtered to those names, selecting only `name`. A user
   * not in the environment holds none, and no sync is asked for.
   */
  async heldRoles(objectId: string, roles: string[]): Promise<string[]> {
    const step = 'securityRolesHeld';
    if (roles.length === 0) return [];
    const user = await this.#find(step, objectId);
    if (!user) return [];
    const filter = `_businessunitid_value eq ${user._businessunitid_value} and (${anyName(roles)})`;
    const res = await this.api.call(
      step,
      'GET',
      `/systemusers(${user.systemuserid})/systemuserroles_association?$select=name&$filter=${encodeURIComponent(filter)}`,
    );
    if (!res.ok) throw refused(step, res);
    const held = ((res.body?.value ?? []) as Array<{ name: string }>).map((r) => r.name);
    return roles.filter((role) => held.includes(role));
  }

  /** M1–M3: sets `accessmode` (a no-op when already set). */
  async setAccessMode(objectId: string, mode: OnboardingDetails['accessMode']): Promise<void> {
    const step = 'setAccessMode';
    if (mode === 'application') {
      throw new RuleViolation(
        ErrorCode.NotAllowed,
        'M4',
        'An application user comes from an app registration, not from a person’s account.',
      );
    }
    const user = await this.systemUser(step, objectId);
    const value = ACCESS_MODE_VALUES[mode];
    if (user.accessmode === value) return;
    const res = await this.api.call(step, 'PATCH', `/systemusers(${user.systemuserid})`, {
      accessmode: value,
    });
    if (!res.ok) throw refused(step, res);
  }

  async #find(step: string, objectId: string): Promise<SystemUser | undefined> {
    const res = await this.api.call(
      step,
      'GET',
      `/systemusers?$select=systemuserid,_businessunitid_value,accessmode&$filter=azureactivedirectoryobjectid eq ${objectId}`,
    );
    if (!res.ok) throw refused(step, res);
    return res.body?.value?.[0];
  }

  async #unitByName(step: string, name: string): Promise<string> {
    const res = await this.api.call(
      step,
      'GET',
      `/businessunits?$select=businessunitid,name&$filter=name eq ${encodeURIComponent(odataString(name))}`,
    );
    if (!res.ok) throw refused(step, res);
    const unit = res.body?.value?.[0];
    if (!unit) {
      throw new RuleViolation(
        ErrorCode.NotFound,
        'S3',
        `The environment has no business unit "${name}".`,
      );
    }
    return unit.businessunitid;
  }

  async #roleIds(step: string, unitId: string, names: string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const filter = `_businessunitid_value eq ${unitId} and (${anyName(names)})`;
    const res = await this.api.call(
      step,
      'GET',
      `/roles?$select=roleid,name&$filter=${encodeURIComponent(filter)}`,
    );
    if (!res.ok) throw refused(step, res);
    const found = (res.body?.value ?? []) as Array<{ roleid: string; name: string }>;
    const missing = names.filter((n) => !found.some((r) => r.name === n));
    if (missing.length > 0) {
      throw new RuleViolation(
        ErrorCode.RoleOutsideBusinessUnit,
        'S3',
        `${missing.join(', ')}: not a role of the user's business unit in this environment.`,
      );
    }
    return found.map((r) => r.roleid);
  }

  async #heldRoleIds(step: string, systemUserId: string): Promise<string[]> {
    const res = await this.api.call(
      step,
      'GET',
      `/systemusers(${systemUserId})/systemuserroles_association?$select=roleid`,
    );
    if (!res.ok) throw refused(step, res);
    return ((res.body?.value ?? []) as Array<{ roleid: string }>).map((r) => r.roleid);
  }
}

/** An OData filter matching any of `names`. */
const anyName = (names: string[]) => names.map((n) => `name eq ${odataString(n)}`).join(' or ');
const sameId = (a: string | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();
