import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { ValidationError } from '../../src/errors.ts';
import { assertGraphReady, graphTenantProblems } from '../../src/graph/requirements.ts';
import { parseTenantConfig } from '../../src/tenant/tenant-file.ts';
import { tenantYaml } from '../lifecycle/support.ts';
import { GROUP_ID, graphTenantYaml, SKU_GUID } from './support.ts';

const problemsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as ValidationError).problems;
  }
  throw new Error('expected a ValidationError');
};

describe('ACCESSDESK_DIRECTORY', () => {
  it('defaults to the built-in tenant model', () => {
    expect(loadConfig({}).directory).toEqual({ kind: 'tenant' });
  });

  it('graph: client credentials with a secret, default Microsoft URLs', () => {
    const config = loadConfig({
      ACCESSDESK_DIRECTORY: 'graph',
      AZURE_TENANT_ID: 'tid',
      AZURE_CLIENT_ID: 'cid',
      AZURE_CLIENT_SECRET: 'not-logged',
    });
    expect(config.directory).toEqual({
      kind: 'graph',
      tenantId: 'tid',
      clientId: 'cid',
      credential: { secret: 'not-logged' },
      loginUrl: 'https://login.microsoftonline.com',
      graphUrl: 'https://graph.microsoft.com',
      powerPlatformUrl: 'https://api.bap.microsoft.com',
    });
  });

  it('graph: a certificate instead of a secret, and URLs of another cloud', () => {
    const config = loadConfig({
      ACCESSDESK_DIRECTORY: 'graph',
      AZURE_TENANT_ID: 'tid',
      AZURE_CLIENT_ID: 'cid',
      AZURE_CLIENT_CERTIFICATE_PATH: '/etc/accessdesk/app.pem',
      ACCESSDESK_LOGIN_URL: 'https://login.microsoftonline.us/',
      ACCESSDESK_GRAPH_URL: 'https://graph.microsoft.us/',
      ACCESSDESK_POWERPLATFORM_URL: 'https://api.bap.microsoft.us/',
    });
    expect(config.directory).toMatchObject({
      credential: { certificatePath: '/etc/accessdesk/app.pem' },
      loginUrl: 'https://login.microsoftonline.us',
      graphUrl: 'https://graph.microsoft.us',
      powerPlatformUrl: 'https://api.bap.microsoft.us',
    });
  });

  it('graph: every missing credential is named at start, no secret echoed', () => {
    expect(problemsOf(() => loadConfig({ ACCESSDESK_DIRECTORY: 'graph' }))).toEqual([
      'AZURE_TENANT_ID: required when ACCESSDESK_DIRECTORY=graph',
      'AZURE_CLIENT_ID: required when ACCESSDESK_DIRECTORY=graph',
      'AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH: one is required when ACCESSDESK_DIRECTORY=graph',
    ]);
    const both = problemsOf(() =>
      loadConfig({
        ACCESSDESK_DIRECTORY: 'graph',
        AZURE_TENANT_ID: 't',
        AZURE_CLIENT_ID: 'c',
        AZURE_CLIENT_SECRET: 'hunter2-secret',
        AZURE_CLIENT_CERTIFICATE_PATH: '/x.pem',
      }),
    );
    expect(both).toEqual([
      'AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH: give one, not both',
    ]);
    expect(both.join()).not.toContain('hunter2');
  });

  it('refuses an unknown directory', () => {
    expect(problemsOf(() => loadConfig({ ACCESSDESK_DIRECTORY: 'ldap' }))[0]).toMatch(
      /^ACCESSDESK_DIRECTORY: /,
    );
  });
});

describe('the tenant file in graph mode', () => {
  it('a file without the Graph fields is refused, naming each missing field', () => {
    const tenant = parseTenantConfig(tenantYaml(), 'tenant.yaml');
    expect(problemsOf(() => assertGraphReady(tenant, 'tenant.yaml'))).toEqual([
      'tenant.yaml: usageLocation is required for Graph (to license users)',
      'tenant.yaml: skus[0] (D365_SALES): skuId or skuPartNumber is required for Graph',
      'tenant.yaml: environments[0] (sales-prod): securityGroupId is required for Graph',
      'tenant.yaml: environments[0] (sales-prod): dataverseUrl is required for Graph',
      'tenant.yaml: environments[0] (sales-prod): powerPlatformEnvironmentId is required for Graph',
    ]);
  });

  it('a file with them passes; a part number may stand for the skuId', () => {
    const full = graphTenantYaml();
    expect(graphTenantProblems(parseTenantConfig(full, 't'))).toEqual([]);
    const byPartNumber = full.replace(
      `skuId: ${SKU_GUID}`,
      'skuPartNumber: DYN365_ENTERPRISE_SALES',
    );
    expect(graphTenantProblems(parseTenantConfig(byPartNumber, 't'))).toEqual([]);
  });

  it('E6: an environment without a database needs neither group nor Dataverse', () => {
    const withIntranet = `${graphTenantYaml().replace(
      'people:',
      '  - { id: intranet, name: Intranet, kind: none }\npeople:',
    )}`;
    expect(graphTenantProblems(parseTenantConfig(withIntranet, 't'))).toEqual([]);
  });

  it('Graph ids must be GUIDs', () => {
    const bad = graphTenantYaml().replace(GROUP_ID, 'sg-sales-prod');
    expect(() => parseTenantConfig(bad, 't')).toThrow(/securityGroupId: must be a GUID/);
  });
});
