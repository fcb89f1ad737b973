/**
 * E1, S3, S5, A1, A5 and M1 for new accounts placed in one go: a chunk of a bulk onboarding, or
 * one new hire. The rules are checked in memory against the environment's configuration (read
 * at most once per few seconds), then the group memberships and the users' records are written
 * as upserts keyed by their ids (a re-run after a crash writes nothing twice) and compared with
 * what is stored. Anyone the rules or the comparison leave out goes through the environment's
 * own methods, step by step.
 */
import type { Clock } from '../clock.ts';
import { type AccessMode, DEFAULT_ACCESS_MODE, hasDatabase, isEnabled } from './access.rules.ts';
import { AccountDirectory } from './accounts.service.ts';
import { isAdminRole, isConnectedSpacesRole } from './admin.rules.ts';
import { environmentConfig, environmentUserId } from './environment-context.ts';
import { addGroupMember } from './group-members.ts';
import { groupMemberId } from './member.model.ts';
import { mayAssignRoles, rolesOutsideBusinessUnit } from './security.rules.ts';
import {
  type AccountDoc,
  type EnvironmentDoc,
  type EnvironmentUserDoc,
  rawOf,
  type TenantModels,
} from './tenant.model.ts';

/** One new account to place in an environment, holding a seat of `sku`. */
export interface EnvironmentPlacement {
  account: AccountDoc;
  sku: string;
  businessUnit: string;
  roles: string[];
  accessMode: AccessMode;
}

/** Whether the one-at-a-time steps would take this person without a refusal, decided in memory. */
function fits(env: EnvironmentDoc, p: EnvironmentPlacement): boolean {
  if (p.accessMode !== DEFAULT_ACCESS_MODE) return false; // M2–M4: licenses, places, apps
  if (!env.businessUnits.some((b) => b.id === p.businessUnit)) return false; // S3
  if (p.roles.some(isAdminRole)) return false; // A1
  if (env.kind === 'connected-spaces' || p.roles.some(isConnectedSpacesRole)) return false; // A5
  if (rolesOutsideBusinessUnit(env.businessUnits, p.businessUnit, p.roles).length) return false;
  const { enabled } = isEnabled({
    kind: env.kind,
    signInAllowed: p.account.signInAllowed,
    // A held seat is a license (L4, P1); the environment may ask for one SKU's.
    licensed: !env.licenseSku || env.licenseSku === p.sku,
    adminRoles: p.account.adminRoles,
    accessMode: DEFAULT_ACCESS_MODE,
    directMember: true,
    securityGroup: env.securityGroup ?? undefined,
  });
  return mayAssignRoles(enabled, env.allowRoleAssignmentOnDisabledUsers); // S5
}

/**
 * Places the accounts in environment `envId` (group, business unit, roles, mode) and returns
 * the ids of the accounts placed; everyone, when the environment has no database (E6).
 */
export async function placeMany(
  m: TenantModels,
  clock: Clock,
  envId: string,
  people: EnvironmentPlacement[],
): Promise<Set<string>> {
  const env = await environmentConfig(m, envId);
  if (!hasDatabase(env.kind)) return new Set(people.map((p) => p.account._id));
  const group = env.securityGroup;
  const placing = group ? people.filter((p) => fits(env, p)) : [];
  if (!group || !placing.length) return new Set();
  const now = clock.now();
  await rawOf(m.GroupMember).bulkWrite(
    placing.map(({ account }) => ({
      updateOne: {
        filter: { _id: groupMemberId(group, account._id) },
        update: { $setOnInsert: { groupId: group, accountId: account._id, since: now } },
        upsert: true,
      },
    })),
    { ordered: false },
  );
  const records = new Map(
    placing.map((p) => {
      const record = newRecord(envId, p, now);
      return [record._id, record];
    }),
  );
  await rawOf(m.EnvironmentUser).bulkWrite(
    [...records.values()].map(({ _id, ...rest }) => ({
      updateOne: { filter: { _id }, update: { $setOnInsert: rest }, upsert: true },
    })),
    { ordered: false },
  );
  // What is stored now: a record found different (made otherwise) goes one at a time.
  const stored = await rawOf(m.EnvironmentUser)
    .find({ _id: { $in: [...records.keys()] } }, { projection: COMPARED })
    .toArray();
  const placed = new Set<string>();
  for (const s of stored) if (sameAs(s, records.get(s._id)!)) placed.add(s.accountId);
  return placed;
}

/**
 * `placeMany` for one new account, in two writes: its group membership, and its record, upserted
 * and returned as stored. False when the rules or the stored record say to go step by step.
 */
export async function placeOne(
  m: TenantModels,
  clock: Clock,
  envId: string,
  person: EnvironmentPlacement,
): Promise<boolean> {
  const env = await environmentConfig(m, envId);
  if (!hasDatabase(env.kind)) return true; // E6: no environment step
  if (!env.securityGroup || !fits(env, person)) return false;
  const now = clock.now();
  await addGroupMember(m, env.securityGroup, person.account._id, now);
  const { _id, ...rest } = newRecord(envId, person, now);
  const stored = await rawOf(m.EnvironmentUser).findOneAndUpdate(
    { _id },
    { $setOnInsert: rest },
    { upsert: true, returnDocument: 'after', projection: COMPARED },
  );
  return !!stored && sameAs(stored, { _id, ...rest });
}

/** The fields `sameAs` compares. */
const COMPARED = { accountId: 1, businessUnit: 1, roles: 1, accessMode: 1 } as const;

/** A new user's record in environment `envId`, as the step-by-step path would leave it. */
function newRecord(envId: string, p: EnvironmentPlacement, now: Date): EnvironmentUserDoc {
  return {
    _id: environmentUserId(envId, p.account._id),
    envId,
    accountId: p.account._id,
    businessUnit: p.businessUnit,
    roles: [...new Set(p.roles)],
    teams: [],
    accessMode: DEFAULT_ACCESS_MODE,
    applicationUser: false,
    applicationEnabled: false,
    stub: false,
    ...AccountDirectory.environmentCopy(p.account),
    syncState: 'pending',
    syncAttempts: 0,
    createdAt: now,
  };
}

/** Whether a stored record is the one wanted (one made otherwise goes step by step). */
function sameAs(
  stored: Pick<EnvironmentUserDoc, 'businessUnit' | 'accessMode' | 'roles'>,
  want: EnvironmentUserDoc,
): boolean {
  return (
    stored.businessUnit === want.businessUnit &&
    stored.accessMode === want.accessMode &&
    want.roles.every((r) => stored.roles.includes(r))
  );
}
