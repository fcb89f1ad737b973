/** Access modes (M1–M4, the M3 cap through NonInteractivePlaces), application users and stubs (M5). */
import type { Clock } from '../clock.ts';
import { ErrorCode, RuleViolation } from '../errors.ts';
import {
  type AccessMode,
  applicationUserDisableWarnings,
  countsTowardNonInteractiveLimit,
  defaultStubRole,
  modeNeedsLicenseToSetUp,
} from './access.rules.ts';
import { normaliseUpnPart } from './accounts.rules.ts';
import {
  computeEnablement,
  environmentConfig,
  environmentUserId,
  isLicensedFor,
  presentUser,
  readUserAndPlace,
  requireDatabase,
  requireEnvironment,
  requireEnvironmentUser,
} from './environment-context.ts';
import type { NonInteractivePlaces } from './non-interactive.service.ts';
import { rolesOutsideBusinessUnit, SYSTEM_ADMINISTRATOR } from './security.rules.ts';
import {
  type EnvironmentDoc,
  type EnvironmentUserDoc,
  rawOf,
  type TenantModels,
} from './tenant.model.ts';

/** A registered app's identity in one environment (M4). */
export interface ApplicationUserInput {
  appId: string;
  name: string;
  roles?: string[];
}

/** Sets access modes and creates the users that are not people. */
export class AccessModes {
  constructor(
    private readonly m: TenantModels,
    private readonly clock: Clock,
    private readonly places: NonInteractivePlaces,
  ) {}

  /** M1–M4: sets the mode; M2/M3 need a license at set-up; M3 takes a capped place atomically. */
  async setAccessMode(
    envId: string,
    accountId: string,
    mode: AccessMode,
    options: { by?: string } = {},
  ): Promise<EnvironmentUserDoc> {
    const env = await environmentConfig(this.m, envId);
    requireDatabase(env);
    if (mode === 'application') {
      throw new RuleViolation(
        ErrorCode.InvalidInput,
        'M4',
        'Application users are created, not converted.',
      );
    }
    // The record and the account's M3 place in one read.
    const read = await readUserAndPlace(this.m, envId, accountId);
    const user = presentUser(read.user, envId, accountId);
    if (user.stub || user.applicationUser) {
      const rule = user.stub ? 'M5' : 'M4';
      throw new RuleViolation(ErrorCode.NotAllowed, rule, 'This user has a fixed access mode.');
    }
    if (options.by) await this.requireSystemAdministrator(env, options.by);
    const rule = mode === 'administrative' ? 'M2' : 'M3';
    if (user.accessMode !== mode && modeNeedsLicenseToSetUp(mode)) {
      if (!(await isLicensedFor(this.m, env, accountId))) {
        throw new RuleViolation(
          ErrorCode.NotAllowed,
          rule,
          'Assign a license first, set the mode, then remove the license: the mode stays.',
        );
      }
    }
    const counted = countsTowardNonInteractiveLimit(mode, user.applicationUser);
    if (counted) await this.places.take(env, accountId);
    // Written unless the stored record already has the mode (not the copy read above: a
    // concurrent change since would otherwise be left standing); `before` is the record as
    // this write found it.
    const before = await rawOf(this.m.EnvironmentUser).findOneAndUpdate(
      { _id: user._id, accessMode: { $ne: mode } },
      { $set: { accessMode: mode } },
      { returnDocument: 'before' },
    );
    // A place to free: one read above (a crash after an earlier mode change, before its
    // release), or a counted mode this write replaced. A place is only taken before its counted
    // mode is written, so with neither, a take racing this call writes its mode after this one.
    const replacedCounted =
      !!before && countsTowardNonInteractiveLimit(before.accessMode, before.applicationUser);
    if (!counted && (read.placeTaken || replacedCounted)) {
      await this.places.release(envId, accountId);
    }
    return { ...(before ?? user), accessMode: mode };
  }

  /** M3: changes the per-environment limit by compare-and-set, never below the places in use. */
  setNonInteractiveLimit(envId: string, limit: number): Promise<void> {
    return this.places.setLimit(envId, limit);
  }

