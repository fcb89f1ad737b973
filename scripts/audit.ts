/**
 * `npm run audit:verify` checks the hash chain of the audit trail; `npm run audit:export --
 * --format csv|jsonl` prints it. Uses MONGODB_URI, or the embedded database under ACCESSDESK_DATA_DIR
 * (stop `npm start` first: one mongod at a time owns that directory).
 */
import { resolve } from 'node:path';
import { systemClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/index.ts';
import { AuditTrail } from '../src/lifecycle/audit.ts';

const [command = 'verify', ...args] = process.argv.slice(2);
const format = args[args.indexOf('--format') + 1] ?? 'jsonl';
const config = loadConfig();
const database = await openDatabase({ uri: config.mongodbUri, dataDir: resolve(config.dataDir) });
try {
  const trail = new AuditTrail(database.connection, systemClock);
  if (command === 'verify') {
    const verdict = await trail.verify();
    if (verdict.ok) console.log(`audit trail intact: ${verdict.entries} entries`);
    else {
      console.error(`audit trail BROKEN after ${verdict.entries} entries: ${verdict.problem}`);
      process.exitCode = 1;
    }
  } else if (command === 'export') {
    process.stdout.write(
      format === 'csv' ? await trail.exportCsv() : await trail.exportJsonLines(),
    );
  } else {
    console.error('usage: audit.ts verify | export --format csv|jsonl');
    process.exitCode = 2;
  }
} finally {
  await database.close();
}
