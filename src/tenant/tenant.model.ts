/** Mongoose models of the tenant on a given connection: single-document invariants, no TTL. */
import { type Connection, type Model, type mongo, Schema } from 'mongoose';
import type { AccessMode } from './access.rules.ts';
import { ACCESS_MODES, DEFAULT_ACCESS_MODE } from './access.rules.ts';
import { PROFILE_FIELDS, type Profile } from './accounts.rules.ts';
import type { SeatState } from './licenses.rules.ts';
import { ENVIRONMENT_KINDS, type EnvironmentKind } from './security.rules.ts';

/** The tenant singleton: the Global admin registry that A2 guards in one document. */
export interface TenantDoc {
  _id: 'tenant';
  domain: string;
  globalAdmins: string[];
}

/** One seat of a SKU as callers see it: held by an invitation (L4, expires) or assigned (L1). */
export interface SeatHolder {
  key: string;
  state: SeatState;
  accountId?: string | null;
  since: Date;
  expiresAt?: Date | null;
}

/** What a seat operation changes; `release` and `expire` remove a holder, `confirm` assigns it. */
export type SeatOpKind = 'take' | 'release' | 'confirm' | 'expire';

/**
 * One operation in flight on a SKU's counters. While it is there it locks its key: no other
 * operation on that key can enter the journal. `op` is random per attempt. A take enters already
 * `counted` (its counter change rides on the push). A release, expiry or confirm enters as an
 * `intent` (the lock only), then reads the holder and becomes `counted` with the counter change,
 * recording the holder's state and `holderOp`. `at` is when it entered, on the lease clock.
 */
export interface InflightEntry {
  op: string;
  kind: SeatOpKind;
  phase: 'intent' | 'counted';
  key: string;
  state: SeatState;
  at: Date;
  holderOp?: string | null;
  /** Set by the recovery that took a stopped take over (one at a time; stale after a lease). */
  claimedAt?: Date | null;
  accountId?: string | null;
  since?: Date | null;
  expiresAt?: Date | null;
}

/**
 * A SKU's counters: `seats = free + held + assigned`, each change one guarded `$inc` (L3, L5).
 * `inflight` is bounded by a filter guard (SEAT_INFLIGHT_LIMIT): it grows with concurrency, never
 * with the number of holders.
 */
export interface SkuDoc {
  _id: string;
  name: string;
  seats: number;
  free: number;
  held: number;
  assigned: number;
  inflight: InflightEntry[];
}

/** At most this many seat operations in flight per SKU (the counter document stays small). */
export const SEAT_INFLIGHT_LIMIT = 64;

/**
 * One seat holder, its own document: `_id` = seatHolderId(sku, key). `op` is the operation that
 * created it: the holder's identity, which later changes are guarded by.
 */
export interface SeatHolderDoc extends SeatHolder {
  _id: string;
  sku: string;
  op: string;
  /** Set when recovery counted the take that created it (its writer had stopped). */
  recoveredAt?: Date | null;
}

/** The holder document id of `key` in `skuId` (the SKU id encoded, so no two pairs collide). */
export function seatHolderId(skuId: string, key: string): string {
  return `${encodeURIComponent(skuId)}:${key}`;
}

/** An account of the directory (T1–T5); only a scrypt hash of its password is kept (T2). */
export interface AccountDoc {
  _id: string;
  upn: string;
  personEmail: string;
  idempotencyKey: string;
  firstName: string;
  lastName: string;
  profile: Profile;
  signInAllowed: boolean;
  passwordHash?: string | null;
  mustChangePassword: boolean;
  passwordIssuedAt?: Date | null;
  adminRoles: string[];
  fileAdminRoles: string[];
  partnerCenterRoles: string[];
  deletedAt?: Date | null;
  createdAt: Date;
}

/** A business unit and its roles (S3). */
export interface BusinessUnitDoc {
  id: string;
  name: string;
  parent?: string | null;
  roles: string[];
}

