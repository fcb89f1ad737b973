/** Environment membership (E1–E5), business units and security roles (S1–S6), provisioning (T6). */
import type { Clock } from '../clock.ts';
import { ErrorCode, RuleViolation } from '../errors.ts';
import { DEFAULT_ACCESS_MODE, requiresNewInvitation } from './access.rules.ts';
import { AccountDirectory } from './accounts.service.ts';
import { isAdminRole, isConnectedSpacesRole } from './admin.rules.ts';
import {
  computeEnablement,
  type EnablementReport,
  environmentConfig,
  environmentUserId,
  forgetEnvironmentConfig,
  presentUser,
  readEnablementInputs,
  requireDatabase,
  requireEnvironment,
  requireEnvironmentUser,
} from './environment-context.ts';
import { addGroupMember, removeGroupMember } from './group-members.ts';
import {
  copyRoleTarget,
  mayAssignRoles,
  roleRemovalWarnings,
  rolesOutsideBusinessUnit,
} from './security.rules.ts';
import {
  type EnvironmentDoc,
  type EnvironmentUserDoc,
  rawOf,
  type TenantModels,
} from './tenant.model.ts';

/** A user's record and whether this call created it. */
export interface ProvisionedUser {
  user: EnvironmentUserDoc;
  created: boolean;
}

/** Who is in which environment with which business unit and roles. */
export class EnvironmentAccess {
  constructor(
    private readonly m: TenantModels,
    private readonly clock: Clock,
    private readonly accounts: AccountDirectory,
  ) {}

  /** T6: creates the user's record in the environment once (pending until provisioned). */
  async provisionUser(
    envId: string,
    accountId: string,
    known?: EnvironmentDoc,
  ): Promise<ProvisionedUser> {
    const env = known ?? (await requireEnvironment(this.m, envId));
    requireDatabase(env);
    const account = await this.accounts.require(accountId);
    const root = env.businessUnits.find((b) => !b.parent)?.id ?? 'root';
    // One upsert that returns the record, created or not (the values are plain: no casting).
    const result = await rawOf(this.m.EnvironmentUser).findOneAndUpdate(
      { _id: environmentUserId(envId, accountId) },
      {
        $setOnInsert: {
          envId,
          accountId,
          businessUnit: root,
          roles: [],
          teams: [],
          accessMode: DEFAULT_ACCESS_MODE,
          applicationUser: false,
          applicationEnabled: false,
          stub: false,
          ...AccountDirectory.environmentCopy(account),
          syncState: 'pending',
          syncAttempts: 0,
          createdAt: this.clock.now(),
        },
      },
      { upsert: true, returnDocument: 'after', includeResultMetadata: true },
    );
    const user = result.value;
    if (!user) throw new Error(`the record of ${accountId} in ${envId} was not written`);
    return { user, created: !result.lastErrorObject?.updatedExisting };
  }

  /** T6: the environment acknowledged the user's record. */
  async markProvisioned(envId: string, accountId: string): Promise<void> {
    await this.m.EnvironmentUser.updateOne(
      { _id: environmentUserId(envId, accountId) },
      { $set: { syncState: 'synced', lastSyncError: null }, $inc: { syncAttempts: 1 } },
    );
  }

  /** T6: provisioning failed this time; the record stays listed for a retry. */
  async markProvisioningFailed(envId: string, accountId: string, reason: string): Promise<void> {
    await this.m.EnvironmentUser.updateOne(
      { _id: environmentUserId(envId, accountId), syncState: { $ne: 'synced' } },
      { $set: { syncState: 'failed', lastSyncError: reason }, $inc: { syncAttempts: 1 } },
    );
  }

  /** T6: records still waiting to reach their environment (pending or failed). */
  pendingProvisioning(envId?: string): Promise<EnvironmentUserDoc[]> {
    const filter: Record<string, unknown> = { syncState: { $in: ['pending', 'failed'] } };
    if (envId) filter.envId = envId;
    return this.m.EnvironmentUser.find(filter).sort({ _id: 1 }).lean<EnvironmentUserDoc[]>();
  }

