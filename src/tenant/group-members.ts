/**
 * Security group membership (E1, E4): each direct member its own document, so no group document
 * grows with its members. A group document keeps only its nesting, which the tenant file sets.
 */
import {
  type GroupDoc,
  groupMemberId,
  nonInteractivePlaceId,
  rawOf,
  type TenantModels,
} from './tenant.model.ts';

/** E4: makes `accountId` a direct member of `groupId`; idempotent. */
export async function addGroupMember(
  m: TenantModels,
  groupId: string,
  accountId: string,
  since: Date,
): Promise<void> {
  await rawOf(m.GroupMember).updateOne(
    { _id: groupMemberId(groupId, accountId) },
    { $setOnInsert: { groupId, accountId, since } },
    { upsert: true },
  );
}

/** E2: removes the direct membership; false when there was none. */
export async function removeGroupMember(
  m: TenantModels,
  groupId: string,
  accountId: string,
): Promise<boolean> {
  const result = await rawOf(m.GroupMember).deleteOne({ _id: groupMemberId(groupId, accountId) });
  return result.deletedCount === 1;
}

/** T5/L6: the account leaves every group it is a direct member of. */
export async function removeFromAllGroups(m: TenantModels, accountId: string): Promise<void> {
  await rawOf(m.GroupMember).deleteMany({ accountId });
}

/** The groups `accountId` is a direct member of (E4: by the accountId index, at most `limit`). */
export async function groupsOf(m: TenantModels, accountId: string, limit = 200): Promise<string[]> {
  const docs = await rawOf(m.GroupMember)
    .find({ accountId }, { projection: { groupId: 1 } })
    .limit(limit)
    .toArray();
  return docs.map((d) => d.groupId);
}

/** E1/E4: direct membership, and whether the user is only in a nested group. */
export async function membership(
  m: TenantModels,
  groupId: string | null | undefined,
  accountId: string,
): Promise<{ direct: boolean; nestedOnly: boolean }> {
  if (!groupId) return { direct: false, nestedOnly: false };
  const id = groupMemberId(groupId, accountId);
  if (await rawOf(m.GroupMember).findOne({ _id: id }, { projection: { _id: 1 } }))
    return { direct: true, nestedOnly: false };
  return { direct: false, nestedOnly: await nestedMemberOnly(m, groupId, accountId) };
}

/** E4: whether someone who is not a direct member of `groupId` is in a group nested in it. */
export async function nestedMemberOnly(
  m: TenantModels,
  groupId: string | null | undefined,
  accountId: string,
): Promise<boolean> {
  if (!groupId) return false;
  // The nesting comes from the tenant file: a handful of small documents, whatever the members.
  const groups: GroupDoc[] = await rawOf(m.Group)
    .find({}, { projection: { nestedGroups: 1 } })
    .toArray();
  const byId = new Map(groups.map((g) => [g._id, g]));
  const seen = new Set<string>([groupId]);
  const queue = [...(byId.get(groupId)?.nestedGroups ?? [])];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    queue.push(...(byId.get(id)?.nestedGroups ?? []));
  }
  seen.delete(groupId);
  if (seen.size === 0) return false;
  const ids = [...seen].map((id) => groupMemberId(id, accountId));
  return (
    (await rawOf(m.GroupMember).findOne({ _id: { $in: ids } }, { projection: { _id: 1 } })) !== null
  );
}

/**
 * Moves what the first model kept in arrays into documents of their own: a group's `members`
 * and an environment's `nonInteractive` places (their counter already counted them). Idempotent:
 * each array is unset only after its documents are written, so a crash midway is finished by the
 * next start.
 */
export async function migrateMemberArrays(m: TenantModels, now: Date): Promise<void> {
  const groups = rawOf(m.Group);
  for await (const group of groups.find({ members: { $exists: true } })) {
    const members = group.members ?? [];
    if (members.length) {
      await rawOf(m.GroupMember).bulkWrite(
        members.map((accountId) => ({
          updateOne: {
            filter: { _id: groupMemberId(group._id, accountId) },
            update: { $setOnInsert: { groupId: group._id, accountId, since: now } },
            upsert: true,
          },
        })) as never,
      );
    }
    await groups.updateOne({ _id: group._id }, { $unset: { members: 1 } });
  }
  const envs = rawOf(m.Environment);
  for await (const env of envs.find({ nonInteractive: { $exists: true } })) {
    const places = env.nonInteractive ?? [];
    if (places.length) {
      await rawOf(m.NonInteractivePlace).bulkWrite(
        places.map((accountId) => ({
          updateOne: {
            filter: { _id: nonInteractivePlaceId(env._id, accountId) },
            update: {
              $setOnInsert: {
                envId: env._id,
                accountId,
                state: 'taken',
                op: 'migrated',
                since: now,
              },
            },
            upsert: true,
          },
        })) as never,
      );
    }
    await envs.updateOne({ _id: env._id }, { $unset: { nonInteractive: 1 } });
  }
}
