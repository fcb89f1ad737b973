/** Applies a validated tenant file: creates what is missing, never takes back runtime changes. */
import { ErrorCode, RuleViolation } from '../errors.ts';
import type { AccessModes } from './access-modes.service.ts';
import type { AccountDirectory } from './accounts.service.ts';
import type { AdminRoleRegistry } from './admin-roles.service.ts';
import type { EnvironmentAccess } from './environments.service.ts';
import { migrateMemberArrays } from './group-members.ts';
import type { PeopleDirectory } from './people.service.ts';
import type { SeatLedger } from './seats.service.ts';
import { union } from './security.rules.ts';
import type { EnvironmentDoc, SkuDoc, TenantModels } from './tenant.model.ts';
import type { EnvironmentConfig, PersonConfig, TenantConfig } from './tenant.schema.ts';

/** The parts of the tenant that applying a file writes to. */
export interface ApplyParts {
  m: TenantModels;
  seats: SeatLedger;
  accounts: AccountDirectory;
  admins: AdminRoleRegistry;
  environments: EnvironmentAccess;
  modes: AccessModes;
  people: PeopleDirectory;
}

/** Idempotent: safe on every start. Admin roles follow the file's diff; the rest only adds. */
export async function applyTenantConfig(p: ApplyParts, config: TenantConfig): Promise<string[]> {
  await migrateMemberArrays(p.m, new Date());
  await precheck(p.m, config);
  await p.m.Tenant.updateOne(
    { _id: 'tenant' },
    {
      $set: {
        domain: config.domain,
        grantLimits: config.grantLimits.map((l) => ({
          role: l.role,
          required: l.required,
          ...(l.max ? { maxMs: l.max } : {}),
        })),
      },
      $setOnInsert: { globalAdmins: [] },
    },
    { upsert: true },
  );
  for (const sku of config.skus) await p.seats.ensure(sku);
  for (const group of config.groups) {
    await p.m.Group.updateOne(
      { _id: group.id },
      { $set: { nestedGroups: group.nestedGroups } },
      { upsert: true },
    );
  }
  for (const env of config.environments) await ensureEnvironment(p, env);
  const warnings: string[] = [];
  for (const person of config.people) warnings.push(...(await applyPerson(p, person)));
  return warnings;
}

/** L5/M3: refuse before writing anything if the file shrinks below what is in use. */
async function precheck(m: TenantModels, config: TenantConfig): Promise<void> {
  for (const sku of config.skus) {
    // seats − free: the seats in use (L5), whether the SKU was written by this ledger or the first.
    const doc = await m.Sku.findById(sku.id, { seats: 1, free: 1 }).lean<SkuDoc>();
    const used = doc ? doc.seats - doc.free : 0;
    if (used > sku.seats) {
      throw new RuleViolation(
        ErrorCode.SeatsInUse,
        'L5',
        `skus: ${sku.id} has ${used} seats in use; the file asks for ${sku.seats}.`,
      );
    }
  }
  for (const env of config.environments) {
    const doc = await m.Environment.findById(env.id).lean<EnvironmentDoc>();
    const inUse = doc ? doc.nonInteractiveLimit - doc.nonInteractiveFree : 0;
    if (inUse > env.nonInteractiveLimit) {
      throw new RuleViolation(
        ErrorCode.NonInteractiveLimit,
        'M3',
        `environments: ${env.id} has ${inUse} non-interactive users; the file allows ${env.nonInteractiveLimit}.`,
      );
    }
  }
}

