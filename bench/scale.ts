/**
 * accessdesk as a tenant grows: the same figures at 1k, 100k and 1M, each with its ratio to the
 * 1k figure measured in the same run. Prints figures; it is not a test.
 *
 *   npm run bench:scale [-- --sizes 1000,100000,1000000] [--rounds 3] [--takes 200]
 *                       [--parts seats,requests,members]
 *
 * Three parts, each on a database of its own, dropped before the next:
 * - seats (below): 1k, 100k and 1M seat holders of one SKU;
 * - requests (scale-requests.ts): 1k, 100k and 1M requests pending: the time to fire 1,000 due
 *   deadlines, and App Home's reads;
 * - members (scale-members.ts): 1k, 100k and 1M non-interactive places (M3) and group members
 *   (E4): M3 takes one at a time and at concurrency 20, the membership read.
 *
 * Seats part:
 * - take, one at a time: ms per `assign` with an account (the L1 look-up, the journaled counter
 *   update, the holder insert, the journal pull);
 * - takes/s at concurrency 20;
 * - the approval card's read (one SKU summary) and `/access seats` (every SKU's summary).
 * Holders are built with insertMany in the ledger's own document shape, in batches, so memory
 * stays flat. Each figure is the median of `--rounds` rounds at that size.
 *
 * Uses $MONGODB_URI when set, else starts an embedded mongod; the database is dropped at the end.
 */

import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Connection } from 'mongoose';
import { systemClock } from '../src/clock.ts';
import { startEmbeddedMongo } from '../src/db/embedded.ts';
import { connectMongo, describeEngine } from '../src/db/index.ts';
import { holderFromEntry } from '../src/tenant/seat-journal.ts';
import { rawOf } from '../src/tenant/tenant.model.ts';
import { TenantService } from '../src/tenant/tenant.service.ts';
import { parseTenantConfig } from '../src/tenant/tenant-file.ts';
import { benchMembers } from './scale-members.ts';
import { benchRequests } from './scale-requests.ts';
import { median, timed } from './support.ts';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,100000,1000000' },
    rounds: { type: 'string', default: '3' },
    takes: { type: 'string', default: '200' },
    parts: { type: 'string', default: 'seats,requests,members' },
  },
});
const SIZES = args.sizes.split(',').map(Number);
const ROUNDS = Math.max(1, Number(args.rounds));
const TAKES = Math.max(10, Number(args.takes));
const PARTS = new Set(args.parts.split(','));
const CONCURRENCY = 20;
const CONCURRENT_TAKES = 2000;
const READS = 300;
const BATCH = 10_000;
const SKU = 'BENCH_SKU';

const TENANT = `
domain: contoso.example
skus:
  - { id: ${SKU}, name: Bench SKU, seats: 0 }
${Array.from({ length: 9 }, (_, i) => `  - { id: OTHER_${i}, name: Other ${i}, seats: 50 }`).join('\n')}
people:
  - { email: grace@contoso.example, firstName: Grace, lastName: Hopper, slackId: U0GRACE, adminRoles: [Global admin] }
`;

interface Figures {
  takeMs: number;
  takesPerSecond: number;
  summaryMs: number;
  listMs: number;
}

