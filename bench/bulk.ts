/**
 * Bulk onboarding on a real mongod. Prints figures; it is not a test.
 *
 *   npm run bench:bulk [-- --rows 100000 --people 2000]
 *
 * 1. Rows validated and queued per second: a generated `--rows`-row CSV read as a stream,
 *    every row checked as the onboarding modal checks it, staged, and submitted as one batch
 *    (`importPeople`, the path of `/access import` and `npm run import`). Beside it, the raw
 *    driver inserting the same row documents with insertMany (1,000 at a time) into a
 *    collection with the same indexes. Peak RSS is sampled while the file is imported.
 * 2. Accounts per second from an approved batch to invited, through the built-in directory
 *    (the tenant model), for a `--people`-person batch: approval → every person admitted,
 *    given a seat, provisioned and invited. Beside it, the raw driver inserting every document
 *    that run created (requests, accounts, seat holders, environment users, audit…) with
 *    insertMany into fresh collections with the same indexes.
 *
 * Uses $MONGODB_URI when set, else starts an embedded mongod. Databases are dropped at the end.
 */

import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mongoose, { type Connection } from 'mongoose';
import { importPeople } from '../flows/import/run.ts';
import { systemClock } from '../src/clock.ts';
import { startEmbeddedMongo } from '../src/db/embedded.ts';
import { describeEngine } from '../src/db/index.ts';
import { SETTLED_RANK } from '../src/lifecycle/bulk.model.ts';
import { silentBatchNotifier } from '../src/lifecycle/bulk.service.ts';
import { createLifecycleSystem } from '../src/lifecycle/index.ts';
import { silentNotifier } from '../src/lifecycle/ports.ts';
import { TenantService } from '../src/tenant/tenant.service.ts';
import { parseTenantConfig } from '../src/tenant/tenant-file.ts';
import { lookup } from '../src/tenant-lookup.ts';
import { GLOBAL_ADMINS, salesTenantYaml } from '../test/support/sales-tenant.ts';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    people: { type: 'string', default: '2000' },
  },
});
const ROWS = Math.min(Math.max(Number(args.rows), 100), 1_000_000);
const PEOPLE = Math.min(Math.max(Number(args.people), 10), 100_000);
const ADA = 'ada@contoso.example';
const DEADLINES = {
  invitationTtl: 14 * 86_400_000,
  reminderAfter: 24 * 3_600_000,
  escalateAfter: 72 * 3_600_000,
  requestTtl: 7 * 86_400_000,
};
const HEADER =
  'email,first_name,last_name,job_title,department,manager_email,usage_location,sku,environment,business_unit,security_roles,access_mode';
const DEPARTMENTS = ['Sales', 'Marketing', 'Support', 'Finance'];