/** An environment; `nonInteractiveFree` counts down the M3 places held in `nonInteractive`. */
export interface EnvironmentDoc {
  _id: string;
  name: string;
  kind: EnvironmentKind;
  securityGroup?: string | null;
  licenseSku?: string | null;
  nonInteractiveLimit: number;
  nonInteractiveFree: number;
  nonInteractive: string[];
  allowRoleAssignmentOnDisabledUsers: boolean;
  businessUnits: BusinessUnitDoc[];
  teams: { id: string; businessUnit: string; roles: string[] }[];
  /** P3: false while the tenant file says its existing data is still being imported. */
  dataImported?: boolean | null;
  dataImportedAt?: Date | null;
}

/** A security group: only direct `members` count (E4). */
export interface GroupDoc {
  _id: string;
  members: string[];
  nestedGroups: string[];
}

/** Provisioning of a user into an environment lags and can fail (T6). */
export type SyncState = 'pending' | 'synced' | 'failed';

/** A user's record inside one environment, `_id` = `${envId}:${accountId}`. */
export interface EnvironmentUserDoc {
  _id: string;
  envId: string;
  accountId: string;
  businessUnit: string;
  roles: string[];
  teams: string[];
  accessMode: AccessMode;
  applicationUser: boolean;
  applicationEnabled: boolean;
  stub: boolean;
  fullName: string;
  profile: Profile;
  syncState: SyncState;
  syncAttempts: number;
  lastSyncError?: string | null;
  disabledAt?: Date | null;
  createdAt: Date;
}

/** A person of the company, from the tenant file. */
export interface PersonDoc {
  _id: string;
  firstName: string;
  lastName: string;
  slackId: string;
  managerEmail?: string | null;
}

/**
 * The model's collection through the driver, for hot reads and plain updates: a lean read needs
 * no casting (ids are strings), and mongoose's query layer costs about 0.2 ms of CPU a call
 * (bench/lifecycle). Writes that need defaults or validation stay on the model.
 */
export function rawOf<T>(model: Model<T>): mongo.Collection<T & { _id: string }> {
  return model.collection as unknown as mongo.Collection<T & { _id: string }>;
}

/** Every model of the tenant. */
export interface TenantModels {
  Tenant: Model<TenantDoc>;
  Sku: Model<SkuDoc>;
  SeatHolder: Model<SeatHolderDoc>;
  Account: Model<AccountDoc>;
  Environment: Model<EnvironmentDoc>;
  Group: Model<GroupDoc>;
  EnvironmentUser: Model<EnvironmentUserDoc>;
  Person: Model<PersonDoc>;
}

const opts = { versionKey: false, minimize: false } as const;
const profileSchema = new Schema(Object.fromEntries(PROFILE_FIELDS.map((f) => [f, String])), {
  _id: false,
  minimize: false,
});

/** Seat holders: L1 by a unique index, the L4 sweep and an account's seats served by indexes. */
function seatHolderSchema(): Schema<SeatHolderDoc> {
  const schema = new Schema<SeatHolderDoc>(
    {
      _id: String,
      sku: { type: String, required: true },
      key: { type: String, required: true },
      state: { type: String, enum: ['held', 'assigned'], required: true },
      accountId: String,
      since: Date,
      expiresAt: Date,
      op: String,
      recoveredAt: Date,
    },
    opts,
  );
  // L1: one seat per account per SKU; holders bound to no account yet are not indexed.
  schema.index(
    { sku: 1, accountId: 1 },
    { unique: true, partialFilterExpression: { accountId: { $type: 'string' } } },
  );
  schema.index({ state: 1, expiresAt: 1 }); // L4: the expiry sweep
  schema.index({ accountId: 1 }); // seatsOf, T5
  return schema;
}

