/**
 * `npm run import -- people.csv --as <requester email> [--dry-run]`: checks a CSV of new hires
 * as `/access import` does and queues it as one bulk onboarding request for the Global admins;
 * the running accessdesk posts its card and carries it out (this command runs no effect).
 * With `--dry-run` it only lists every problem (or the batch it would be); nothing is queued.
 *
 * `npm run import -- --stub-users users.csv --environment <id>`: the data import of M5: stub
 * users (column `name`) with their environment kind's default role, recorded as the import P3
 * waits for. Uses MONGODB_URI, or the embedded database under ACCESSDESK_DATA_DIR.
 */
import { createReadStream } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { importText } from '../flows/blocks/batch.ts';
import { importPeople } from '../flows/import/run.ts';
import { readStubNames } from '../flows/import/stubs.ts';
import { systemClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/index.ts';
import { describeError } from '../src/errors.ts';
import { AuditTrail } from '../src/lifecycle/audit.ts';
import { BulkImports } from '../src/lifecycle/bulk.service.ts';
import { Lifecycle } from '../src/lifecycle/lifecycle.service.ts';
import { requestMachines } from '../src/lifecycle/machines.ts';
import { MongoRequestStore } from '../src/lifecycle/mongo-request-store.ts';
import { TenantDirectory, TenantPeople } from '../src/lifecycle/tenant-directory.ts';
import { TenantService } from '../src/tenant/tenant.service.ts';
import { lookup } from '../src/tenant-lookup.ts';

const USAGE = [
  'usage: npm run import -- <people.csv> --as <requester email> [--dry-run]',
  '       npm run import -- --stub-users <users.csv> --environment <environment id>',
].join('\n');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'dry-run': { type: 'boolean', default: false },
    as: { type: 'string' },
    'stub-users': { type: 'string' },
    environment: { type: 'string' },
  },
});

async function main(): Promise<number> {
  const stubFile = values['stub-users'];
  const peopleFile = positionals[0];
  if ((stubFile && !values.environment) || (!stubFile && !peopleFile)) {
    console.error(USAGE);
    return 2;
  }
  if (!stubFile && !values['dry-run'] && !values.as) {
    console.error(`--as names who asks (a person of the tenant file).\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  const database = await openDatabase({ uri: config.mongodbUri, dataDir: resolve(config.dataDir) });
  try {
    const tenant = new TenantService(database.connection, systemClock);
    if (stubFile) {
      const names = await readStubNames(createReadStream(stubFile));
      if ('problems' in names) {
        for (const p of names.problems) console.error(`line ${p.line}, ${p.column}: ${p.problem}`);
        return 1;
      }
      const environment = values.environment!;
      const { stubs, matched } = await tenant.importStubUsers(environment, names.names);
      const role = stubs[0]?.roles[0];
      console.log(
        `${environment}: ${stubs.length} stub users${role ? ` with the role ${role}` : ''} (M5), ` +
          `${matched.length} names matched existing users. The data import is recorded: people may be invited there now (P3).`,
      );
      return 0;
    }
    const requesterEmail = values.as ?? 'dry-run@accessdesk.local';
    if (values.as && !(await tenant.personByEmail(requesterEmail.toLowerCase()))) {
      console.error(`${requesterEmail} is not in the tenant file.`);
      return 1;
    }
    const store = new MongoRequestStore(database.connection, systemClock);
    // Queues only: the running accessdesk takes the card and every effect from the outbox
    // (leased to nobody, so its next sweep picks them up).
    const lifecycle = new Lifecycle({
      store,
      machines: requestMachines,
      audit: new AuditTrail(database.connection, systemClock),
      clock: systemClock,
      people: new TenantPeople(tenant),
      deadlines: config.deadlines,
      effects: { run: () => {} },
      effectLeaseMs: 0,
    });
    const outcome = await importPeople(
      {
        tenant: lookup(tenant, systemClock),
        imports: new BulkImports(database.connection, systemClock, new TenantDirectory(tenant)),
        lifecycle,
      },
      createReadStream(peopleFile!),
      { requesterEmail, fileName: basename(peopleFile!), dryRun: values['dry-run'] },
    );
    console.log(importText(outcome, Number.POSITIVE_INFINITY));
    return outcome.kind === 'invalid' ? 1 : 0;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(describeError(error));
    process.exitCode = 1;
  },
);
