import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ValidationError } from '../../src/errors.ts';
import { loadTenantFile, parseTenantConfig } from '../../src/tenant/tenant-file.ts';
import { exampleConfig, SMALL_TENANT, useTenant } from './helpers.ts';

const t = useTenant('tenant/tenant-file');

/** Parses then applies, the way start-up does: nothing is written unless the file is valid. */
async function loadAndApply(text: string) {
  await t.service.applyConfig(parseTenantConfig(text, 'bad.yaml'));
}

async function refusal(text: string): Promise<string[]> {
  const error = await loadAndApply(text).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).code).toBe(ErrorCode.TenantFileInvalid);
  const collections = await t.db.connection.db!.collections();
  for (const collection of collections) expect(await collection.countDocuments()).toBe(0);
  return (error as ValidationError).problems;
}

const addPerson = (line: string) => `${SMALL_TENANT}  - ${line}\n`;

describe('the tenant file', () => {
  it('loads the example tenant.yaml with two Global admins and every kind of environment', async () => {
    const config = await exampleConfig();
    expect(config.domain).toBe('contoso.example');
    expect(config.people.filter((p) => p.adminRoles.includes('Global admin'))).toHaveLength(2);
    expect(new Set(config.environments.map((e) => e.kind))).toEqual(
      new Set(['dynamics', 'powerapps', 'connected-spaces', 'none']),
    );
  });

  it('S4: every root business unit starts with the default roles of its kind', async () => {
    const config = await exampleConfig();
    const sales = config.environments.find((e) => e.id === 'sales-prod')!;
    expect(sales.businessUnits[0]!.roles).toEqual(
      expect.arrayContaining([
        'System Administrator',
        'System Customizer',
        'Salesperson',
        'Basic User',
      ]),
    );
    const stores = config.environments.find((e) => e.id === 'stores')!;
    expect(stores.businessUnits[0]!.roles).toEqual([
      'Connected Store Admin',
      'Connected Store Viewer',
    ]);
  });

  it('refuses text that is not YAML, naming the problem', async () => {
    const problems = await refusal('domain: [contoso\npeople: {{{');
    expect(problems[0]).toMatch(/^bad\.yaml: not valid YAML/);
    expect(await refusal('just a sentence')).toEqual([
      expect.stringContaining('not a tenant file'),
    ]);
  });

  it('refuses a file that cannot be read', async () => {
    await expect(loadTenantFile('/nonexistent/tenant.yaml')).rejects.toThrow(/cannot be read/);
  });

  it('refuses a file whose shape is wrong, naming the field path', async () => {
    const problems = await refusal(SMALL_TENANT.replace('seats: 10', 'seats: ten'));
    expect(problems).toEqual([expect.stringMatching(/^bad\.yaml: skus\[0\]\.seats: /)]);
    const typo = await refusal(SMALL_TENANT.replace('kind: none', 'kind: none\n    colour: red'));
    expect(typo.join('\n')).toMatch(/environments\[3\]: Unrecognized key: "colour"/);
  });

  it('refuses an unknown SKU referenced by a person or an environment', async () => {
    const problems = await refusal(
      addPerson(
        '{ email: x@contoso.example, firstName: X, lastName: Y, slackId: U0X, licenses: [NOPE] }',
      ),
    );
    expect(problems).toEqual(['bad.yaml: people[3].licenses[0]: unknown SKU "NOPE"']);
    const env = await refusal(SMALL_TENANT.replace('licenseSku: POWERAPPS', 'licenseSku: GONE'));
    expect(env).toEqual(['bad.yaml: environments[1].licenseSku: unknown SKU "GONE"']);
  });

  it('refuses an unknown business unit as a parent or in a person', async () => {
    const parent = await refusal(SMALL_TENANT.replace('parent: root', 'parent: nowhere'));
    expect(parent).toEqual([
      'bad.yaml: environments[0].businessUnits[1].parent: unknown business unit "nowhere"',
    ]);
    const person = await refusal(
      addPerson(
        '{ email: x@contoso.example, firstName: X, lastName: Y, slackId: U0X, licenses: [D365_SALES], environments: [{ id: sales-prod, businessUnit: marketing }] }',
      ),
    );
    expect(person).toEqual([
      'bad.yaml: people[3].environments[0].businessUnit: unknown business unit "marketing" in "sales-prod"',
    ]);
  });

  it('refuses duplicate ids: SKU, environment, business unit, email and slackId', async () => {
    const sku = await refusal(
      SMALL_TENANT.replace('skus:\n', 'skus:\n  - { id: POWERAPPS, name: Again, seats: 1 }\n'),
    );
    expect(sku.join('\n')).toMatch(
      /skus\[2\]\.id: duplicate SKU id "POWERAPPS" \(also skus\[0\]\)/,
    );
    const env = await refusal(SMALL_TENANT.replace('id: apps-dev', 'id: sales-prod'));
    expect(env.join('\n')).toMatch(/environments\[1\]\.id: duplicate id "sales-prod"/);
    const unit = await refusal(
      SMALL_TENANT.replace('id: sales, name: Sales', 'id: root, name: Sales'),
    );
    expect(unit.join('\n')).toMatch(
      /environments\[0\]\.businessUnits\[1\]\.id: duplicate id "root"/,
    );
    const email = await refusal(
      addPerson('{ email: ADA@contoso.example, firstName: A, lastName: L, slackId: U0ADA2 }'),
    );
    expect(email).toEqual([
      'bad.yaml: people[3].email: duplicate email "ada@contoso.example" (also people[2])',
    ]);
    const slack = await refusal(
      addPerson('{ email: x@contoso.example, firstName: X, lastName: Y, slackId: U0ADA }'),
    );
    expect(slack).toEqual([
      'bad.yaml: people[3].slackId: duplicate slackId "U0ADA" (also people[2])',
    ]);
  });

  it('S3: refuses a security role a person holds that is listed in no business unit', async () => {
    const problems = await refusal(
      addPerson(
        '{ email: x@contoso.example, firstName: X, lastName: Y, slackId: U0X, licenses: [D365_SALES], environments: [{ id: sales-prod, businessUnit: sales, roles: [Astronaut] }] }',
      ),
    );
    expect(problems).toEqual([
      'bad.yaml: people[3].environments[0].roles[0]: security role "Astronaut" is listed in no business unit of "sales-prod"',
    ]);
    const other = await refusal(
      addPerson(
        '{ email: x@contoso.example, firstName: X, lastName: Y, slackId: U0X, licenses: [D365_SALES], environments: [{ id: sales-prod, businessUnit: sales, roles: [System Customizer] }] }',
      ),
    );
    expect(other[0]).toMatch(/"System Customizer" is not a role of business unit "sales" \(S3\)/);
  });

  it('refuses a manager cycle and an unknown manager', async () => {
    const cycle = await refusal(
      SMALL_TENANT.replace(
        'slackId: U0GRACE,',
        'slackId: U0GRACE, managerEmail: ada@contoso.example,',
      ),
    );
    expect(cycle).toContain(
      'bad.yaml: people[0].managerEmail: manager cycle grace@contoso.example -> ada@contoso.example -> grace@contoso.example',
    );
    const unknown = await refusal(
      SMALL_TENANT.replace('managerEmail: grace@', 'managerEmail: nobody@'),
    );
    expect(unknown).toEqual([
      'bad.yaml: people[2].managerEmail: unknown person "nobody@contoso.example"',
    ]);
  });

  it('A1: refuses an unknown admin role, including a security role named as one', async () => {
    const problems = await refusal(
      SMALL_TENANT.replace(
        'slackId: U0ADA,',
        'slackId: U0ADA, adminRoles: [System Administrator],',
      ),
    );
    expect(problems).toEqual([
      'bad.yaml: people[2].adminRoles[0]: unknown admin role "System Administrator"',
    ]);
  });

  it('A2: refuses a tenant file without any Global admin', async () => {
    const problems = await refusal(
      SMALL_TENANT.replaceAll('adminRoles: [Global admin]', 'adminRoles: []'),
    );
    expect(problems.join('\n')).toMatch(/no one holds "Global admin"/);
  });

  it('A5: refuses a Connected Spaces environment member without the Connected Spaces license', async () => {
    const problems = await refusal(
      addPerson(
        '{ email: x@contoso.example, firstName: X, lastName: Y, slackId: U0X, environments: [{ id: stores, roles: [Connected Store Viewer] }] }',
      ),
    );
    expect(problems).toEqual([
      'bad.yaml: people[3].environments[0].id: Connected Spaces needs its own license "CONNECTED_SPACES" (A5)',
    ]);
  });

  it('E6: refuses a security group or a member on an environment without a database', async () => {
    const group = await refusal(
      SMALL_TENANT.replace('kind: none', 'kind: none\n    securityGroup: sg-x'),
    );
    expect(group).toEqual([
      'bad.yaml: environments[3].securityGroup: an environment of kind "none" has no database (E6)',
    ]);
  });

  it('L3: refuses a file that licenses more people than a SKU has seats', async () => {
    const problems = await refusal(
      SMALL_TENANT.replace('seats: 1 }', 'seats: 0 }').replace(
        'slackId: U0ADA,',
        'slackId: U0ADA, licenses: [CONNECTED_SPACES],',
      ),
    );
    expect(problems).toEqual([
      'bad.yaml: skus[2].seats: 1 people hold "CONNECTED_SPACES" but it has 0 seats (L3)',
    ]);
  });

  it('lists every problem of a file, one line each', async () => {
    const problems = await refusal(
      SMALL_TENANT.replace('parent: root', 'parent: nowhere').replace(
        'managerEmail: grace@',
        'managerEmail: nobody@',
      ),
    );
    expect(problems).toHaveLength(2);
    for (const line of problems) expect(line).not.toContain('\n');
  });

  it('loads from a path on disk', async () => {
    const path = join(tmpdir(), `tenant-${process.pid}.yaml`);
    await writeFile(path, SMALL_TENANT);
    expect((await loadTenantFile(path)).people).toHaveLength(3);
  });
});