const schemas = {
  Tenant: new Schema<TenantDoc>(
    { _id: String, domain: String, globalAdmins: { type: [String], default: [] } },
    opts,
  ),
  Sku: new Schema<SkuDoc>(
    {
      _id: String,
      name: { type: String, required: true },
      seats: { type: Number, required: true, min: 0 },
      free: { type: Number, required: true },
      held: { type: Number, default: 0 },
      assigned: { type: Number, default: 0 },
      inflight: {
        type: [
          new Schema<InflightEntry>(
            {
              op: String,
              kind: String,
              phase: String,
              key: String,
              state: String,
              at: Date,
              holderOp: String,
              claimedAt: Date,
              accountId: String,
              since: Date,
              expiresAt: Date,
            },
            { _id: false },
          ),
        ],
        default: [],
      },
    },
    opts,
  ),
  SeatHolder: seatHolderSchema(),
  Account: new Schema<AccountDoc>(
    {
      _id: String,
      upn: { type: String, required: true, unique: true },
      personEmail: { type: String, required: true, unique: true },
      idempotencyKey: { type: String, required: true, unique: true },
      firstName: String,
      lastName: String,
      profile: { type: profileSchema, default: {} },
      signInAllowed: { type: Boolean, default: true },
      passwordHash: String,
      mustChangePassword: { type: Boolean, default: true },
      passwordIssuedAt: Date,
      adminRoles: { type: [String], default: [] },
      fileAdminRoles: { type: [String], default: [] },
      partnerCenterRoles: { type: [String], default: [] },
      deletedAt: Date,
      createdAt: Date,
    },
    opts,
  ),
  Environment: new Schema<EnvironmentDoc>(
    {
      _id: String,
      name: String,
      kind: { type: String, enum: ENVIRONMENT_KINDS, required: true },
      securityGroup: String,
      licenseSku: String,
      nonInteractiveLimit: { type: Number, required: true },
      nonInteractiveFree: { type: Number, required: true },
      nonInteractive: { type: [String], default: [] },
      allowRoleAssignmentOnDisabledUsers: { type: Boolean, default: false },
      businessUnits: [
        new Schema({ id: String, name: String, parent: String, roles: [String] }, { _id: false }),
      ],
      teams: [new Schema({ id: String, businessUnit: String, roles: [String] }, { _id: false })],
      dataImported: { type: Boolean, default: true },
      dataImportedAt: Date,
    },
    opts,
  ),
  Group: new Schema<GroupDoc>(
    {
      _id: String,
      members: { type: [String], default: [] },
      nestedGroups: { type: [String], default: [] },
    },
    opts,
  ),
  EnvironmentUser: new Schema<EnvironmentUserDoc>(
    {
      _id: String,
      envId: { type: String, required: true, index: true },
      accountId: { type: String, required: true, index: true },
      businessUnit: String,
      roles: { type: [String], default: [] },
      teams: { type: [String], default: [] },
      accessMode: { type: String, enum: ACCESS_MODES, default: DEFAULT_ACCESS_MODE },
      applicationUser: { type: Boolean, default: false },
      applicationEnabled: { type: Boolean, default: false },
      stub: { type: Boolean, default: false },
      fullName: String,
      profile: { type: profileSchema, default: {} },
      syncState: { type: String, enum: ['pending', 'synced', 'failed'], default: 'pending' },
      syncAttempts: { type: Number, default: 0 },
      lastSyncError: String,
      disabledAt: Date,
      createdAt: Date,
    },
    opts,
  ),
  Person: new Schema<PersonDoc>(
    {
      _id: String,
      firstName: String,
      lastName: String,
      slackId: { type: String, required: true, unique: true },
      managerEmail: String,
    },
    opts,
  ),
};

const collections: Record<keyof TenantModels, string> = {
  Tenant: 'tenant',
  Sku: 'skus',
  SeatHolder: 'seat_holders',
  Account: 'accounts',
  Environment: 'environments',
  Group: 'groups',
  EnvironmentUser: 'environmentUsers',
  Person: 'people',
};

/** The tenant's models on `connection` (compiled once per connection, never on global mongoose). */
export function tenantModels(connection: Connection): TenantModels {
  const models = {} as Record<string, Model<unknown>>;
  for (const [name, schema] of Object.entries(schemas)) {
    const key = name as keyof TenantModels;
    models[name] =
      connection.models[name] ?? connection.model(name, schema as Schema, collections[key]);
  }
  return models as unknown as TenantModels;
}

/** Waits until every unique index exists (idempotency relies on them). */
export async function ensureTenantIndexes(models: TenantModels): Promise<void> {
  await Promise.all(Object.values(models).map((model) => (model as Model<unknown>).init()));
}

/** Whether `error` is a duplicate-key error, optionally on `field`. */
export function isDuplicateKey(error: unknown, field?: string): boolean {
  const e = error as { code?: number; keyPattern?: Record<string, unknown>; message?: string };
  if (e?.code !== 11000) return false;
  if (!field) return true;
  if (e.keyPattern) return field in e.keyPattern;
  return String(e.message).includes(field);
}
