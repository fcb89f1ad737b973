/**
 * `npm run directory:sync`: one reconciliation with Microsoft 365 (ACCESSDESK_DIRECTORY=graph),
 * the same one `npm start` runs at start and every ACCESSDESK_SYNC_EVERY. Reads subscriptions,
 * users, admin role assignments and security group members; sets the tenant model's seats and
 * prints what changed in Entra outside accessdesk. Writes nothing to Entra. Uses MONGODB_URI, or
 * the embedded database under ACCESSDESK_DATA_DIR (stop `npm start` first).
 */
import { resolve } from 'node:path';
import { systemClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/index.ts';
import { describeError } from '../src/errors.ts';
import { assertGraphReady, describeSync, directorySync } from '../src/graph/index.ts';
import { withDirectorySeats } from '../src/tenant/directory-seats.ts';
import { TenantService } from '../src/tenant/tenant.service.ts';
import { loadTenantFile } from '../src/tenant/tenant-file.ts';

const config = loadConfig();
if (config.directory.kind !== 'graph') {
  console.error('directory:sync needs ACCESSDESK_DIRECTORY=graph (and the AZURE_* credentials)');
  process.exit(2);
}
const graph = config.directory;
const tenantConfig = await loadTenantFile(config.tenantFile);
assertGraphReady(tenantConfig, config.tenantFile);
const database = await openDatabase({ uri: config.mongodbUri, dataDir: resolve(config.dataDir) });
try {
  const tenant = new TenantService(database.connection, systemClock);
  // The SKUs must exist before their seats are set (as at start; idempotent).
  await tenant.applyConfig(await withDirectorySeats(database.connection, tenantConfig));
  const sync = directorySync(graph, {
    connection: database.connection,
    tenant: tenantConfig,
    clock: systemClock,
  });
  const report = await sync.run();
  console.log(describeSync(report));
  const names = new Map(tenantConfig.environments.map((e) => [e.id, e.name]));
  const drift = await sync.drift.lines(names);
  console.log(drift.length ? `outside accessdesk:\n- ${drift.join('\n- ')}` : 'no drift');
} catch (error) {
  console.error(`directory sync failed:\n${describeError(error)}`);
  process.exitCode = 1;
} finally {
  await database.close();
}