/** Writes an `n`-row import file (streamed) and returns its path. */
async function writeCsv(dir: string, n: number): Promise<string> {
  const path = join(dir, `people-${n}.csv`);
  const out = createWriteStream(path);
  out.write(`${HEADER}\n`);
  for (let i = 0; i < n; i++) {
    const line = `hire${i}@example.org,Hire,Number${i},Analyst,${DEPARTMENTS[i % 4]},ada@contoso.example,GB,D365_SALES,sales-prod,sales,Salesperson,read_write\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return path;
}

async function openDb(uri: string, dbName: string): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    dbName,
    autoIndex: true,
    maxPoolSize: 50,
    monitorCommands: !!process.env.BENCH_BREAKDOWN,
  });
  await connection.asPromise();
  connection.getClient().on('commandStarted', (event) => {
    const target = (event.command[event.commandName] as unknown) ?? '';
    const key = `${event.commandName} ${typeof target === 'string' ? target : ''}`;
    roundTrips.set(key, (roundTrips.get(key) ?? 0) + 1);
  });
  await connection.dropDatabase();
  return connection;
}

/** When the results file of the bench's batch was handed over (performance.now()). */
let resultsAt = 0;

async function desk(connection: Connection, seats: number) {
  const tenant = new TenantService(connection, systemClock);
  await tenant.applyConfig(
    parseTenantConfig(
      salesTenantYaml(seats, [
        ...GLOBAL_ADMINS(),
        '{ email: ada@contoso.example, firstName: Ada, lastName: Lovelace, slackId: U0ADA }',
      ]),
      'bench tenant',
    ),
  );
  const system = createLifecycleSystem({
    connection,
    clock: systemClock,
    tenant,
    notifier: silentNotifier,
    batchNotifier: {
      ...silentBatchNotifier,
      batchResults: async () => {
        resultsAt = performance.now();
      },
    },
    deadlines: DEADLINES,
    publicUrl: 'http://localhost:3000',
    onError: (error, context) => console.error(`[bench] ${context}:`, String(error)),
  });
  await Promise.all(Object.values(connection.models).map((m) => m.createIndexes()));
  const deps = {
    tenant: lookup(tenant, systemClock),
    imports: system.bulk,
    lifecycle: system.lifecycle,
  };
  return { tenant, system, deps };
}

/** Copies `name`'s documents into a fresh collection with the same indexes, timing insertMany only. */
async function rawInsert(connection: Connection, names: string[]): Promise<number> {
  const db = connection.db!;
  let ms = 0;
  for (const name of names) {
    const docs = await db.collection(name).find().toArray();
    if (!docs.length) continue;
    const target = db.collection(`raw_${name}`);
    const indexes = (await db.collection(name).indexes()).filter((i) => i.name !== '_id_');
    for (const { key, name: _n, v: _v, ns: _ns, ...options } of indexes) {
      await target.createIndex(key, options as never);
    }
    const started = performance.now();
    for (let i = 0; i < docs.length; i += 1000) {
      await target.insertMany(docs.slice(i, i + 1000), { ordered: false });
    }
    ms += performance.now() - started;
  }
  return ms;
}

async function partImport(uri: string, dir: string) {
  const connection = await openDb(uri, `bench_bulk_import_${process.pid}`);
  const { system, deps } = await desk(connection, 10);
  const file = await writeCsv(dir, ROWS);
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  const outcome = await importPeople(deps, createReadStream(file), {
    requesterEmail: ADA,
    fileName: 'people.csv',
  });
  const ms = performance.now() - started;
  clearInterval(sampler);
  if (outcome.kind !== 'queued') throw new Error(`the bench file was ${outcome.kind}`);
  const raw = await rawInsert(connection, ['bulk_rows']);
  await system.background.idle();
  await connection.dropDatabase();
  await connection.close();
  return { ms, raw, peak };
}

/** Commands sent to mongod, by command and collection (with BENCH_BREAKDOWN). */
const roundTrips = new Map<string, number>();

/** Wall time spent in each wrapped method (calls overlap, so the sums can pass the elapsed time). */
const spent = new Map<string, { ms: number; calls: number }>();
function timeMethods(label: string, target: object, names: string[]) {
  const obj = target as Record<string, (...a: unknown[]) => Promise<unknown>>;
  for (const name of names) {
    const inner = obj[name]!.bind(target);
    obj[name] = async (...a: unknown[]) => {
      const started = performance.now();
      try {
        return await inner(...a);
      } finally {
        const s = spent.get(`${label}.${name}`) ?? { ms: 0, calls: 0 };
        s.ms += performance.now() - started;
        s.calls++;
        spent.set(`${label}.${name}`, s);
      }
    };
  }
}

async function partProvision(uri: string, dir: string) {
  const connection = await openDb(uri, `bench_bulk_provision_${process.pid}`);
  const { system, deps } = await desk(connection, PEOPLE + 10);
  timeMethods('seat queue', system.seats, ['promote']);
  timeMethods('directory', system.directory, [
    'createAccount',
    'holdSeat',
    'bindSeat',
    'issueTemporaryPassword',
    'addToSecurityGroup',
    'assignBusinessUnit',
    'assignSecurityRoles',
    'setAccessMode',
  ]);
  timeMethods('lifecycle', system.lifecycle, ['submit', 'send']);
  timeMethods('audit', system.audit, ['append']);
  const outcome = await importPeople(deps, createReadStream(await writeCsv(dir, PEOPLE)), {
    requesterEmail: ADA,
    fileName: 'people.csv',
  });
  if (outcome.kind !== 'queued') throw new Error(`the bench file was ${outcome.kind}`);
  await system.background.idle();
  const before = new Set(
    await connection
      .db!.listCollections()
      .toArray()
      .then((c) => c.map((x) => x.name)),
  );
  const batchId = (outcome.request.details as { batchId: string }).batchId;
  roundTrips.clear();
  const started = performance.now();
  await system.lifecycle.act(outcome.request._id, 'grace@contoso.example', {
    type: 'approver.approved',
  });
  for (;;) {
    const settled = await system.bulk.rows.countDocuments({
      batchId,
      rank: { $gte: SETTLED_RANK },
    });
    if (settled >= PEOPLE) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const ms = performance.now() - started;
  const trips = [...roundTrips].sort((x, y) => y[1] - x[1]);
  const settledAt = performance.now();
  await system.background.idle();
  // The results file (user names, a fresh one-time link each) is built once every row settled.
  const resultsMs = resultsAt - settledAt;
  if (process.env.BENCH_BREAKDOWN) {
    const total = trips.reduce((sum, [, n]) => sum + n, 0);
    console.log(`  round trips to mongod per person: ${(total / PEOPLE).toFixed(1)}`);
    for (const [name, n] of trips.slice(0, 20)) {
      console.log(`    ${name.padEnd(40)} ${(n / PEOPLE).toFixed(2)} per person`);
    }
    for (const [name, s] of [...spent].sort((x, y) => y[1].ms - x[1].ms)) {
      console.log(
        `  ${name.padEnd(36)} ${(s.ms / 1000).toFixed(2).padStart(8)} s in ${s.calls} calls (${(s.ms / s.calls).toFixed(1)} ms each)`,
      );
    }
  }
  const invited = await system.bulk.rows.countDocuments({ batchId, state: 'invited' });
  const names = (await connection.db!.listCollections().toArray())
    .map((c) => c.name)
    .filter((n) => !n.startsWith('raw_'));
  void before;
  const raw = await rawInsert(connection, names);
  await connection.dropDatabase();
  await connection.close();
  return { ms, raw, invited, resultsMs };
}

async function main() {
  const embedded = process.env.MONGODB_URI ? undefined : await startEmbeddedMongo();
  const uri = process.env.MONGODB_URI ?? embedded!.uri;
  const dir = mkdtempSync(join(tmpdir(), 'accessdesk-bench-bulk-'));
  try {
    const probe = await openDb(uri, `bench_probe_${process.pid}`);
    const engine = await describeEngine(probe);
    await probe.dropDatabase();
    await probe.close();
    console.log(
      `accessdesk bulk bench — ${engine.name} ${engine.version}, node ${process.version}\n`,
    );
    const a = await partImport(uri, dir);
    const rowsPerS = ROWS / (a.ms / 1000);
    const rawPerS = ROWS / (a.raw / 1000);
    console.log(
      `${ROWS} rows validated and queued: ${(a.ms / 1000).toFixed(2)} s, ${Math.round(rowsPerS)} rows/s (goal ≥ 2,000)`,
    );
    console.log(
      `  raw driver, same row documents with insertMany: ${Math.round(rawPerS)} rows/s — ratio ${(rowsPerS / rawPerS).toFixed(2)}`,
    );
    console.log(
      `  peak RSS while importing the file: ${(a.peak / 1024 / 1024).toFixed(0)} MB (goal < 400 MB)`,
    );
    const b = await partProvision(uri, dir);
    const accountsPerS = b.invited / (b.ms / 1000);
    const rawAccounts = b.invited / (b.raw / 1000);
    console.log(
      `\n${PEOPLE} people approved → invited (built-in directory): ${(b.ms / 1000).toFixed(2)} s, ${b.invited} invited, ${Math.round(accountsPerS)} accounts/s (goal ≥ 500)`,
    );
    console.log(
      `  raw driver, every document that run created with insertMany: ${Math.round(rawAccounts)} accounts/s — ratio ${(accountsPerS / rawAccounts).toFixed(2)}`,
    );
    console.log(
      `  then the results file (${PEOPLE} lines, a fresh link each): handed over ${(b.resultsMs / 1000).toFixed(2)} s after the last row settled (seen within 50 ms)`,
    );
    console.log(
      `\npeak RSS of the whole run: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await embedded?.stop();
  }
}

await main();