async function ensureEnvironment(p: ApplyParts, env: EnvironmentConfig): Promise<void> {
  const existing = await p.m.Environment.findById(env.id).lean<EnvironmentDoc>();
  // Keep roles copied at runtime (S4) in the units the file still lists.
  const businessUnits = env.businessUnits.map((unit) => ({
    ...unit,
    parent: unit.parent ?? null,
    roles: union(unit.roles, existing?.businessUnits.find((b) => b.id === unit.id)?.roles ?? []),
  }));
  await p.m.Environment.updateOne(
    { _id: env.id },
    {
      $set: {
        name: env.name,
        kind: env.kind,
        securityGroup: env.securityGroup ?? null,
        licenseSku: env.licenseSku ?? null,
        allowRoleAssignmentOnDisabledUsers: env.allowRoleAssignmentOnDisabledUsers,
        dataImported: env.dataImported,
        businessUnits,
        teams: env.teams,
      },
      $setOnInsert: {
        nonInteractiveLimit: env.nonInteractiveLimit,
        nonInteractiveFree: env.nonInteractiveLimit,
        nonInteractiveInflight: [],
      },
    },
    { upsert: true },
  );
  if (existing) await p.modes.setNonInteractiveLimit(env.id, env.nonInteractiveLimit);
  if (env.securityGroup) {
    await p.m.Group.updateOne(
      { _id: env.securityGroup },
      { $setOnInsert: { nestedGroups: [] } },
      { upsert: true },
    );
  }
}

async function applyPerson(p: ApplyParts, person: PersonConfig): Promise<string[]> {
  const { email, firstName, lastName, slackId, managerEmail } = person;
  await p.people.upsert({
    email,
    firstName,
    lastName,
    slackId,
    managerEmail: managerEmail ?? null,
  });
  const { account, created } = await p.accounts.create({
    ...profileOf(person),
    personEmail: email,
    upn: email,
    firstName,
    lastName,
  });
  if (!created)
    await p.accounts.updateProfile(account._id, { ...profileOf(person), firstName, lastName });
  const warnings: string[] = [];
  const attempt = async (what: string, step: () => Promise<unknown>) => {
    try {
      await step();
    } catch (error) {
      warnings.push(`${email}: ${what}: ${(error as Error).message}`);
    }
  };
  // Admin roles follow the file's diff against what it said last time, so revocations stick.
  const before = account.fileAdminRoles ?? [];
  for (const role of person.adminRoles.filter((r) => !before.includes(r))) {
    await attempt(`grant ${role}`, () => p.admins.grant(account._id, role));
  }
  for (const role of before.filter((r) => !person.adminRoles.includes(r))) {
    await attempt(`revoke ${role}`, () => p.admins.revoke(account._id, role));
  }
  await p.m.Account.updateOne(
    { _id: account._id },
    { $set: { fileAdminRoles: person.adminRoles } },
  );
  for (const role of person.partnerCenterRoles) {
    await attempt(`grant ${role}`, () => p.admins.grantPartnerCenterRole(account._id, role));
  }
  for (const sku of person.licenses) {
    const held = (await p.seats.seatsOf(account._id)).some((s) => s.skuId === sku);
    if (!held) {
      await attempt(`license ${sku}`, () =>
        p.seats.assign(sku, `license:${account._id}`, { accountId: account._id }),
      );
    }
  }
  for (const m of person.environments) {
    await attempt(`environment ${m.id}`, async () => {
      const { created: isNew } = await p.environments.provisionUser(m.id, account._id);
      await p.environments.addToSecurityGroup(m.id, account._id);
      if (isNew && m.businessUnit) {
        await p.environments.assignBusinessUnit(m.id, account._id, m.businessUnit);
      }
      for (const team of m.teams) await p.environments.addToTeam(m.id, account._id, team);
      if (m.roles.length > 0) await p.environments.assignSecurityRoles(m.id, account._id, m.roles);
      if (isNew && m.accessMode !== 'read_write') {
        await p.modes.setAccessMode(m.id, account._id, m.accessMode);
      }
    });
  }
  return warnings;
}

function profileOf(person: PersonConfig) {
  const { jobTitle, department, office, officePhone, mobilePhone, fax } = person;
  const { streetAddress, city, stateOrProvince, postalCode, countryOrRegion } = person;
  const profile = {
    jobTitle,
    department,
    office,
    email: person.email,
    officePhone,
    mobilePhone,
    fax,
    streetAddress,
    city,
    stateOrProvince,
    postalCode,
    countryOrRegion,
  };
  return Object.fromEntries(Object.entries(profile).filter(([, v]) => v !== undefined));
}
