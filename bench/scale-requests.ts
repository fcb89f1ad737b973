/**
 * bench:scale, requests part: with 1k, 100k and 1M requests pending, the time to fire the same
 * 1,000 due deadlines (one scheduler sweep, and the effects it queues) and App Home's reads for a
 * Global admin (their requests, their reports', the queue: 20 cards each). The pending requests
 * are copies of one request submitted through the real path, inserted with the driver's
 * insertMany; their deadlines are a month away. Each round inserts 1,000 more copies whose
 * reminder is due, sweeps, then closes them (so the pending count stays the size measured).
 */
import { performance } from 'node:perf_hooks';
import type { Connection } from 'mongoose';
import { requestView } from '../flows/views.ts';
import { ManualClock } from '../src/clock.ts';
import { nextDeadline } from '../src/lifecycle/deadlines.ts';
import { createLifecycleSystem } from '../src/lifecycle/index.ts';
import { silentNotifier } from '../src/lifecycle/ports.ts';
import type { RequestDoc } from '../src/lifecycle/request.model.ts';
import { submitOnboarding } from '../src/lifecycle/submit.ts';
import { RequestVisibility } from '../src/lifecycle/visibility.ts';
import { createLogger } from '../src/log.ts';
import { TenantService } from '../src/tenant/tenant.service.ts';
import { parseTenantConfig } from '../src/tenant/tenant-file.ts';
import { lookup } from '../src/tenant-lookup.ts';
import { GLOBAL_ADMINS, salesTenantYaml } from '../test/support/sales-tenant.ts';
import { BENCH_DEADLINES, benchHire, median } from './support.ts';

const DUE = 1000;
const BATCH = 5000;
const HOME_READS = 30;
const DAY = 86_400_000;
const GRACE = 'grace@contoso.example';
const ADA = 'ada@contoso.example';

/** Figures of one size: ms to fire 1,000 due deadlines, ms for one App Home. */
export interface RequestFigures {
  sweepMs: number;
  homeMs: number;
}

/** Runs the requests part on `connection` (an empty database) and prints its rows. */
export async function benchRequests(
  connection: Connection,
  sizes: number[],
  rounds: number,
): Promise<Array<{ size: number; figures: RequestFigures }>> {
  const clock = new ManualClock(new Date());
  const tenant = new TenantService(connection, clock);
  const people = [
    ...GLOBAL_ADMINS(),
    `{ email: ${ADA}, firstName: Ada, lastName: Lovelace, slackId: U0ADA, managerEmail: ${GRACE} }`,
  ];
  await tenant.applyConfig(parseTenantConfig(salesTenantYaml(10_000, people), 'bench'));
  const errors: unknown[] = [];
  const system = createLifecycleSystem({
    connection,
    clock,
    tenant,
    notifier: silentNotifier,
    // A line per fired deadline would bury the figures (bench/lifecycle mutes it the same way).
    logger: createLogger({ sink: () => undefined }),
    deadlines: BENCH_DEADLINES,
    publicUrl: 'http://localhost:3000',
    onError: (error) => errors.push(error),
  });
  await Promise.all(Object.values(connection.models).map((m) => m.init()));
  const first = await submitOnboarding(system.lifecycle, ADA, benchHire('template'));
  await system.background.idle();
  const template = (await system.store.requests.findOne({ _id: first._id }).lean<RequestDoc>())!;
  const raw = system.store.requests.collection;
  const tenantLookup = lookup(tenant, clock);
  const visibility = new RequestVisibility(system.queries, {
    isGlobalAdmin: (email) => tenantLookup.isGlobalAdmin(email),
    reportsOf: async (email) => (await tenantLookup.reportsOf(email)).map((p) => p._id),
    manages: (manager, person) => tenant.manages(manager, person),
  });

  /** A copy of the template: its reminder due now, or every deadline a month away. */
  const copy = (id: string, n: number, due: boolean): RequestDoc => {
    const now = clock.now().getTime();
    const deadlines = template.deadlines.map((d) => {
      const at = new Date(d.at).getTime() + (due ? 0 : 30 * DAY);
      return { ...d, fired: false, at: new Date(due && d.kind === 'reminder' ? now - 1000 : at) };
    });
    const subjectEmail = `pending${n}@example.org`;
    return {
      ...template,
      _id: id,
      subjectEmail,
      details: { ...template.details, email: subjectEmail },
      context: { ...template.context, requestId: id, subjectEmail },
      deadlines,
      nextDeadlineAt: nextDeadline(deadlines),
      createdAt: new Date(now - n),
      updatedAt: new Date(now),
    };
  };

  const round = async (tag: string) => {
    const ids = Array.from({ length: DUE }, (_, k) => `DUE-${tag}-${k}`);
    await raw.insertMany(ids.map((id, k) => copy(id, k, true)) as never[], { ordered: false });
    const started = performance.now();
    const { fired } = await system.scheduler.sweep();
    await system.background.idle();
    const sweepMs = performance.now() - started;
    if (fired !== DUE) throw new Error(`swept ${fired} deadlines, expected ${DUE}`);
    // Closed: they leave the pending set, which stays the size being measured.
    await raw.updateMany({ _id: { $in: ids } } as never, {
      $set: { done: true, nextDeadlineAt: null, status: 'denied' },
    });
    return sweepMs;
  };
  const home = async () => {
    const h = await visibility.home(GRACE);
    await Promise.all(
      [...h.mine, ...h.reports, ...h.queue].map((d) => requestView(tenantLookup, d)),
    );
    return h.queue.length;
  };

  await round('warm'); // JIT, pool, index pages
  for (let i = 0; i < 20; i++) await home();
  let pending = 1; // the template
  const results: Array<{ size: number; figures: RequestFigures }> = [];
  for (const size of sizes) {
    const setupStart = performance.now();
    while (pending < size) {
      const batch: RequestDoc[] = [];
      for (let k = 0; k < BATCH && pending < size; k++, pending++) {
        batch.push(copy(`BG-${pending}`, pending, false));
      }
      await raw.insertMany(batch as never[], { ordered: false });
    }
    const setupSeconds = (performance.now() - setupStart) / 1000;
    const sweeps: number[] = [];
    const homes: number[] = [];
    for (let r = 0; r < rounds; r++) {
      sweeps.push(await round(`${size}-${r}`));
      const times: number[] = [];
      for (let i = 0; i < HOME_READS; i++) {
        const started = performance.now();
        if ((await home()) !== 20) throw new Error('App Home: the queue should hold 20 cards');
        times.push(performance.now() - started);
      }
      homes.push(median(times));
    }
    const figures = { sweepMs: median(sweeps), homeMs: median(homes) };
    results.push({ size, figures });
    const base = results[0]!.figures;
    const counted = await raw.countDocuments({ done: false });
    console.log(
      `${counted.toLocaleString('en')} requests pending, +${DUE.toLocaleString('en')} due in each sweep (setup ${setupSeconds.toFixed(1)} s)\n` +
        `  fire ${DUE.toLocaleString('en')} due deadlines  ${(figures.sweepMs / 1000).toFixed(2)} s   ${(figures.sweepMs / base.sweepMs).toFixed(2)}×\n` +
        `  App Home (Global admin)    ${figures.homeMs.toFixed(2)} ms  ${(figures.homeMs / base.homeMs).toFixed(2)}×`,
    );
  }
  if (errors.length) throw new Error(`requests part: ${errors.length} errors, first ${errors[0]}`);
  return results;
}
