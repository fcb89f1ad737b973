import * as z from 'zod';
import type {
  GrantDetails,
  OnboardingDetails,
  RoleChangeDetails,
} from '../../src/lifecycle/request.model.ts';
import {
  GRANT_DURATIONS,
  type GrantDurationChoice,
  grantLimitProblem,
} from '../../src/tenant/grant-limits.rules.ts';
import type { TenantChoices } from '../../src/tenant/options.ts';
import type { FieldErrors } from '../blocks/types.ts';
import { ACCESS_MODE_VALUES, CHANGE_KIND_VALUES, FIELD } from '../ids.ts';

/** One submitted value of a Block Kit input, as Slack sends it. */
type StateValue = {
  type?: string;
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: Array<{ value: string }>;
  selected_user?: string | null;
  selected_date?: string | null;
};

/** `view.state.values` flattened to field → text or list (block_id and action_id are equal). */
export function readFields(values: Record<string, Record<string, StateValue>>) {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [blockId, actions] of Object.entries(values ?? {})) {
    const v = actions[blockId] ?? Object.values(actions)[0];
    if (!v) continue;
    if (v.selected_options) out[blockId] = v.selected_options.map((o) => o.value);
    else if (v.selected_option !== undefined) out[blockId] = v.selected_option?.value ?? undefined;
    else if (v.selected_user !== undefined) out[blockId] = v.selected_user ?? undefined;
    else if (v.selected_date !== undefined) out[blockId] = v.selected_date ?? undefined;
    else out[blockId] = v.value?.trim() || undefined;
  }
  return out;
}

const text = (max: number) =>
  z.string().trim().min(1, 'Required.').max(max, `At most ${max} characters.`);
const optionalText = (max: number) =>
  z.string().trim().max(max, `At most ${max} characters.`).optional();

const onboardingSchema = z.object({
  [FIELD.firstName]: text(64),
  [FIELD.lastName]: text(64),
  [FIELD.email]: z.email('Enter a valid email address.'),
  [FIELD.jobTitle]: optionalText(128),
  [FIELD.department]: optionalText(128),
  [FIELD.office]: optionalText(128),
  [FIELD.mobilePhone]: z
    .string()
    .regex(/^\+?[0-9 ().-]{5,32}$/, 'Enter a phone number (digits, spaces, + - ( )).')
    .optional(),
  [FIELD.manager]: z.string().optional(),
  [FIELD.sku]: z.string({ error: 'Choose a license.' }),
  [FIELD.environment]: z.string({ error: 'Choose an environment.' }),
  [FIELD.businessUnit]: z.string({ error: 'Choose a business unit.' }),
  [FIELD.securityRoles]: z.array(z.string()).min(1, 'Choose at least one security role (S1).'),
  [FIELD.accessMode]: z.enum(ACCESS_MODE_VALUES, { error: 'Choose an access mode.' }),
  [FIELD.adminRoles]: z.array(z.string()).default([]),
  [FIELD.justification]: text(2000),
});

/** P3 (decided in src/tenant/options.ts): why an environment takes no invitations yet. */
const AWAITS_DATA_IMPORT = (name: string) =>
  `${name} is still importing its existing data (P3): nobody is invited there until that is done. Ask again then.`;

/** Field errors keyed by block id, from zod issues. */
function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? FIELD.justification);
    errors[field] ??= issue.message;
  }
  return errors;
}

/**
 * The onboarding modal's values as request details, or the errors per field. Pure: the manager
 * (a Slack user) is resolved to an email by the caller, after the ack. Writes nothing.
 */