  /** E1/E3: adds the account to the environment's group; says when a new invitation is needed. */
  async addToSecurityGroup(envId: string, accountId: string) {
    const env = await this.requireGroupEnvironment(envId);
    const { user } = await this.provisionUser(envId, accountId, env);
    await this.addToGroup(env.securityGroup!, accountId);
    return { invitationRequired: requiresNewInvitation(user) };
  }

  /** E2/L6: removes the account from the group (the recommended way to disable); seats stay. */
  async removeFromSecurityGroup(envId: string, accountId: string): Promise<void> {
    const env = await this.requireGroupEnvironment(envId);
    if (await removeGroupMember(this.m, env.securityGroup!, accountId)) {
      await this.m.EnvironmentUser.updateOne(
        { _id: environmentUserId(envId, accountId) },
        { $set: { disabledAt: this.clock.now() } },
      );
    }
  }

  /** E3: the re-invitation was accepted; the user no longer waits for one. */
  async recordInvitationAccepted(envId: string, accountId: string): Promise<void> {
    await this.m.EnvironmentUser.updateOne(
      { _id: environmentUserId(envId, accountId) },
      { $set: { disabledAt: null } },
    );
  }

  /** E4: adds a direct member to any group (membership of nested groups does not enable). */
  async addToGroup(groupId: string, accountId: string): Promise<void> {
    await addGroupMember(this.m, groupId, accountId, this.clock.now());
  }

  /** S3: moves the user to a business unit; roles of the old unit are dropped (warned). */
  async assignBusinessUnit(envId: string, accountId: string, unitId: string) {
    const env = await environmentConfig(this.m, envId);
    requireDatabase(env);
    if (!env.businessUnits.some((b) => b.id === unitId)) {
      throw new RuleViolation(
        ErrorCode.NotFound,
        'S3',
        `${env.name} has no business unit "${unitId}".`,
      );
    }
    // One write that moves the user unless already there, returning the record as it was (its
    // old roles, for the warning); only when it matched nothing do we read why.
    const id = environmentUserId(envId, accountId);
    const before = await rawOf(this.m.EnvironmentUser).findOneAndUpdate(
      { _id: id, businessUnit: { $ne: unitId } },
      { $set: { businessUnit: unitId, roles: [] } },
      { returnDocument: 'before' },
    );
    if (!before) {
      await requireEnvironmentUser(this.m, envId, accountId); // NotFound (P1) if it has none
      return { warnings: [] as string[] };
    }
    const warnings = before.roles.length
      ? [`S3: roles of the previous business unit were removed: ${before.roles.join(', ')}`]
      : [];
    return { warnings };
  }

  /** S3/S5/A1/A5: adds security roles of the user's own business unit (idempotent). */
  async assignSecurityRoles(envId: string, accountId: string, roles: string[]) {
    const env = await environmentConfig(this.m, envId);
    requireDatabase(env);
    const admin = roles.find(isAdminRole);
    if (admin) {
      throw new RuleViolation(
        ErrorCode.InvalidInput,
        'A1',
        `"${admin}" is an admin role of the subscription, not a security role of ${env.name}.`,
      );
    }
    // The record, the account, its seat and membership in one read (S5 is judged on them).
    const inputs = await readEnablementInputs(this.m, env, accountId);
    const user = presentUser(inputs.user, envId, accountId);
    const outside = rolesOutsideBusinessUnit(env.businessUnits, user.businessUnit, roles);
    if (outside.length > 0) {
      throw new RuleViolation(
        ErrorCode.RoleOutsideBusinessUnit,
        'S3',
        `${outside.join(', ')} ${outside.length > 1 ? 'are' : 'is'} not a role of business unit "${user.businessUnit}".`,
        { roles: outside },
      );
    }
    this.requireConnectedSpacesLicense(env, roles, inputs.seat);
    const state = await computeEnablement(this.m, env, accountId, inputs);
    if (!mayAssignRoles(state.enabled, env.allowRoleAssignmentOnDisabledUsers)) {
      throw new RuleViolation(
        ErrorCode.UserDisabled,
        'S5',
        `Roles can only be given to enabled users in ${env.name}: ${state.reasons.join('; ')}`,
      );
    }
    const result = await rawOf(this.m.EnvironmentUser).findOneAndUpdate(
      { _id: user._id, businessUnit: user.businessUnit },
      { $addToSet: { roles: { $each: roles } } },
      { returnDocument: 'after' },
    );
    if (!result) {
      throw new RuleViolation(
        ErrorCode.Conflict,
        'S3',
        'The business unit changed meanwhile; retry.',
      );
    }
    return result;
  }

