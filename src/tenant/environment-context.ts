/** Reads shared by the environment services: the environment, the user, and E1's inputs. */
import { ErrorCode, RuleViolation } from '../errors.ts';
import {
  DEFAULT_ACCESS_MODE,
  type EnablementInput,
  effectiveAccessMode,
  hasDatabase,
  isEnabled,
  requiresNewInvitation,
} from './access.rules.ts';
import { nestedMemberOnly } from './group-members.ts';
import { effectiveRoles, hasAccessByRoles } from './security.rules.ts';
import {
  type AccountDoc,
  type EnvironmentDoc,
  type EnvironmentUserDoc,
  groupMemberId,
  nonInteractivePlaceId,
  rawOf,
  type TenantModels,
} from './tenant.model.ts';

/** Everything known about one user in one environment, and what follows from it. */
export interface EnablementReport {
  applicable: boolean;
  enabled: boolean;
  /** S1/P2: enabled and holding at least one security role. */
  canUse: boolean;
  reasons: string[];
  effectiveRoles: string[];
  accessMode: string;
  licensed: boolean;
  /** E3: the user was disabled; enabling again needs a new invitation. */
  invitationRequired: boolean;
}

/** The id of a user's record in an environment. */
export function environmentUserId(envId: string, accountId: string): string {
  return `${envId}:${accountId}`;
}

/** The environment, or NotFound. */
export async function requireEnvironment(m: TenantModels, envId: string): Promise<EnvironmentDoc> {
  const env = await rawOf(m.Environment).findOne({ _id: envId });
  if (!env)
    throw new RuleViolation(ErrorCode.NotFound, 'E1', `There is no environment "${envId}".`);
  return env;
}

/** How long a process trusts an environment's configuration it read (see environmentConfig). */
const CONFIG_TTL_MS = 2000;
const configs = new WeakMap<object, Map<string, { until: number; env: Promise<EnvironmentDoc> }>>();

/**
 * The environment for its configuration only: kind, name, security group, license, business
 * units with their roles, teams. Read at most once per `CONFIG_TTL_MS` per process (provisioning
 * asks four times in a row). That configuration changes when the tenant file is applied or a
 * role is copied (S4), which clear it here; another instance's copy shows within two seconds.
 * Counters and lists that change at runtime (non-interactive places) come from
 * `requireEnvironment`, and are enforced by guarded updates anyway.
 */
export function environmentConfig(m: TenantModels, envId: string): Promise<EnvironmentDoc> {
  const cache = configs.get(m.Environment) ?? new Map();
  configs.set(m.Environment, cache);
  const now = performance.now();
  const hit = cache.get(envId);
  if (hit && hit.until > now) return hit.env;
  const env = requireEnvironment(m, envId);
  const entry = { until: now + CONFIG_TTL_MS, env };
  cache.set(envId, entry);
  env.catch(() => cache.get(envId) === entry && cache.delete(envId));
  return env;
}

/** Forgets the configuration read by `environmentConfig` (after a change made here). */
export function forgetEnvironmentConfig(m: TenantModels): void {
  configs.delete(m.Environment);
}

/** E6: refuses environments without a database. */
export function requireDatabase(env: EnvironmentDoc): void {
  if (!hasDatabase(env.kind)) {
    throw new RuleViolation(
      ErrorCode.NotAllowed,
      'E6',
      `${env.name} has no database: it has no users, groups or roles to manage.`,
    );
  }
}

/** The user's record in the environment, or NotFound. */
export async function requireEnvironmentUser(
  m: TenantModels,
  envId: string,
  accountId: string,
): Promise<EnvironmentUserDoc> {
  const user = await rawOf(m.EnvironmentUser).findOne({ _id: environmentUserId(envId, accountId) });
  return presentUser(user, envId, accountId);
}

/** `user` as read, or NotFound (P1: the environment step before the directory step). */
export function presentUser(
  user: EnvironmentUserDoc | null,
  envId: string,
  accountId: string,
): EnvironmentUserDoc {
  if (!user) {
    throw new RuleViolation(
      ErrorCode.NotFound,
      'P1',
      `${accountId} has no record in ${envId} yet.`,
    );
  }
  return user;
}

/** L1/E1: whether the account holds an assigned seat of the environment's SKU (any SKU if none). */
export async function isLicensedFor(
  m: TenantModels,
  env: EnvironmentDoc,
  accountId: string,
): Promise<boolean> {
  return (await rawOf(m.SeatHolder).findOne(licenseFilter(env, accountId), ID_ONLY)) !== null;
}

const ID_ONLY = { projection: { _id: 1 } } as const;

function licenseFilter(env: EnvironmentDoc, accountId: string): Record<string, unknown> {
  // A seat held for an unaccepted invitation (L4) is a license assigned in the directory (P1).
  const filter: Record<string, unknown> = { accountId, state: { $in: ['assigned', 'held'] } };
  if (env.licenseSku) filter.sku = env.licenseSku;
  return filter;
}