  /** M4: creates an app's user: enabled at once, non-interactive, not counted, unlimited. */
  async createApplicationUser(envId: string, input: ApplicationUserInput) {
    const env = await requireEnvironment(this.m, envId);
    requireDatabase(env);
    const root = env.businessUnits.find((b) => !b.parent)?.id ?? 'root';
    const roles = input.roles ?? [];
    const outside = rolesOutsideBusinessUnit(env.businessUnits, root, roles);
    if (outside.length > 0) {
      throw new RuleViolation(
        ErrorCode.RoleOutsideBusinessUnit,
        'S3',
        `Unknown roles: ${outside.join(', ')}`,
      );
    }
    const accountId = `app:${input.appId}`;
    const result = await this.m.EnvironmentUser.updateOne(
      { _id: environmentUserId(envId, accountId) },
      {
        $setOnInsert: {
          ...this.nonPerson(envId, accountId, root, input.name, roles),
          accessMode: 'application',
          applicationUser: true,
          applicationEnabled: true,
          syncState: 'synced',
        },
      },
      { upsert: true },
    );
    const user = await requireEnvironmentUser(this.m, envId, accountId);
    return { user, created: result.upsertedCount === 1 };
  }

  /** M4: enables or disables an application user; disabling warns that integrations break. */
  async setApplicationUserEnabled(envId: string, appId: string, enabled: boolean) {
    const user = await requireEnvironmentUser(this.m, envId, `app:${appId}`);
    await this.m.EnvironmentUser.updateOne(
      { _id: user._id },
      { $set: { applicationEnabled: enabled } },
    );
    return { warnings: applicationUserDisableWarnings(enabled) };
  }

  /** M5/P3: data import, the only way to make stubs; names already known map to their user. */
  async importStubUsers(envId: string, names: string[]) {
    const env = await requireEnvironment(this.m, envId);
    requireDatabase(env);
    const role = defaultStubRole(env.kind);
    const root = env.businessUnits.find((b) => !b.parent)?.id ?? 'root';
    const known = await this.m.EnvironmentUser.find({ envId, stub: false }).lean<
      EnvironmentUserDoc[]
    >();
    const matched: string[] = [];
    const stubs: EnvironmentUserDoc[] = [];
    for (const name of names) {
      const wanted = name.trim().toLowerCase();
      if (known.some((u) => u.fullName.toLowerCase() === wanted || u.profile.email === wanted)) {
        matched.push(name);
        continue;
      }
      const accountId = `stub:${normaliseUpnPart(name.replace(/\s+/g, '.')) || 'unknown'}`;
      await this.m.EnvironmentUser.updateOne(
        { _id: environmentUserId(envId, accountId) },
        {
          $setOnInsert: {
            ...this.nonPerson(envId, accountId, root, name.trim(), role ? [role] : []),
            accessMode: 'read_write',
            stub: true,
            syncState: 'synced',
          },
        },
        { upsert: true },
      );
      stubs.push(await requireEnvironmentUser(this.m, envId, accountId));
    }
    await this.m.Environment.updateOne(
      { _id: envId },
      { $set: { dataImportedAt: this.clock.now() } },
    );
    return { stubs, matched };
  }

  private nonPerson(envId: string, accountId: string, unit: string, name: string, roles: string[]) {
    return {
      envId,
      accountId,
      businessUnit: unit,
      roles,
      teams: [],
      fullName: name,
      profile: {},
      syncAttempts: 0,
      createdAt: this.clock.now(),
    };
  }

  private async requireSystemAdministrator(env: EnvironmentDoc, actorId: string): Promise<void> {
    const actor = await computeEnablement(this.m, env, actorId);
    if (!actor.effectiveRoles.includes(SYSTEM_ADMINISTRATOR)) {
      throw new RuleViolation(
        ErrorCode.NotAllowed,
        'M2',
        `Setting an access mode takes ${SYSTEM_ADMINISTRATOR} in ${env.name}.`,
      );
    }
  }
}