  /** S6: removes roles; warns when none is left (that blocks but does not disable). */
  async removeSecurityRoles(envId: string, accountId: string, roles: string[]) {
    const user = await requireEnvironmentUser(this.m, envId, accountId);
    const after = await this.m.EnvironmentUser.findOneAndUpdate(
      { _id: user._id },
      { $pullAll: { roles } },
      { returnDocument: 'after' },
    ).lean<EnvironmentUserDoc>();
    return { user: after!, warnings: roleRemovalWarnings(after?.roles ?? []) };
  }

  /** S1/S2: makes the user a member of a team; the team's roles add to theirs. */
  async addToTeam(envId: string, accountId: string, teamId: string): Promise<void> {
    const env = await requireEnvironment(this.m, envId);
    if (!env.teams.some((t) => t.id === teamId)) {
      throw new RuleViolation(ErrorCode.NotFound, 'S1', `${env.name} has no team "${teamId}".`);
    }
    const user = await requireEnvironmentUser(this.m, envId, accountId);
    await this.m.EnvironmentUser.updateOne({ _id: user._id }, { $addToSet: { teams: teamId } });
  }

  /** S4: a custom role is a copy of an existing one, in the same business unit. */
  async copySecurityRole(envId: string, source: string, newName: string): Promise<string> {
    const env = await requireEnvironment(this.m, envId);
    requireDatabase(env);
    const target = copyRoleTarget(env.businessUnits, source, newName);
    if (!target.ok) throw new RuleViolation(ErrorCode.InvalidInput, 'S4', target.problem);
    await this.m.Environment.updateOne(
      { _id: envId, 'businessUnits.id': target.unitId },
      { $addToSet: { 'businessUnits.$.roles': newName } },
    );
    forgetEnvironmentConfig(this.m);
    return target.unitId;
  }

  /** E1–E6: whether the user is enabled in the environment, with every reason why not. */
  async enablement(envId: string, accountId: string): Promise<EnablementReport> {
    return computeEnablement(this.m, await requireEnvironment(this.m, envId), accountId);
  }

  /** The user's record in the environment, if any. */
  environmentUser(envId: string, accountId: string): Promise<EnvironmentUserDoc | null> {
    return this.m.EnvironmentUser.findById(
      environmentUserId(envId, accountId),
    ).lean<EnvironmentUserDoc>();
  }

  /** E5: records can be assigned to any user the environment knows, enabled or not. */
  async canAssignRecordsTo(envId: string, accountId: string): Promise<boolean> {
    return (await this.environmentUser(envId, accountId)) !== null;
  }

  private async requireGroupEnvironment(envId: string): Promise<EnvironmentDoc> {
    const env = await environmentConfig(this.m, envId);
    requireDatabase(env);
    return env;
  }

  private requireConnectedSpacesLicense(env: EnvironmentDoc, roles: string[], licensed: boolean) {
    if (env.kind !== 'connected-spaces' && !roles.some(isConnectedSpacesRole)) return;
    if (!licensed) {
      throw new RuleViolation(
        ErrorCode.NotAllowed,
        'A5',
        `Connected Spaces roles need the Connected Spaces license (${env.licenseSku ?? 'none set'}).`,
      );
    }
  }
}