/** What E1–E6 are computed from for one user, as stored at one moment. */
export interface EnablementInputs {
  user: EnvironmentUserDoc | null;
  account: AccountDoc | null;
  /** A seat of the environment's SKU (isLicensedFor), whether or not the account exists. */
  seat: boolean;
  /** A direct member of the environment's security group (E4). */
  directMember: boolean;
}

/**
 * The user's record, the account, its seat and its direct membership, read in one round trip
 * (one aggregation over the environment's document with a `$lookup` into each collection)
 * instead of four; each is the same single-document read it was, so nothing is less fresh.
 */
export async function readEnablementInputs(
  m: TenantModels,
  env: EnvironmentDoc,
  accountId: string,
): Promise<EnablementInputs> {
  const member = env.securityGroup ? groupMemberId(env.securityGroup, accountId) : null;
  const [row] = await rawOf(m.Environment)
    .aggregate<{
      user: EnvironmentUserDoc[];
      account: AccountDoc[];
      seat: object[];
      member: object[];
    }>([
      { $match: { _id: env._id } },
      { $project: { _id: 1 } },
      lookupOne('user', m.EnvironmentUser, { _id: environmentUserId(env._id, accountId) }),
      lookupOne('account', m.Account, { _id: accountId }),
      lookupOne('seat', m.SeatHolder, licenseFilter(env, accountId)),
      lookupOne('member', m.GroupMember, { _id: member }),
    ])
    .toArray();
  if (!row)
    throw new RuleViolation(ErrorCode.NotFound, 'E1', `There is no environment "${env._id}".`);
  return {
    user: row.user[0] ?? null,
    account: row.account[0] ?? null,
    seat: row.seat.length > 0,
    directMember: !!member && row.member.length > 0,
  };
}

/** A `$lookup` stage putting the first document of `from` matching `match` in `as` (0 or 1). */
function lookupOne(as: string, from: { collection: { collectionName: string } }, match: object) {
  return {
    $lookup: {
      from: from.collection.collectionName,
      pipeline: [{ $match: match }, { $limit: 1 }],
      as,
    },
  };
}

/**
 * The user's record and whether the account holds a non-interactive place there (M3), read in
 * one round trip, like `readEnablementInputs`.
 */
export async function readUserAndPlace(
  m: TenantModels,
  envId: string,
  accountId: string,
): Promise<{ user: EnvironmentUserDoc | null; placeTaken: boolean }> {
  const [row] = await rawOf(m.EnvironmentUser)
    .aggregate<EnvironmentUserDoc & { place: Array<{ state: string }> }>([
      { $match: { _id: environmentUserId(envId, accountId) } },
      lookupOne('place', m.NonInteractivePlace, { _id: nonInteractivePlaceId(envId, accountId) }),
    ])
    .toArray();
  if (!row) return { user: null, placeTaken: false };
  const { place, ...user } = row;
  return { user, placeTaken: place[0]?.state === 'taken' };
}

/** E1–E6, S1, S2, A3 for one user: the single place enablement is computed from stored state. */
export async function computeEnablement(
  m: TenantModels,
  env: EnvironmentDoc,
  accountId: string,
  /** What the caller has just read with `readEnablementInputs` (saves reading it again). */
  known?: EnablementInputs,
): Promise<EnablementReport> {
  const { user, account, seat, directMember } =
    known ?? (await readEnablementInputs(m, env, accountId));
  const licensed = !!account && seat;
  // E4: only someone outside the group is looked for in the groups nested in it.
  const member = directMember
    ? { direct: true, nestedOnly: false }
    : { direct: false, nestedOnly: await nestedMemberOnly(m, env.securityGroup, accountId) };
  const adminRoles = account?.adminRoles ?? [];
  const mode = user?.accessMode ?? DEFAULT_ACCESS_MODE;
  const input: EnablementInput = {
    kind: env.kind,
    signInAllowed: account?.signInAllowed ?? false,
    licensed,
    adminRoles,
    accessMode: mode,
    directMember: member.direct,
    nestedMemberOnly: member.nestedOnly,
    applicationUser: user?.applicationUser ?? false,
    applicationEnabled: user?.applicationEnabled ?? false,
    stub: user?.stub ?? false,
    deleted: !!account?.deletedAt,
    securityGroup: env.securityGroup ?? undefined,
  };
  if (!account && !user?.stub && !user?.applicationUser) input.deleted = true;
  const base = isEnabled(input);
  const teamRoles = (user?.teams ?? []).map(
    (id) => env.teams.find((t) => t.id === id)?.roles ?? [],
  );
  const roles = base.applicable && user ? effectiveRoles(user.roles, teamRoles, adminRoles) : [];
  const reasons = [...base.reasons];
  if (base.applicable && !hasAccessByRoles(roles)) {
    reasons.push('S1: no security role in this environment (directly or through a team)');
  }
  return {
    applicable: base.applicable,
    enabled: base.enabled,
    canUse: base.enabled && hasAccessByRoles(roles),
    reasons,
    effectiveRoles: roles,
    accessMode: effectiveAccessMode(mode, licensed, adminRoles),
    licensed,
    invitationRequired: requiresNewInvitation(user),
  };
}
