import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { ErrorCode } from '../../src/errors.ts';
import { startAccessdesk } from '../../src/server.ts';
import { tenantYaml } from '../lifecycle/support.ts';

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
});
