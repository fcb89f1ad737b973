import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { importPeople } from '../../flows/import/run.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLifecycleSystem } from '../../src/lifecycle/index.ts';
import type { RequestDoc } from '../../src/lifecycle/request.model.ts';
import { createLogger } from '../../src/log.ts';
import { TenantService } from '../../src/tenant/tenant.service.ts';
import { parseTenantConfig } from '../../src/tenant/tenant-file.ts';
import { lookup } from '../../src/tenant-lookup.ts';
import { useTestDatabase } from '../support/db.ts';
import { DEADLINES, RecordingNotifier, resetDatabase, tenantYaml } from './support.ts';

const db = useTestDatabase('lifecycle/bulk-chunk');

const HEADER =
  'email,first_name,last_name,job_title,department,manager_email,usage_location,sku,environment,business_unit,security_roles,access_mode';
const csv = (people: number) =>
  Readable.from([
    `${HEADER}\n${Array.from(
      { length: people },
      (_, n) =>
        `hire${n}@example.org,Hire,Number${n},Analyst,Sales,ada@contoso.example,GB,D365_SALES,sales-prod,sales,Salesperson,read_write`,
    ).join('\n')}\n`,
  ]);

/** Every write of a chunk, the seat ledger's bulk take included, in the order they happen. */
const CHUNK_WRITES = [
  'bulk:counter',
  'bulk:holders',
  'bulk:settle',
  'chunk:directory',
  'chunk:requests',
  'chunk:audit',
  'chunk:rows',
];

/** A desk whose process "dies" (the write's caller throws) right after the write `crashAt`. */
async function desk(seats: number, crashAt?: string) {
  await resetDatabase(db.connection);
  const clock = new ManualClock();
  let armed = crashAt;
  const writes: string[] = [];
  const afterWrite = (step: string) => {
    writes.push(step);
    if (step !== armed) return;
    armed = undefined;
    throw new Error(`the process died after ${step}`);
  };
  const tenant = new TenantService(db.connection, clock, { seats: { afterWrite } });
  await tenant.applyConfig(parseTenantConfig(tenantYaml(seats), 'test tenant'));
  const errors: unknown[] = [];
  const build = () =>
    createLifecycleSystem({
      connection: db.connection,
      clock,
      tenant,
      notifier: new RecordingNotifier(clock),
      deadlines: DEADLINES,
      publicUrl: 'http://localhost:3000',
      leaseMs: 60_000,
      onError: (error) => errors.push(error),
      logger: createLogger({ sink: () => undefined }),
      bulkAfterWrite: afterWrite,
    });
  return { clock, tenant, errors, build, writes, crashed: () => !armed && !!crashAt };
}

async function approvedBatch(d: Awaited<ReturnType<typeof desk>>, people: number) {
  const system = d.build();
  const deps = {
    tenant: lookup(d.tenant, d.clock),
    imports: system.bulk,
    lifecycle: system.lifecycle,
  };
  const outcome = await importPeople(deps, csv(people), {
    requesterEmail: 'ada@contoso.example',
    fileName: 'people.csv',
  });
  if (outcome.kind !== 'queued') throw new Error(outcome.kind);
  await system.lifecycle.act(outcome.request._id, 'grace@contoso.example', {
    type: 'approver.approved',
  });
  await system.background.idle();
  return { system, batch: outcome.request };
}

const membersOf = (system: ReturnType<Awaited<ReturnType<typeof desk>>['build']>) =>
  system.store.requests.find({ kind: 'bulk_member' }).lean<RequestDoc[]>();

describe('bulk onboarding in chunks', () => {
  it('P1/P2: a chunk provisions and invites everyone with a free seat in a few writes; the rest wait (L3)', async () => {
    const d = await desk(5);
    const { system, batch } = await approvedBatch(d, 7);
    const people = await membersOf(system);
    expect(people).toHaveLength(7);
    const invited = people.filter((p) => p.status === 'invited');
    expect(invited).toHaveLength(5);
    // In file order: the first five lines hold the seats.
    expect(invited.map((p) => (p.details as { line: number }).line).sort()).toEqual([
      2, 3, 4, 5, 6,
    ]);
    for (const p of invited) {
      expect(p.history.map((h) => h.to).at(-1)).toBe('invited');
      expect(p.outbox).toEqual([]);
      const account = await d.tenant.accountByEmail(p.subjectEmail);
      expect(account?.idempotencyKey).toBe(p._id);
      expect((await d.tenant.seatsOf(account!._id)).map((s) => s.state)).toEqual(['held']);
      const user = await d.tenant.models.EnvironmentUser.findOne({
        accountId: account!._id,
      }).lean();
      expect(user?.roles).toEqual(['Salesperson']);
      // Its audit lines are its history's, once each.
      const actions = (await system.audit.entries.find({ requestId: p._id }).lean()).map(
        (e) => e.action,
      );
      expect(actions).toEqual(p.history.map((h) => h.event));
    }
    const rows = await system.bulk.rows
      .find({ batchId: (batch.details as { batchId: string }).batchId })
      .toArray();
    expect(rows.filter((r) => r.state === 'invited')).toHaveLength(5);
    expect(rows.filter((r) => r.state === 'waiting')).toHaveLength(2);
    expect(await d.tenant.verifySeats()).toEqual([]);
    expect(d.writes).toEqual(CHUNK_WRITES);
  });

  for (const crashAt of CHUNK_WRITES) {
    it(`L1/L3: a crash right after ${crashAt}, a restart and recovery leave each person one request, one account and one seat`, async () => {
      const d = await desk(5, crashAt);
      const first = await approvedBatch(d, 6);
      expect(d.crashed()).toBe(true);
      expect((await first.system.store.get(first.batch._id)).status).toBe('approved.admitting');

      // Another process starts: it recovers the seat ledger, then takes the step over.
      const system = d.build();
      await d.tenant.recoverSeats(0);
      d.clock.advance(61_000);
      await system.runner.recoverAll();
      await system.background.idle();

      const people = await membersOf(system);
      expect(people).toHaveLength(6);
      expect(new Set(people.map((p) => p.subjectEmail)).size).toBe(6);
      const invited = people.filter((p) => p.status === 'invited');
      expect(invited).toHaveLength(5);
      expect(people.filter((p) => p.status === 'approved.waitingForSeat')).toHaveLength(1);
      expect(await d.tenant.models.Account.countDocuments({ personEmail: /^hire/ })).toBe(5);
      for (const p of invited) {
        const account = await d.tenant.accountByEmail(p.subjectEmail);
        expect((await d.tenant.seatsOf(account!._id)).length).toBe(1);
        const audit = await system.audit.entries.countDocuments({ requestId: p._id });
        expect(audit).toBe(p.history.length);
      }
      const seats = await d.tenant.seatSummary('D365_SALES');
      expect(seats.held + seats.assigned).toBe(5);
      expect(seats.free).toBe(0);
      expect(await d.tenant.verifySeats()).toEqual([]);
      expect((await system.audit.verify()).ok).toBe(true);
      expect((await system.store.get(first.batch._id)).status).toBe('approved.running');
    });
  }
});
