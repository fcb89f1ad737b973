/**
 * Per-member documents: what grows with the tenant's people is one small document each, never an
 * array in a shared document. A group's direct members (E4) and an environment's non-interactive
 * places (M3, counted down by a guarded counter on the environment) live here.
 */
import { Schema } from 'mongoose';

const opts = { versionKey: false, minimize: false } as const;

/** One direct member of a security group (E4), `_id` = groupMemberId(groupId, accountId). */
export interface GroupMemberDoc {
  _id: string;
  groupId: string;
  accountId: string;
  since: Date;
}

/** The id of `accountId`'s membership of `groupId` (the group id encoded, so no pairs collide). */
export function groupMemberId(groupId: string, accountId: string): string {
  return `${encodeURIComponent(groupId)}:${accountId}`;
}

/**
 * An account's place under an environment's M3 limit, `_id` = nonInteractivePlaceId(envId,
 * accountId). `taken` while it counts; a release marks it `free` rather than deleting it, so
 * recovery can tell a finished release (`releasedBy` its op) from one that never happened. `op`
 * is the take that last took it.
 */
export interface NonInteractivePlaceDoc {
  _id: string;
  envId: string;
  accountId: string;
  state: 'taken' | 'free';
  op: string;
  releasedBy?: string | null;
  since: Date;
}

/** The id of `accountId`'s non-interactive place in `envId`. */
export function nonInteractivePlaceId(envId: string, accountId: string): string {
  return `${encodeURIComponent(envId)}:${accountId}`;
}

/**
 * A take or release of an M3 place in flight, kept on the environment next to its counter. While
 * it is there it locks its account: no other operation on that account can enter. A take enters
 * with its decrement; a release enters as a lock and leaves with its increment. Bounded by
 * NON_INTERACTIVE_INFLIGHT_LIMIT.
 */
export interface PlaceOpEntry {
  op: string;
  kind: 'take' | 'release';
  accountId: string;
  at: Date;
}

/** At most this many M3 operations in flight per environment (its document stays small). */
export const NON_INTERACTIVE_INFLIGHT_LIMIT = 32;

/** A group member: direct membership by `_id`, an account's groups by index (E4, T5). */
export function groupMemberSchema(): Schema<GroupMemberDoc> {
  const schema = new Schema<GroupMemberDoc>(
    {
      _id: String,
      groupId: { type: String, required: true },
      accountId: { type: String, required: true, index: true },
      since: Date,
    },
    opts,
  );
  schema.index({ groupId: 1, accountId: 1 });
  return schema;
}

/** An M3 place: one per account per environment by `_id`; recounted by environment. */
export function nonInteractivePlaceSchema(): Schema<NonInteractivePlaceDoc> {
  const schema = new Schema<NonInteractivePlaceDoc>(
    {
      _id: String,
      envId: { type: String, required: true },
      accountId: { type: String, required: true },
      state: { type: String, enum: ['taken', 'free'], required: true },
      op: { type: String, required: true },
      releasedBy: String,
      since: Date,
    },
    opts,
  );
  schema.index({ envId: 1, state: 1 }); // the recount of places in use
  return schema;
}

/** The journal entries of an environment's M3 counter. */
export const placeOpSchema = new Schema<PlaceOpEntry>(
  { op: String, kind: String, accountId: String, at: Date },
  { _id: false },
);
