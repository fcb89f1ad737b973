/**
 * bench:scale, members part: with 1k, 100k and 1M non-interactive places taken in one
 * environment (M3) and as many direct members of its security group (E4), the ms per M3 take
 * (one at a time), M3 takes/s at concurrency 20, and the E1/E4 membership read. Places and
 * members are inserted with insertMany in their own document shape.
 */
import { performance } from 'node:perf_hooks';
import type { Connection } from 'mongoose';
import { systemClock } from '../src/clock.ts';
import { membership } from '../src/tenant/group-members.ts';
import { NonInteractivePlaces } from '../src/tenant/non-interactive.service.ts';
import { groupMemberId, nonInteractivePlaceId, rawOf } from '../src/tenant/tenant.model.ts';
import { TenantService } from '../src/tenant/tenant.service.ts';
import { parseTenantConfig } from '../src/tenant/tenant-file.ts';
import { GLOBAL_ADMINS, salesTenantYaml } from '../test/support/sales-tenant.ts';
import { median, timed } from './support.ts';

const ENV = { _id: 'sales-prod', name: 'Sales (production)' };
const GROUP = 'sg-sales-prod';
const BATCH = 10_000;
const CONCURRENCY = 20;
const CONCURRENT_TAKES = 1000;
const READS = 300;
const ROOM = 10_000_000;

/** Figures of one size. */
export interface MemberFigures {
  takeMs: number;
  takesPerSecond: number;
  membershipMs: number;
}

/** Runs the members part on `connection` (an empty database) and prints its rows. */
export async function benchMembers(
  connection: Connection,
  sizes: number[],
  rounds: number,
  takes: number,
): Promise<Array<{ size: number; figures: MemberFigures }>> {
  const tenant = new TenantService(connection, systemClock);
  await tenant.applyConfig(parseTenantConfig(salesTenantYaml(10, GLOBAL_ADMINS()), 'bench'));
  const places = new NonInteractivePlaces(tenant.models, systemClock);
  const envs = rawOf(tenant.models.Environment);
  // A limit no size reaches: every take below is counted, none refused.
  await envs.updateOne(
    { _id: ENV._id },
    { $set: { nonInteractiveLimit: ROOM, nonInteractiveFree: ROOM } },
  );
  for (let i = 0; i < 300; i++) {
    await places.take(ENV, `warm-${i}`);
    await membership(tenant.models, GROUP, `warm-${i}`);
  }
  let built = 0;
  let serial = 0;
  const results: Array<{ size: number; figures: MemberFigures }> = [];
  for (const size of sizes) {
    const setupStart = performance.now();
    const since = new Date();
    for (let start = built; start < size; start += BATCH) {
      const ids = Array.from({ length: Math.min(BATCH, size - start) }, (_, k) => `m-${start + k}`);
      await rawOf(tenant.models.NonInteractivePlace).insertMany(
        ids.map((accountId) => ({
          _id: nonInteractivePlaceId(ENV._id, accountId),
          envId: ENV._id,
          accountId,
          state: 'taken' as const,
          op: 'bench',
          since,
        })),
        { ordered: false },
      );
      await rawOf(tenant.models.GroupMember).insertMany(
        ids.map((accountId) => ({
          _id: groupMemberId(GROUP, accountId),
          groupId: GROUP,
          accountId,
          since,
        })),
        { ordered: false },
      );
      await envs.updateOne({ _id: ENV._id }, { $inc: { nonInteractiveFree: -ids.length } });
    }
    built = Math.max(built, size);
    const setupSeconds = (performance.now() - setupStart) / 1000;
    const perRound: MemberFigures[] = [];
    for (let r = 0; r < rounds; r++) {
      const one: number[] = [];
      for (let i = 0; i < takes; i++) {
        const n = serial++;
        one.push(await timed(() => places.take(ENV, `bench-${n}`)));
      }
      let next = 0;
      const concurrentMs = await timed(() =>
        Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (next < CONCURRENT_TAKES) {
              next++;
              await places.take(ENV, `bench-${serial++}`);
            }
          }),
        ),
      );
      const reads: number[] = [];
      for (let i = 0; i < READS; i++) {
        const who = `m-${Math.floor(Math.random() * size)}`;
        reads.push(await timed(() => membership(tenant.models, GROUP, who)));
      }
      perRound.push({
        takeMs: median(one),
        takesPerSecond: CONCURRENT_TAKES / (concurrentMs / 1000),
        membershipMs: median(reads),
      });
    }
    const figures: MemberFigures = {
      takeMs: median(perRound.map((f) => f.takeMs)),
      takesPerSecond: median(perRound.map((f) => f.takesPerSecond)),
      membershipMs: median(perRound.map((f) => f.membershipMs)),
    };
    results.push({ size, figures });
    const base = results[0]!.figures;
    const ratio = (x: number, b: number) => `${(x / b).toFixed(2)}×`;
    console.log(
      `${size.toLocaleString('en')} non-interactive places and group members (setup ${setupSeconds.toFixed(1)} s)\n` +
        `  M3 take, one at a time      ${figures.takeMs.toFixed(2)} ms   ${ratio(figures.takeMs, base.takeMs)}\n` +
        `  M3 takes/s, concurrency ${CONCURRENCY}  ${figures.takesPerSecond.toFixed(0)}   ${ratio(base.takesPerSecond, figures.takesPerSecond)} (1k / this)\n` +
        `  E1/E4 membership read       ${figures.membershipMs.toFixed(3)} ms  ${ratio(figures.membershipMs, base.membershipMs)}`,
    );
  }
  const drift = await places.verify();
  console.log(
    `M3 recount after the run: ${drift.length === 0 ? 'drift 0' : JSON.stringify(drift)}`,
  );
  return results;
}