async function main() {
  const embedded = process.env.MONGODB_URI ? undefined : await startEmbeddedMongo();
  const uri = process.env.MONGODB_URI ?? embedded!.uri;
  try {
    const parts: Array<[string, (connection: Connection) => Promise<unknown>]> = [
      ['seats', seatsPart],
      ['requests', (c) => benchRequests(c, SIZES, ROUNDS)],
      ['members', (c) => benchMembers(c, SIZES, ROUNDS, TAKES)],
    ];
    for (const [name, part] of parts) {
      if (!PARTS.has(name)) continue;
      const connection = await connectMongo(uri, `bench_scale_${name}_${process.pid}`);
      try {
        const engine = await describeEngine(connection);
        console.log(
          `\naccessdesk at scale, ${name} — ${engine.name} ${engine.version}, node ${process.version}; ` +
            `median of ${ROUNDS} round(s) per size, load ${loadavg()[0]!.toFixed(1)}\n`,
        );
        await part(connection);
      } finally {
        await connection.dropDatabase();
        await connection.close();
      }
    }
    console.log(`\npeak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
  } finally {
    await embedded?.stop();
  }
}

async function seatsPart(connection: Connection) {
  {
    const tenant = new TenantService(connection, systemClock);
    await tenant.applyConfig(parseTenantConfig(TENANT, 'bench.yaml'));
    const holders = rawOf(tenant.models.SeatHolder);
    const skus = rawOf(tenant.models.Sku);
    // Warm up (JIT, connection pool, index pages) on another SKU, so 1k is not measured cold.
    await tenant.addSeats('OTHER_0', 500);
    for (let i = 0; i < 300; i++) {
      await tenant.assignSeat('OTHER_0', `warm-${i}`, { accountId: `warm-${i}` });
      await tenant.seatSummary('OTHER_0');
      await tenant.listSeatSummaries();
    }
    let built = 0;
    let serial = 0;
    const results: Array<{ size: number; figures: Figures }> = [];

    for (const size of SIZES) {
      const setupStart = performance.now();
      const since = new Date();
      for (let start = built; start < size; start += BATCH) {
        const end = Math.min(start + BATCH, size);
        const docs = [];
        for (let i = start; i < end; i++) {
          docs.push(
            holderFromEntry(SKU, {
              op: 'bench',
              key: `license:bulk-${i}`,
              state: i % 10 === 0 ? 'held' : 'assigned',
              at: since,
              since,
              accountId: `bulk-${i}`,
              ...(i % 10 === 0 ? { expiresAt: new Date(since.getTime() + 14 * 86_400_000) } : {}),
            }),
          );
        }
        await holders.insertMany(docs, { ordered: false });
      }
      const added = Math.max(0, size - built);
      const held = Math.ceil(size / 10) - Math.ceil(built / 10);
      // Room for this size's rounds of takes, so no take is refused for want of a free seat (L3).
      const room = ROUNDS * (TAKES + CONCURRENT_TAKES);
      await skus.updateOne(
        { _id: SKU },
        { $inc: { seats: added + room, free: room, held, assigned: added - held } },
      );
      built = Math.max(built, size);
      const setupSeconds = (performance.now() - setupStart) / 1000;

      const rounds: Figures[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const one: number[] = [];
        for (let i = 0; i < TAKES; i++) {
          const n = serial++;
          one.push(
            await timed(() =>
              tenant.assignSeat(SKU, `license:bench-${n}`, { accountId: `bench-${n}` }),
            ),
          );
        }
        let next = 0;
        const concurrentMs = await timed(() =>
          Promise.all(
            Array.from({ length: CONCURRENCY }, async () => {
              while (next < CONCURRENT_TAKES) {
                next++;
                const n = serial++;
                await tenant.assignSeat(SKU, `license:bench-${n}`, { accountId: `bench-${n}` });
              }
            }),
          ),
        );
        const summary: number[] = [];
        const list: number[] = [];
        for (let i = 0; i < READS; i++) {
          summary.push(await timed(() => tenant.seatSummary(SKU)));
          list.push(await timed(() => tenant.listSeatSummaries()));
        }
        rounds.push({
          takeMs: median(one),
          takesPerSecond: CONCURRENT_TAKES / (concurrentMs / 1000),
          summaryMs: median(summary),
          listMs: median(list),
        });
      }
      const figures: Figures = {
        takeMs: median(rounds.map((f) => f.takeMs)),
        takesPerSecond: median(rounds.map((f) => f.takesPerSecond)),
        summaryMs: median(rounds.map((f) => f.summaryMs)),
        listMs: median(rounds.map((f) => f.listMs)),
      };
      results.push({ size, figures });
      const base = results[0]!.figures;
      const ratio = (x: number, b: number) => `${(x / b).toFixed(2)}×`;
      const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
      console.log(
        `${size.toLocaleString('en')} holders (setup ${setupSeconds.toFixed(1)} s, RSS ${rss} MB, ` +
          `load ${loadavg()[0]!.toFixed(1)})\n` +
          `  take, one at a time      ${figures.takeMs.toFixed(2)} ms   ${ratio(figures.takeMs, base.takeMs)}\n` +
          `  takes/s, concurrency ${CONCURRENCY}  ${figures.takesPerSecond.toFixed(0)}   ${ratio(base.takesPerSecond, figures.takesPerSecond)} (1k / this)\n` +
          `  one SKU summary          ${figures.summaryMs.toFixed(3)} ms  ${ratio(figures.summaryMs, base.summaryMs)}\n` +
          `  every SKU's summary      ${figures.listMs.toFixed(3)} ms  ${ratio(figures.listMs, base.listMs)}`,
      );
    }
    const verifyStart = performance.now();
    const drift = await tenant.verifySeats();
    const verifySeconds = (performance.now() - verifyStart) / 1000;
    console.log(
      `\nseats:verify after the run (${verifySeconds.toFixed(1)} s): ` +
        (drift.length === 0 ? 'drift 0' : JSON.stringify(drift)),
    );
  }
}

await main();
