/** Mongoose models of the tenant on a given connection: single-document invariants, no TTL. */
import { type Connection, type Model, type mongo, Schema } from 'mongoose';
import type { AccessMode } from './access.rules.ts';
import { ACCESS_MODES, DEFAULT_ACCESS_MODE } from './access.rules.ts';
import { PROFILE_FIELDS, type Profile } from './accounts.rules.ts';
import {
  type GroupMemberDoc,
  groupMemberSchema,
  type NonInteractivePlaceDoc,
  nonInteractivePlaceSchema,
  type PlaceOpEntry,
  placeOpSchema,
} from './member.model.ts';
import { type SeatHolderDoc, type SkuDoc, seatHolderSchema, skuSchema } from './seat.model.ts';
import { ENVIRONMENT_KINDS, type EnvironmentKind } from './security.rules.ts';

export * from './member.model.ts';
export * from './seat.model.ts';

/** The tenant singleton: the Global admin registry that A2 guards in one document. */
export interface TenantDoc {
  _id: 'tenant';
  domain: string;
  globalAdmins: string[];
  /** The tenant file's caps on time-bound grants (a handful: one per capped role). */
  grantLimits?: Array<{ role: string; maxMs?: number; required: boolean }>;
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

/**
 * An environment; `nonInteractiveFree` counts down the M3 places, each its own document
 * (NonInteractivePlaceDoc); `nonInteractiveInflight` holds the operations under way (bounded).
 */
export interface EnvironmentDoc {
  _id: string;
  name: string;
  kind: EnvironmentKind;
  securityGroup?: string | null;
  licenseSku?: string | null;
  nonInteractiveLimit: number;
  nonInteractiveFree: number;
  nonInteractiveInflight: PlaceOpEntry[];
  /** Before the places had documents of their own; moved out when the tenant file is applied. */
  nonInteractive?: string[];
  allowRoleAssignmentOnDisabledUsers: boolean;
  businessUnits: BusinessUnitDoc[];
  teams: { id: string; businessUnit: string; roles: string[] }[];
  /** P3: false while the tenant file says its existing data is still being imported. */
  dataImported?: boolean | null;
  dataImportedAt?: Date | null;
}

/** A security group: its nesting only; each direct member is a GroupMemberDoc (E4). */
export interface GroupDoc {
  _id: string;
  nestedGroups: string[];
  /** Before members had documents of their own; moved out when the tenant file is applied. */
  members?: string[];
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
  GroupMember: Model<GroupMemberDoc>;
  NonInteractivePlace: Model<NonInteractivePlaceDoc>;
  EnvironmentUser: Model<EnvironmentUserDoc>;
  Person: Model<PersonDoc>;
}

const opts = { versionKey: false, minimize: false } as const;
const profileSchema = new Schema(Object.fromEntries(PROFILE_FIELDS.map((f) => [f, String])), {
  _id: false,
  minimize: false,
});

const schemas = {
  Tenant: new Schema<TenantDoc>(
    {
      _id: String,
      domain: String,
      globalAdmins: { type: [String], default: [] },
      grantLimits: Schema.Types.Mixed,
    },
    opts,
  ),
  Sku: skuSchema(),
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
      nonInteractiveInflight: { type: [placeOpSchema], default: [] },
      nonInteractive: { type: [String], default: undefined },
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
      members: { type: [String], default: undefined },
      nestedGroups: { type: [String], default: [] },
    },
    opts,
  ),
  GroupMember: groupMemberSchema(),
  NonInteractivePlace: nonInteractivePlaceSchema(),
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
      managerEmail: { type: String, index: true }, // reportsOf, level by level
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
  GroupMember: 'group_members',
  NonInteractivePlace: 'non_interactive_places',
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
