/** The tenant file's shape (zod 4); cross-references are checked in tenant.checks.ts. */
import { z } from 'zod';
import { durationSchema } from '../duration.ts';
import {
  ACCESS_MODES,
  DEFAULT_ACCESS_MODE,
  DEFAULT_NON_INTERACTIVE_LIMIT,
} from './access.rules.ts';
import { PROFILE_FIELDS } from './accounts.rules.ts';
import { ENVIRONMENT_KINDS } from './security.rules.ts';

const id = z.string().trim().min(1, 'must not be empty');
const name = z.string().trim().min(1, 'must not be empty');

/** A subscription and its seats (L1). */
export const SkuSchema = z.strictObject({
  id,
  name,
  seats: z.number().int('must be a whole number').min(0, 'must not be negative'),
  /** Microsoft Graph: the subscribed SKU's `skuId`, or its `skuPartNumber` (graph directory). */
  skuId: z.guid('must be a GUID').optional(),
  skuPartNumber: name.optional(),
});

/** A business unit and the security roles that belong to it (S3). */
export const BusinessUnitSchema = z.strictObject({
  id,
  name,
  parent: id.optional(),
  roles: z.array(name).default([]),
});

/** A team of an environment: its members hold its roles (S1). */
export const TeamSchema = z.strictObject({
  id,
  businessUnit: id,
  roles: z.array(name).default([]),
});

/** An environment; kinds other than `none` have a database and a security group (E1, E6). */
export const EnvironmentSchema = z.strictObject({
  id,
  name,
  kind: z.enum(ENVIRONMENT_KINDS),
  securityGroup: id.optional(),
  /** Microsoft Graph: the Entra object id of the environment's security group (E1). */
  securityGroupId: z.guid('must be a GUID').optional(),
  /** The environment's Dataverse URL, e.g. https://contoso.crm.dynamics.com (graph directory). */
  dataverseUrl: z
    .url({ protocol: /^https?$/, error: 'must be a URL such as https://contoso.crm.dynamics.com' })
    .optional(),
  licenseSku: id.optional(),
  nonInteractiveLimit: z.number().int().min(0).default(DEFAULT_NON_INTERACTIVE_LIMIT),
  allowRoleAssignmentOnDisabledUsers: z.boolean().default(false),
  /** P3: false while the environment's existing data is still being imported; no invitations. */
  dataImported: z.boolean().default(true),
  businessUnits: z.array(BusinessUnitSchema).default([]),
  teams: z.array(TeamSchema).default([]),
});

/** A security group that nests other groups (ignored for enablement, E4). */
export const GroupSchema = z.strictObject({ id, nestedGroups: z.array(id).default([]) });

/** A person's place in one environment. */
export const MembershipSchema = z.strictObject({
  id,
  businessUnit: id.optional(),
  roles: z.array(name).default([]),
  teams: z.array(id).default([]),
  accessMode: z.enum(ACCESS_MODES).default(DEFAULT_ACCESS_MODE),
});

const profileShape = Object.fromEntries(PROFILE_FIELDS.map((f) => [f, name.optional()])) as {
  [K in (typeof PROFILE_FIELDS)[number]]: z.ZodOptional<typeof name>;
};

/** A person of the company with their account's licenses, admin roles and environments. */
export const PersonSchema = z.strictObject({
  ...profileShape,
  email: z.email('must be an email address').toLowerCase(),
  firstName: name,
  lastName: name,
  slackId: z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user id such as U0ADA'),
  managerEmail: z.email('must be an email address').toLowerCase().optional(),
  adminRoles: z.array(name).default([]),
  partnerCenterRoles: z.array(name).default([]),
  licenses: z.array(id).default([]),
  environments: z.array(MembershipSchema).default([]),
});

/**
 * How long a role (admin or security role name) or a license (SKU id) may be granted for: at
 * most `max` (a duration like 8h), and with `required`, never without an end.
 */
export const GrantLimitSchema = z.strictObject({
  role: name,
  max: durationSchema().optional(),
  required: z.boolean().default(false),
});

/** The whole tenant file. */
export const TenantConfigSchema = z.strictObject({
  domain: z
    .string()
    .toLowerCase()
    .regex(/^(?=.{1,253}$)([a-z0-9-]+\.)+[a-z]{2,}$/, 'must be a domain such as contoso.example'),
  /** Microsoft Graph: where new accounts are used (ISO 3166 alpha-2), required to license them. */
  usageLocation: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as GB')
    .optional(),
  skus: z.array(SkuSchema).default([]),
  environments: z.array(EnvironmentSchema).default([]),
  groups: z.array(GroupSchema).default([]),
  people: z.array(PersonSchema).min(1, 'must list at least one person'),
  /** Caps on time-bound grants, per role or license (Global admin at most 8 h, …). */
  grantLimits: z.array(GrantLimitSchema).default([]),
});

/** A validated tenant file (defaults applied, S4 default roles merged into each root unit). */
export type TenantConfig = z.output<typeof TenantConfigSchema>;
/** One SKU of the tenant file. */
export type SkuConfig = TenantConfig['skus'][number];
/** One environment of the tenant file. */
export type EnvironmentConfig = TenantConfig['environments'][number];
/** One business unit of the tenant file. */
export type BusinessUnitConfig = EnvironmentConfig['businessUnits'][number];
/** One person of the tenant file. */
export type PersonConfig = TenantConfig['people'][number];
