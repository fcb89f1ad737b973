import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { describeEngine } from '../../src/db/index.ts';
import { ErrorCode } from '../../src/errors.ts';
import { startAccessdesk } from '../../src/server.ts';
import { tenantYaml } from '../lifecycle/support.ts';
import { useTestDatabase } from '../support/db.ts';
import { GRAPH, graphError, LOGIN, TENANT_ID, useNock, withGraphFields } from './support.ts';

const db = useTestDatabase('graph/start');
useNock();

/** Starts accessdesk in Graph mode with a complete tenant file and the client secret `secret`. */
async function startInGraphMode(secret: string) {
  const dir = await mkdtemp(join(tmpdir(), 'accessdesk-graph-'));
  const file = join(dir, 'tenant.yaml');
  await writeFile(file, withGraphFields(tenantYaml(), 5));
  const config = loadConfig({
    ACCESSDESK_DIRECTORY: 'graph',
    AZURE_TENANT_ID: TENANT_ID,
    AZURE_CLIENT_ID: 'c1d2e3f4-0000-4000-8000-00000000c11e',
    AZURE_CLIENT_SECRET: secret,
    ACCESSDESK_TENANT_FILE: file,
    ACCESSDESK_DATA_DIR: dir,
    PORT: '0',
  });
  const database = {
    connection: db.connection,
    engine: await describeEngine(db.connection),
    origin: 'test database',
    close: async () => {},
  };
  return startAccessdesk(config, { database, log: () => {} });
}

describe('starting with ACCESSDESK_DIRECTORY=graph', () => {
  it('refuses a tenant file lacking what Graph needs, naming each field, before anything runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'accessdesk-graph-'));
    const file = join(dir, 'tenant.yaml');
    await writeFile(file, tenantYaml());
    const config = loadConfig({
      ACCESSDESK_DIRECTORY: 'graph',
      AZURE_TENANT_ID: 'tid',
      AZURE_CLIENT_ID: 'cid',
      AZURE_CLIENT_SECRET: 'secret',
      ACCESSDESK_TENANT_FILE: file,
      PORT: '0',
    });
    await expect(startAccessdesk(config)).rejects.toMatchObject({
      code: ErrorCode.TenantFileInvalid,
      problems: [
        `${file}: usageLocation is required for Graph (to license users)`,
        `${file}: skus[0] (D365_SALES): skuId or skuPartNumber is required for Graph`,
        `${file}: environments[0] (sales-prod): securityGroupId is required for Graph`,
        `${file}: environments[0] (sales-prod): dataverseUrl is required for Graph`,
      ],
    });
  });

  it('credentials Microsoft refuses stop the start with what to fix, naming no secret', async () => {
    const SECRET = 'a-secret-that-expired';
    nock(LOGIN)
      .post(`/${TENANT_ID}/oauth2/v2.0/token`)
      .query(true)
      .reply(401, {
        error: 'invalid_client',
        error_description: 'AADSTS7000222: The provided client secret keys are expired.',
        error_codes: [7000222],
      });
    const error = await startInGraphMode(SECRET).catch((e) => e);
    expect(error).toMatchObject({ code: ErrorCode.ConfigInvalid });
    expect(error.message).toBe(
      'Microsoft Graph refused accessdesk (sign-in: 401 invalid_client): check AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH.',
    );
    expect(JSON.stringify(error)).not.toContain(SECRET);
  });

  it('a permission the app lacks stops the start, naming the step, the code and what to grant', async () => {
    nock(LOGIN)
      .post(`/${TENANT_ID}/oauth2/v2.0/token`)
      .query(true)
      .reply(200, { token_type: 'Bearer', expires_in: 3599, access_token: 'a-token' });
    nock(GRAPH)
      .get('/v1.0/subscribedSkus')
      .query(true)
      .reply(
        403,
        graphError(
          'Authorization_RequestDenied',
          'Insufficient privileges to complete the operation.',
        ),
      );
    await expect(startInGraphMode('a-secret')).rejects.toMatchObject({
      code: ErrorCode.ConfigInvalid,
      message:
        'Microsoft Graph refused accessdesk (syncSubscribedSkus: 403 Authorization_RequestDenied): grant the application permissions the README lists, with admin consent.',
    });
  });
});