export function parseOnboarding(
  fields: Record<string, string | string[] | undefined>,
  choices: TenantChoices,
): { details: Omit<OnboardingDetails, 'managerEmail'> } | { errors: FieldErrors } {
  const parsed = onboardingSchema.safeParse(fields);
  if (!parsed.success) return { errors: fieldErrors(parsed.error) };
  const f = parsed.data;
  const errors: FieldErrors = {};
  if (!choices.skus.some((s) => s.id === f.sku)) errors[FIELD.sku] = 'Unknown license.';
  const env = choices.environments.find((e) => e.id === f.environment);
  if (!env) errors[FIELD.environment] = 'Unknown environment.';
  else if (env.awaitsDataImport) errors[FIELD.environment] = AWAITS_DATA_IMPORT(env.name);
  const unit = env?.businessUnits.find((b) => b.id === f.business_unit);
  if (env && !unit) errors[FIELD.businessUnit] = `${env.name} has no such business unit.`;
  const outside = unit ? f.security_roles.filter((r) => !unit.roles.includes(r)) : [];
  if (unit && outside.length) {
    errors[FIELD.securityRoles] = `Not roles of ${unit.name} (S3): ${outside.join(', ')}.`;
  }
  const unknownAdmin = f.admin_roles.filter((r) => !choices.adminRoles.includes(r));
  if (unknownAdmin.length)
    errors[FIELD.adminRoles] = `Unknown admin roles: ${unknownAdmin.join(', ')}.`;
  if (Object.keys(errors).length) return { errors };
  return {
    details: {
      firstName: f.first_name,
      lastName: f.last_name,
      email: f.email.toLowerCase(),
      ...(f.job_title ? { jobTitle: f.job_title } : {}),
      ...(f.department ? { department: f.department } : {}),
      ...(f.office ? { office: f.office } : {}),
      ...(f.mobile_phone ? { mobilePhone: f.mobile_phone } : {}),
      sku: f.sku,
      environment: f.environment,
      businessUnit: f.business_unit,
      securityRoles: f.security_roles,
      accessMode: f.access_mode,
      adminRoles: f.admin_roles,
      justification: f.justification,
    },
  };
}

const roleChangeSchema = z.object({
  [FIELD.changeKind]: z.enum(CHANGE_KIND_VALUES, { error: 'Choose what changes.' }),
  [FIELD.environment]: z.string().optional(),
  [FIELD.securityRoles]: z.array(z.string()).optional(),
  [FIELD.adminRoles]: z.array(z.string()).optional(),
  [FIELD.accessMode]: z.enum(ACCESS_MODE_VALUES).optional(),
  [FIELD.sku]: z.string().optional(),
  [FIELD.justification]: text(2000),
});

const NEEDS: Record<string, Array<keyof z.infer<typeof roleChangeSchema>>> = {
  security_roles_add: [FIELD.environment, FIELD.securityRoles],
  security_roles_remove: [FIELD.environment, FIELD.securityRoles],
  admin_roles_grant: [FIELD.adminRoles],
  admin_roles_revoke: [FIELD.adminRoles],
  access_mode: [FIELD.environment, FIELD.accessMode],
  license_add: [FIELD.sku],
  license_remove: [FIELD.sku],
  enable: [FIELD.environment],
  disable: [],
};

