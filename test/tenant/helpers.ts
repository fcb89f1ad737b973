import { fileURLToPath } from 'node:url';
import { beforeAll, beforeEach } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import type { TenantConfig } from '../../src/tenant/tenant.schema.ts';
import { TenantService } from '../../src/tenant/tenant.service.ts';
import { loadTenantFile, parseTenantConfig } from '../../src/tenant/tenant-file.ts';
import { useTestDatabase } from '../support/db.ts';

/** The example tenant file shipped at the repo root. */
export const EXAMPLE_TENANT_PATH = fileURLToPath(new URL('../../tenant.yaml', import.meta.url));

/** A test file's tenant: a real database, a manual clock, a service; emptied before each test. */
export function useTenant(label: string) {
  const db = useTestDatabase(label);
  const ctx = {
    db,
    clock: new ManualClock(),
    service: undefined as unknown as TenantService,
  };
  beforeAll(async () => {
    ctx.service = new TenantService(db.connection, ctx.clock);
    await ctx.service.init();
  });
  beforeEach(async () => {
    ctx.clock.set('2026-01-05T09:00:00Z');
    const collections = await db.connection.db!.collections();
    await Promise.all(collections.map((c) => c.deleteMany({})));
  });
  return ctx;
}

/** The example tenant file, validated. */
export function exampleConfig(): Promise<TenantConfig> {
  return loadTenantFile(EXAMPLE_TENANT_PATH);
}

/** A small tenant: 1 dynamics env, 1 powerapps env, 1 none env, 2 Global admins and Ada. */
export function smallConfig(extra = ''): TenantConfig {
  return parseTenantConfig(SMALL_TENANT + extra, 'small.yaml');
}

/** Text of the small tenant (tests append people or change it with replace). */
export const SMALL_TENANT = `
domain: contoso.example
skus:
  - { id: D365_SALES, name: Dynamics 365 Sales Enterprise, seats: 10 }
  - { id: POWERAPPS, name: Power Apps per user, seats: 3 }
  - { id: CONNECTED_SPACES, name: Dynamics 365 Connected Spaces, seats: 1 }
environments:
  - id: sales-prod
    name: Sales (production)
    kind: dynamics
    securityGroup: sg-sales-prod
    licenseSku: D365_SALES
    nonInteractiveLimit: 7
    businessUnits:
      - { id: root, name: Contoso, roles: [System Administrator, System Customizer, Basic User] }
      - { id: sales, name: Sales, parent: root, roles: [Salesperson, Sales Manager] }
    teams:
      - { id: managers, businessUnit: sales, roles: [Sales Manager] }
  - id: apps-dev
    name: Apps (development)
    kind: powerapps
    securityGroup: sg-apps-dev
    licenseSku: POWERAPPS
    allowRoleAssignmentOnDisabledUsers: true
  - id: stores
    name: Store analytics
    kind: connected-spaces
    securityGroup: sg-stores
    licenseSku: CONNECTED_SPACES
  - id: intranet
    name: Intranet
    kind: none
groups:
  - { id: sg-contractors }
  - { id: sg-sales-prod, nestedGroups: [sg-contractors] }
people:
  - { email: grace@contoso.example, firstName: Grace, lastName: Hopper, slackId: U0GRACE, adminRoles: [Global admin] }
  - { email: linus@contoso.example, firstName: Linus, lastName: Torvalds, slackId: U0LINUS, adminRoles: [Global admin] }
  - { email: ada@contoso.example, firstName: Ada, lastName: Lovelace, slackId: U0ADA, managerEmail: grace@contoso.example }
`;

/** Creates a licensed account for a new hire and puts them in `envId` with the given roles. */
export async function onboard(
  service: TenantService,
  first: string,
  last: string,
  options: { envId?: string; sku?: string; unit?: string; roles?: string[] } = {},
) {
  const envId = options.envId ?? 'sales-prod';
  const { account } = await service.createAccount({
    idempotencyKey: `test:${first}.${last}`,
    personEmail: `${first}.${last}@personal.example`.toLowerCase(),
    firstName: first,
    lastName: last,
  });
  await service.assignSeat(options.sku ?? 'D365_SALES', `license:${account._id}`, {
    accountId: account._id,
  });
  await service.addToSecurityGroup(envId, account._id);
  if (options.unit) await service.assignBusinessUnit(envId, account._id, options.unit);
  if (options.roles) await service.assignSecurityRoles(envId, account._id, options.roles);
  return account;
}
