import { describe, expect, it } from 'vitest';
import { FIELD } from '../../../flows/ids.ts';
import { parseOnboarding, parseRoleChange } from '../../../flows/request/parse.ts';
import type { TenantChoices } from '../../../src/tenant/options.ts';

/** One environment still importing its data (P3) and one that has it. */
const choices: TenantChoices = {
  skus: [{ id: 'D365_SALES', name: 'Dynamics 365 Sales Enterprise' }],
  environments: [
    {
      id: 'sales-prod',
      name: 'Sales (production)',
      kind: 'dynamics',
      awaitsDataImport: true,
      businessUnits: [{ id: 'sales', name: 'Sales', roles: ['Salesperson'] }],
    },
    {
      id: 'apps-dev',
      name: 'Apps (development)',
      kind: 'powerapps',
      awaitsDataImport: false,
      businessUnits: [{ id: 'root', name: 'Contoso', roles: ['Basic User'] }],
    },
  ],
  adminRoles: ['Global admin'],
  grantLimits: [],
};

const onboarding = (environment: string, unit: string, role: string) => ({
  first_name: 'Mary',
  last_name: 'Jackson',
  email: 'mary@example.org',
  sku: 'D365_SALES',
  environment,
  business_unit: unit,
  security_roles: [role],
  access_mode: 'read_write',
  justification: 'joins the team',
});

describe('request modal parsing', () => {
  it('P3: an onboarding into an environment still importing its data is refused on that field', () => {
    const refused = parseOnboarding(onboarding('sales-prod', 'sales', 'Salesperson'), choices);
    const accepted = parseOnboarding(onboarding('apps-dev', 'root', 'Basic User'), choices);

    expect(refused).toEqual({
      errors: {
        [FIELD.environment]:
          'Sales (production) is still importing its existing data (P3): nobody is invited there until that is done. Ask again then.',
      },
    });
    expect(accepted).toMatchObject({ details: { environment: 'apps-dev' } });
  });

  it('P3/E3: enabling someone again (a new invitation) waits for the import too; disabling does not', () => {
    const change = (change_kind: string) => ({
      change_kind,
      environment: 'sales-prod',
      justification: 'back from leave',
    });

    expect(parseRoleChange(change('enable'), choices)).toMatchObject({
      errors: { [FIELD.environment]: expect.stringContaining('(P3)') },
    });
    expect(parseRoleChange(change('disable'), choices)).toMatchObject({
      details: { change: 'disable', environment: 'sales-prod' },
    });
  });
});
