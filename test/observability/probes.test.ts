import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoMemoryServer } from 'mongodb-memory-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { resolveMongodBinary } from '../../src/db/mongod-binary.ts';
import { type Accessdesk, startAccessdesk } from '../../src/server.ts';
import { eventually } from '../slack/support.ts';
import { GLOBAL_ADMINS, salesTenantYaml } from '../support/sales-tenant.ts';

/**
 * /healthz and /readyz over a mongod of this test's own, stopped and started again under the
 * running desk (the suite's shared mongod is left alone).
 */
let mongod: MongoMemoryServer;
let desk: Accessdesk;
const lines: string[] = [];

beforeAll(async () => {
  const binary = await resolveMongodBinary();
  const dir = mkdtempSync(join(tmpdir(), 'accessdesk-probes-'));
  mkdirSync(join(dir, 'db'));
  mongod = await MongoMemoryServer.create({
    binary: { systemBinary: binary.path, version: binary.version },
    instance: { storageEngine: 'wiredTiger', ip: '127.0.0.1', dbPath: join(dir, 'db') },
  });
  const tenantFile = join(dir, 'tenant.yaml');
  writeFileSync(tenantFile, salesTenantYaml(2, GLOBAL_ADMINS('U0GRACE', 'U0LINUS')));
  const config = loadConfig({
    MONGODB_URI: `${mongod.getUri()}accessdesk`,
    PORT: '0',
    ACCESSDESK_TENANT_FILE: tenantFile,
    ACCESSDESK_DATA_DIR: dir,
  });
  desk = await startAccessdesk(config, { log: (l) => lines.push(l) });
}, 120_000);
afterAll(async () => {
  await desk?.stop();
  await mongod?.stop({ doCleanup: true, force: true });
}, 60_000);

const probe = async (path: string) => {
  const res = await fetch(`${desk.url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('/healthz and /readyz', () => {
  it('both answer 200 while the database answers and the scheduler runs', async () => {
    expect(await probe('/healthz')).toEqual({ status: 200, body: { ok: true } });
    expect(await probe('/readyz')).toEqual({
      status: 200,
      body: { ok: true, database: true, scheduler: true },
    });
  });

  it('/readyz is 503 while the database is down, /healthz still 200; 200 again after', async () => {
    await mongod.stop({ doCleanup: false, force: false });
    expect(await probe('/readyz')).toEqual({
      status: 503,
      body: { ok: false, database: false, scheduler: true },
    });
    expect((await probe('/healthz')).status).toBe(200);

    await mongod.start(true);
    await eventually(async () => expect((await probe('/readyz')).status).toBe(200), 30_000);
  }, 60_000);

  it('/readyz is 503 once this instance no longer runs its scheduler', async () => {
    await desk.system.scheduler.stop();
    expect(await probe('/readyz')).toEqual({
      status: 503,
      body: { ok: false, database: true, scheduler: false },
    });
  });
});
