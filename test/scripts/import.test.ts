import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { TenantService } from '../../src/tenant/tenant.service.ts';
import { parseTenantConfig } from '../../src/tenant/tenant-file.ts';
import { useTestDatabase } from '../support/db.ts';
import { runScript } from '../support/run-script.ts';
import { GLOBAL_ADMINS, salesTenantYaml } from '../support/sales-tenant.ts';

const db = useTestDatabase('scripts/import');
const SCRIPT = fileURLToPath(new URL('../../scripts/import.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'accessdesk-import-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** The sales tenant plus an environment still importing its data (P3). */
const YAML = salesTenantYaml(10, [
  ...GLOBAL_ADMINS(),
  '{ email: ada@contoso.example, firstName: Ada, lastName: Lovelace, slackId: U0ADA }',
]).replace(
  'people:',
  `  - id: service-prod
    name: Customer Service (production)
    kind: dynamics
    securityGroup: sg-service-prod
    licenseSku: D365_SALES
    dataImported: false
    businessUnits:
      - { id: service, name: Service, roles: [Salesperson, Basic User] }
people:`,
);

const HEADER =
  'email,first_name,last_name,department,sku,environment,business_unit,security_roles,access_mode';
const PEOPLE = file(
  'people.csv',
  `${HEADER}
mae@example.org,Mae,Jemison,Service,D365_SALES,service-prod,service,Salesperson,read_write
sally@example.org,Sally,Ride,Service,D365_SALES,service-prod,service,Salesperson;Basic User,read_write
`,
);

/** `npm run import -- …args` against this test's database. */
const runImport = (...args: string[]) => runScript(SCRIPT, db, args);

let tenant: TenantService;
beforeAll(async () => {
  tenant = new TenantService(db.connection, new ManualClock());
  await tenant.applyConfig(parseTenantConfig(YAML, 'test tenant'));
});

describe('npm run import', () => {
  it('P3 and M5: nobody is imported into an environment before its data; the stub-user import opens it', async () => {
    const before = await runImport(PEOPLE, '--dry-run');
    expect(before.code).toBe(1);
    const p3 =
      'Customer Service (production) is still importing its existing data (P3): nobody is invited there until that is done. Ask again then.';
    expect(before.out).toContain(`line 2, environment: ${p3}`);
    expect(before.out).toContain(`line 3, environment: ${p3}`);

    const stubs = await runImport(
      '--stub-users',
      file('users.csv', 'name,owner\nLegacy Importer,x\nOld Owner,y\n'),
      '--environment',
      'service-prod',
    );
    expect(stubs.out).toContain(
      'service-prod: 2 stub users with the role Salesperson (M5), 0 names matched existing users.',
    );
    expect(stubs.code).toBe(0);
    const made = await tenant.models.EnvironmentUser.find({ envId: 'service-prod', stub: true })
      .sort({ fullName: 1 })
      .lean();
    expect(made.map((u) => [u.fullName, u.roles])).toEqual([
      ['Legacy Importer', ['Salesperson']],
      ['Old Owner', ['Salesperson']],
    ]);

    const after = await runImport(PEOPLE, '--dry-run');
    expect(after.out).toContain(
      'Every row is valid (nothing was sent): Onboard 2 people: Service 2.',
    );
    expect(after.out).toContain('Needs 2 Dynamics 365 Sales Enterprise seats: 10 free');
    expect(after.code).toBe(0);
    expect(await db.connection.collection('requests').countDocuments()).toBe(0);
  });

  it('queues one bulk onboarding for the running accessdesk to carry out', async () => {
    const refused = await runImport(PEOPLE);
    expect(refused.code).toBe(2);
    expect(refused.out).toContain('--as names who asks');

    const queued = await runImport(PEOPLE, '--as', 'ada@contoso.example');
    expect(queued.code).toBe(0);
    const id = /REQ-[A-Z0-9]{8}/.exec(queued.out)?.[0];
    expect(queued.out).toContain(`Your bulk onboarding ${id} was sent to the Global admins`);
    const requests = await db.connection.collection('requests').find().toArray();
    expect(requests.map((r) => [r._id, r.kind, r.status])).toEqual([
      [id, 'bulk_onboarding', 'requested.awaitingApproval'],
    ]);
    // The card is the running accessdesk's to post: queued, leased to nobody.
    expect(requests[0]!.outbox.map((i: { effect: string }) => i.effect)).toContain(
      'notifyApprovers',
    );
    expect(await db.connection.collection('bulk_rows').countDocuments()).toBe(2);
  });
});