/** The role-change modal's values as details, or errors per field. Writes nothing. */
export function parseRoleChange(
  fields: Record<string, string | string[] | undefined>,
  choices: TenantChoices,
): { details: RoleChangeDetails } | { errors: FieldErrors } {
  const parsed = roleChangeSchema.safeParse(fields);
  if (!parsed.success) return { errors: fieldErrors(parsed.error) };
  const f = parsed.data;
  const errors: FieldErrors = {};
  for (const need of NEEDS[f.change_kind] ?? []) {
    const value = f[need];
    if (value === undefined || (Array.isArray(value) && value.length === 0))
      errors[need] = 'Required for this change.';
  }
  const env = f.environment ? choices.environments.find((e) => e.id === f.environment) : undefined;
  if (f.environment && !env) errors[FIELD.environment] = 'Unknown environment.';
  if (env?.awaitsDataImport && f.change_kind === 'enable') {
    errors[FIELD.environment] = AWAITS_DATA_IMPORT(env.name); // E3: enabling re-invites
  }
  if (env && f.security_roles?.length) {
    const known = new Set(env.businessUnits.flatMap((b) => b.roles));
    const outside = f.security_roles.filter((r) => !known.has(r));
    if (outside.length)
      errors[FIELD.securityRoles] = `Not roles of ${env.name}: ${outside.join(', ')}.`;
  }
  if (f.sku && !choices.skus.some((s) => s.id === f.sku)) errors[FIELD.sku] = 'Unknown license.';
  const unknownAdmin = (f.admin_roles ?? []).filter((r) => !choices.adminRoles.includes(r));
  if (unknownAdmin.length)
    errors[FIELD.adminRoles] = `Unknown admin roles: ${unknownAdmin.join(', ')}.`;
  if (Object.keys(errors).length) return { errors };
  return {
    details: {
      change: f.change_kind,
      ...(f.environment ? { environment: f.environment } : {}),
      ...(f.security_roles ? { securityRoles: f.security_roles } : {}),
      ...(f.admin_roles ? { adminRoles: f.admin_roles } : {}),
      ...(f.access_mode ? { accessMode: f.access_mode } : {}),
      ...(f.sku ? { sku: f.sku } : {}),
      justification: f.justification,
    },
  };
}

/** How long a change lasts: until revoked, `durationMs` once applied, or `until` an instant. */
export type GrantLength = { durationMs?: number; until?: string };

/**
 * The role-change modal's "for how long" (`duration`, `until_date`) for `details`: nothing for
 * until revoked, else its length; or an error on the field, naming the tenant file's cap when
 * the choice goes over it (or leaves no end where one is required). Pure: `now` is given.
 */
export function parseGrantLength(
  fields: Record<string, string | string[] | undefined>,
  details: RoleChangeDetails,
  choices: TenantChoices,
  now: Date,
): { length?: GrantLength } | { errors: FieldErrors } {
  const timed = ['security_roles_add', 'admin_roles_grant', 'license_add'].includes(details.change);
  const choice = (typeof fields.duration === 'string' ? fields.duration : 'revoked') as
    | GrantDurationChoice
    | string;
  if (!timed) return {};
  if (!(choice in GRANT_DURATIONS)) return { errors: { [FIELD.duration]: 'Choose how long.' } };
  let length: GrantLength | undefined;
  let ms: number | undefined;
  if (choice === 'date') {
    const date = typeof fields.until_date === 'string' ? fields.until_date : '';
    const until = /^\d{4}-\d{2}-\d{2}$/.test(date) ? new Date(`${date}T00:00:00Z`) : undefined;
    if (!until || Number.isNaN(until.getTime()) || until <= now)
      return { errors: { [FIELD.untilDate]: 'Choose a date after today.' } };
    ms = until.getTime() - now.getTime();
    length = { until: until.toISOString() };
  } else if (choice !== 'revoked') {
    ms = GRANT_DURATIONS[choice as GrantDurationChoice].ms;
    length = { durationMs: ms! };
  }
  const names = [...(details.adminRoles ?? []), ...(details.securityRoles ?? [])];
  if (details.change === 'license_add' && details.sku) names.push(details.sku);
  const problem = grantLimitProblem(names, ms, choices.grantLimits);
  if (problem) return { errors: { [FIELD.duration]: problem } };
  return length ? { length } : {};
}

/** A role change with a length, as the time-bound grant it then is. */
export function grantOf(details: RoleChangeDetails, length: GrantLength): GrantDetails {
  const grant =
    details.change === 'admin_roles_grant'
      ? 'admin_roles'
      : details.change === 'license_add'
        ? 'license'
        : 'security_roles';
  return {
    grant,
    ...(details.environment ? { environment: details.environment } : {}),
    ...(details.securityRoles ? { securityRoles: details.securityRoles } : {}),
    ...(details.adminRoles ? { adminRoles: details.adminRoles } : {}),
    ...(details.sku ? { sku: details.sku } : {}),
    ...length,
    justification: details.justification,
  };
}
