/**
 * `npm run seats:verify` recounts every SKU from its seat holder documents and prints the drift
 * of its counters (expected 0 everywhere), and each environment's M3 counter from its
 * non-interactive places; exits 1 on any drift. `-- --recover` first finishes
 * seat operations whose writer stopped longer than the lease ago. Uses MONGODB_URI, or the
 * embedded database under ACCESSDESK_DATA_DIR (stop `npm start` first).
 */
import { resolve } from 'node:path';
import { systemClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/index.ts';
import { TenantService } from '../src/tenant/tenant.service.ts';

const [command = 'verify', ...args] = process.argv.slice(2);
const config = loadConfig();
const database = await openDatabase({ uri: config.mongodbUri, dataDir: resolve(config.dataDir) });
try {
  const tenant = new TenantService(database.connection, systemClock);
  if (command !== 'verify') {
    console.error('usage: seats.ts verify [--recover]');
    process.exitCode = 2;
  } else {
    if (args.includes('--recover')) {
      const done = await tenant.recoverSeats();
      console.log(
        `recovered: ${done.rolledForward} rolled forward, ${done.compensated} compensated, ${done.aborted} intents aborted`,
      );
    }
    const skus = await tenant.listSeatSummaries();
    const drifts = await tenant.verifySeats();
    const bySku = new Map(drifts.map((d) => [d.skuId, d]));
    if (skus.length === 0) console.log('no SKUs yet (apply a tenant file first)');
    for (const sku of skus) {
      const d = bySku.get(sku.skuId);
      const line = `${sku.skuId}: ${sku.seats} seats, ${sku.assigned} assigned, ${sku.held} held, ${sku.free} free`;
      if (!d) console.log(`${line} — drift 0`);
      else {
        console.log(
          `${line} — DRIFT held ${d.drift.held}, assigned ${d.drift.assigned}, free ${d.drift.free} ` +
            `(recounted ${d.counted.held} held, ${d.counted.assigned} assigned; ${d.inflight} in flight)`,
        );
      }
    }
    for (const d of drifts.filter((x) => !skus.some((s) => s.skuId === x.skuId))) {
      console.log(
        `${d.skuId}: no counter document, ${d.counted.held + d.counted.assigned} holders — DRIFT`,
      );
    }
    // M3: each environment's non-interactive counter against a recount of its places.
    if (args.includes('--recover')) await tenant.recoverNonInteractive();
    const places = await tenant.verifyNonInteractive();
    for (const d of places) {
      console.log(
        `${d.envId}: non-interactive limit ${d.limit}, ${d.free} free, ${d.taken} places taken — DRIFT (${d.inflight} in flight)`,
      );
    }
    if (places.length > 0) process.exitCode = 1;
    if (drifts.length > 0) {
      console.error(
        `${drifts.length} SKU(s) drift; operations in flight can explain it (retry, or --recover)`,
      );
      process.exitCode = 1;
    }
  }
} finally {
  await database.close();
}
