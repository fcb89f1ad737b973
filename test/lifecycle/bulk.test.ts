import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type ImportDeps, importPeople } from '../../flows/import/run.ts';
import type { BatchDoc } from '../../src/lifecycle/bulk.model.ts';
import type { BatchNotifier } from '../../src/lifecycle/bulk.service.ts';
import { createLifecycleSystem } from '../../src/lifecycle/index.ts';
import { hashToken } from '../../src/lifecycle/invitation-token.ts';
import type { RequestDoc } from '../../src/lifecycle/request.model.ts';
import { submitOnboarding } from '../../src/lifecycle/submit.ts';
import { TenantDirectory } from '../../src/lifecycle/tenant-directory.ts';
import { lookup } from '../../src/tenant-lookup.ts';
import { useTestDatabase } from '../support/db.ts';
import { buildSystem, DEADLINES, newHire, resetDatabase } from './support.ts';

const db = useTestDatabase('lifecycle/bulk');

const HEADER =
  'email,first_name,last_name,job_title,department,manager_email,usage_location,sku,environment,business_unit,security_roles,access_mode';
const row = (n: number, department = 'Sales', over: Partial<Record<string, string>> = {}) => {
  const cells = {
    email: `hire${n}@example.org`,
    first_name: 'Hire',
    last_name: `Number${n}`,
    job_title: 'Analyst',
    department,
    manager_email: 'ada@contoso.example',
    usage_location: 'GB',
    sku: 'D365_SALES',
    environment: 'sales-prod',
    business_unit: 'sales',
    security_roles: 'Salesperson',
    access_mode: 'read_write',
    ...over,
  };
  return Object.values(cells).join(',');
};
const csv = (...rows: string[]) => Readable.from([`${HEADER}\n${rows.join('\n')}\n`]);

/** Stands in for Slack: remembers the progress texts and the results file. */
class RecordingBatchNotifier implements BatchNotifier {
  readonly progress: string[] = [];
  readonly results: Array<{ fileName: string; csv: string }> = [];
  async batchProgress(_b: BatchDoc, text: string, ref?: { channel: string; ts: string }) {
    this.progress.push(text);
    return ref ?? { channel: 'D0ADA', ts: '1.000100' };
  }
  async batchResults(_b: BatchDoc, fileName: string, csvText: string) {
    this.results.push({ fileName, csv: csvText });
  }
}

/** The previous test's background work (progress edits, seat queue) ends before the reset. */
let previous: { idle(): Promise<void> } | undefined;

/**
 * `oneAtATime`: a directory without `provisionMany` (as a directory that cannot take a chunk),
 * so each person goes the one-at-a-time path; its crash windows are proven here.
 */
async function setUp(seats: number, yaml?: string, oneAtATime = false) {
  await previous?.idle();
  await resetDatabase(db.connection);
  const base = await buildSystem(db.connection, { seats, ...(yaml ? { yaml } : {}) });
  const directory = new TenantDirectory(base.tenant);
  if (oneAtATime) Object.assign(directory, { provisionMany: undefined });
  const batchNotifier = new RecordingBatchNotifier();
  const system = createLifecycleSystem({
    connection: db.connection,
    clock: base.clock,
    tenant: base.tenant,
    notifier: base.notifier,
    batchNotifier,
    deadlines: DEADLINES,
    publicUrl: 'http://localhost:3000',
    leaseMs: 60_000,
    onError: (error) => base.errors.push(error),
    directory,
  });
  previous = system.background;
  const deps: ImportDeps = {
    tenant: lookup(base.tenant, base.clock),
    imports: system.bulk,
    lifecycle: system.lifecycle,
  };
  return { ...base, system, batchNotifier, deps };
}

const members = (system: { store: { requests: { find: (q: object) => unknown } } }) =>
  (system.store.requests.find({ kind: 'bulk_member' }) as { lean: () => Promise<RequestDoc[]> })
    .lean()
    .then((docs) => docs);

/** Waits (10 s at most) until request `id` rests in `status` with its effects done. */
async function reaches(
  system: {
    store: { get(id: string): Promise<RequestDoc> };
    background: { idle(): Promise<void> };
  },
  id: string,
  status: string,
) {
  for (let i = 0; i < 500; i++) {
    await system.background.idle();
    const doc = await system.store.get(id);
    if (doc.status === status && !doc.outbox.some((o) => o.status === 'pending')) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${id} never reached ${status}`);
}

describe('bulk onboarding from a CSV file', () => {
  it('names every bad row with its line, column and problem, and queues nothing', async () => {
    const { system, deps } = await setUp(5);
    const outcome = await importPeople(
      deps,
      csv(
        row(1),
        row(2, 'Sales', { security_roles: 'Astronaut' }),
        row(3, 'Sales', { email: 'not-an-email', manager_email: 'nobody@contoso.example' }),
        row(1, 'Sales'),
        row(5, 'Sales', { environment: 'mars', usage_location: 'gb' }),
      ),
      { requesterEmail: 'ada@contoso.example', fileName: 'people.csv' },
    );
    expect(outcome.kind).toBe('invalid');
    if (outcome.kind !== 'invalid') return;
    expect(outcome.rows).toBe(5);
    expect(outcome.problems).toEqual([
      { line: 3, column: 'security_roles', problem: 'Not roles of Sales (S3): Astronaut.' },
      { line: 4, column: 'email', problem: 'Enter a valid email address.' },
      {
        line: 4,
        column: 'manager_email',
        problem: 'nobody@contoso.example is not in the tenant file.',
      },
      { line: 5, column: 'email', problem: 'Also on line 2.' },
      { line: 6, column: 'environment', problem: 'Unknown environment.' },
      { line: 6, column: 'usage_location', problem: 'Two capital letters (ISO 3166), e.g. GB.' },
    ]);
    expect(await system.store.requests.countDocuments()).toBe(0);
    expect(await system.bulk.models.Row.countDocuments()).toBe(0);
    expect(await system.bulk.models.Batch.countDocuments()).toBe(0);
  });

  it('a missing column is named on line 1, and a dry run queues nothing', async () => {
    const { system, deps } = await setUp(5);
    const missing = await importPeople(
      deps,
      Readable.from(['email,first_name\nx@example.org,X\n']),
      { requesterEmail: 'ada@contoso.example', fileName: 'short.csv' },
    );
    expect(missing.kind === 'invalid' && missing.problems[0]).toEqual({
      line: 1,
      column: 'last_name',
      problem: 'Missing column.',
    });
    const dry = await importPeople(deps, csv(row(1), row(2, 'Marketing')), {
      requesterEmail: 'ada@contoso.example',
      fileName: 'people.csv',
      dryRun: true,
    });
    expect(dry).toMatchObject({
      kind: 'checked',
      people: 2,
      headline: 'Onboard 2 people: Marketing 1, Sales 1',
      seats: ['Needs 2 Dynamics 365 Sales Enterprise seats: 5 free'],
    });
    expect(await system.store.requests.countDocuments()).toBe(0);
    expect(await system.bulk.models.Row.countDocuments()).toBe(0);

    // A batch denied before anyone was admitted leaves no rows behind.
    const queued = await importPeople(deps, csv(row(1), row(2)), {
      requesterEmail: 'ada@contoso.example',
      fileName: 'people.csv',
    });
    if (queued.kind !== 'queued') throw new Error(queued.kind);
    expect(await system.bulk.models.Row.countDocuments()).toBe(2);
    await system.lifecycle.act(queued.request._id, 'grace@contoso.example', {
      type: 'approver.denied',
      reason: 'not this quarter',
    });
    await system.background.idle();
    expect((await system.store.get(queued.request._id)).status).toBe('denied');
    expect(await system.bulk.models.Row.countDocuments()).toBe(0);
    expect(await members(system)).toEqual([]);
  });

  it('one request and one decision; each person is an onboarding of their own, then the results file', async () => {
    const { system, deps, batchNotifier, tenant, notifier } = await setUp(2);
    const outcome = await importPeople(deps, csv(row(1), row(2), row(3, 'Marketing')), {
      requesterEmail: 'ada@contoso.example',
      fileName: 'people.csv',
    });
    expect(outcome.kind).toBe('queued');
    if (outcome.kind !== 'queued') return;
    expect(outcome.headline).toBe('Onboard 3 people: Sales 2, Marketing 1');
    expect(outcome.seats).toEqual([
      'Needs 3 Dynamics 365 Sales Enterprise seats: 2 free, 1 will wait',
    ]);
    const batchId = outcome.request._id;
    await system.background.idle();
    // One card for the batch, none per person; nobody is admitted before the decision.
    expect(notifier.count('notifyApprovers')).toBe(1);
    expect(await members(system)).toEqual([]);

    // The requester may not decide their own batch (A2); a Global admin may.
    const own = await system.lifecycle.act(batchId, 'ada@contoso.example', {
      type: 'approver.approved',
    });
    expect(own.kind).toBe('refused');
    await system.lifecycle.act(batchId, 'grace@contoso.example', { type: 'approver.approved' });
    await system.background.idle();

    const people = await members(system);
    expect(people.map((p) => p.subjectEmail).sort()).toEqual([
      'hire1@example.org',
      'hire2@example.org',
      'hire3@example.org',
    ]);
    const statuses = people.map((p) => p.status).sort();
    expect(statuses).toEqual(['approved.waitingForSeat', 'invited', 'invited']);
    expect((await system.store.get(batchId)).status).toBe('approved.running');
    // No per-person card: the batch's one decision admitted everyone.
    expect(notifier.count('notifyApprovers')).toBe(1);
    expect(batchNotifier.progress[0]).toBe('provisioned 0/3, invited 0, waiting for a seat 0');

    // A seat more: the one waiting goes on, the batch settles and reports.
    await tenant.setSeatCount('D365_SALES', 3);
    await system.seats.promote('D365_SALES');
    await system.background.idle();
    const done = await system.store.get(batchId);
    expect(done.status).toBe('completed');
    expect(batchNotifier.progress.at(-1)).toBe('provisioned 3/3, invited 3, waiting for a seat 0');
    expect(batchNotifier.results).toHaveLength(1);
    const [header, ...lines] = batchNotifier.results[0]!.csv.trim().split('\n');
    expect(header).toBe('line,email,user_name,status,invitation_link');
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).toMatch(
        /^\d,hire\d@example\.org,hire\.number\d@contoso\.example,invited,http:\/\/localhost:3000\/invitations\/[A-Za-z0-9_-]{43}$/,
      );
    }
    // The batch document and the request stay the same size whatever the file's size.
    expect(JSON.stringify(done).length).toBeLessThan(6000);
  });

  it('T2: the results file keeps file order over more than one chunk, and each link is the one its request keeps', async () => {
    const PEOPLE = 520; // more than one chunk of rows (ADMIT_CHUNK)
    const { system, deps, batchNotifier } = await setUp(PEOPLE - 20);
    const lines = Array.from({ length: PEOPLE }, (_, i) => row(i + 1));
    const outcome = await importPeople(deps, csv(...lines), {
      requesterEmail: 'ada@contoso.example',
      fileName: 'people.csv',
    });
    if (outcome.kind !== 'queued') throw new Error(`the file was ${outcome.kind}`);
    await system.background.idle();
    await system.lifecycle.act(outcome.request._id, 'grace@contoso.example', {
      type: 'approver.approved',
    });
    await system.background.idle();
    // 20 wait for a seat: they are cancelled, so the batch settles and reports.
    for (const waiting of (await members(system)).filter((m) => m.status !== 'invited')) {
      await system.lifecycle.act(waiting._id, 'ada@contoso.example', {
        type: 'requester.cancelled',
      });
    }
    await reaches(system, outcome.request._id, 'completed');

    const [, ...body] = batchNotifier.results[0]!.csv.trim().split('\n');
    const cells = body.map((line) => line.split(','));
    // The file's line numbers: the header is line 1.
    expect(cells.map((c) => Number(c[0]))).toEqual(lines.map((_, i) => i + 2));
    expect(cells.map((c) => c[1])).toEqual(lines.map((_, i) => `hire${i + 1}@example.org`));
    const byEmail = new Map((await members(system)).map((m) => [m.subjectEmail, m]));
    const linked = cells.filter((c) => c[4]);
    expect(linked).toHaveLength(PEOPLE - 20);
    for (const [, email, , status, link] of linked) {
      expect(status).toBe('invited');
      const token = link!.split('/').pop()!;
      expect(byEmail.get(email!)?.invitation?.tokenHash).toBe(hashToken(token));
    }
    expect(cells.filter((c) => !c[4]).map((c) => c[3])).toEqual(Array(20).fill('cancelled'));
  });

  it("L1/L3: one at a time, a crash between a person's request and their row makes no second request, account or seat", async () => {
    const { system, deps, tenant, clock } = await setUp(5, undefined, true);
    const outcome = await importPeople(deps, csv(row(1), row(2), row(3)), {
      requesterEmail: 'ada@contoso.example',
      fileName: 'people.csv',
    });
    if (outcome.kind !== 'queued') throw new Error(outcome.kind);
    // The process dies right after the second person's request is saved, before its row is.
    const submit = system.lifecycle.submit.bind(system.lifecycle);
    let crashed = false;
    system.lifecycle.submit = async (request) => {
      const doc = await submit(request);
      if (request.subjectEmail === 'hire2@example.org' && !crashed) {
        crashed = true;
        throw new Error('the process died here');
      }
      return doc;
    };
    await system.lifecycle.act(outcome.request._id, 'grace@contoso.example', {
      type: 'approver.approved',
    });
    await system.background.idle();
    expect(crashed).toBe(true);
    expect((await system.store.get(outcome.request._id)).status).toBe('approved.admitting');
    const stuck = await system.bulk.models.Row.findOne({ line: 3 }).lean();
    expect(stuck?.state).toBe('admitting');

    // Another process takes the step over once its lease has passed.
    clock.advance(61_000);
    await system.runner.recoverAll();
    await system.background.idle();
    const people = await members(system);
    expect(people.map((p) => p.subjectEmail).sort()).toEqual([
      'hire1@example.org',
      'hire2@example.org',
      'hire3@example.org',
    ]);
    expect(people.every((p) => p.status === 'invited')).toBe(true);
    for (const n of [1, 2, 3])
      expect(await tenant.accountByEmail(`hire${n}@example.org`)).toBeTruthy();
    expect(await tenant.models.Account.countDocuments({ personEmail: /^hire/ })).toBe(3);
    const seats = await tenant.seatSummary('D365_SALES');
    expect(seats.held + seats.assigned).toBe(3);
    expect((await system.store.get(outcome.request._id)).status).toBe('completed');
  });

  it('L1/L3: one at a time, people admitted together take only the free seats, and a crash right after a take takes no second seat', async () => {
    const { system, deps, tenant, clock } = await setUp(3, undefined, true);
    const outcome = await importPeople(deps, csv(...[1, 2, 3, 4, 5, 6].map((n) => row(n))), {
      requesterEmail: 'ada@contoso.example',
      fileName: 'people.csv',
    });
    if (outcome.kind !== 'queued') throw new Error(outcome.kind);
    // The process dies right after the first seat of the group is taken, before that person
    // is told: the group's other takes still end (some find no free seat) before the step fails.
    const holdSeat = system.directory.holdSeat.bind(system.directory);
    let crashed = false;
    system.directory.holdSeat = async (skuId, key, expiresAt) => {
      await holdSeat(skuId, key, expiresAt);
      if (!crashed) {
        crashed = true;
        throw new Error('the process died here');
      }
    };
    await system.lifecycle.act(outcome.request._id, 'grace@contoso.example', {
      type: 'approver.approved',
    });
    await system.background.idle();
    expect(crashed).toBe(true);
    expect((await system.store.get(outcome.request._id)).status).toBe('approved.admitting');

    clock.advance(61_000);
    await system.runner.recoverAll();
    await system.background.idle();
    const people = await members(system);
    expect(people).toHaveLength(6);
    expect(new Set(people.map((p) => p.subjectEmail)).size).toBe(6);
    const seats = await tenant.seatSummary('D365_SALES');
    expect(seats.held + seats.assigned).toBe(3);
    expect(seats.free).toBe(0);
    const invited = people.filter((p) => p.status === 'invited');
    const waiting = people.filter((p) => p.status === 'approved.waitingForSeat');
    expect(invited.length + waiting.length).toBe(6);
    // Every seat taken went to a person now invited: none is held by someone still waiting.
    expect(invited).toHaveLength(3);
    // Each account made holds one seat of the SKU; nobody has two.
    const accounts = await tenant.models.Account.countDocuments({ personEmail: /^hire/ });
    expect(accounts).toBe(invited.length);
    for (const p of invited) {
      const account = await tenant.accountByEmail(p.subjectEmail);
      expect((await tenant.seatsOf(account!._id)).length).toBe(1);
    }
    expect(await tenant.verifySeats()).toEqual([]);
  });

  it('L3: a batch takes free seats only behind the requests already waiting for one', async () => {
    const { system, deps, tenant, clock } = await setUp(1);
    const approve = (id: string) =>
      system.lifecycle.act(id, 'grace@contoso.example', { type: 'approver.approved' });
    const first = await submitOnboarding(system.lifecycle, 'ada@contoso.example', newHire(1));
    await approve(first._id);
    await reaches(system, first._id, 'invited');
    const second = await submitOnboarding(system.lifecycle, 'ada@contoso.example', newHire(2));
    await approve(second._id);
    await reaches(system, second._id, 'approved.waitingForSeat');

    const outcome = await importPeople(deps, csv(row(7)), {
      requesterEmail: 'ada@contoso.example',
      fileName: 'people.csv',
    });
    if (outcome.kind !== 'queued') throw new Error(outcome.kind);
    // Approval order is time order (the frozen test clock would make it a tie).
    clock.advance(1000);
    await approve(outcome.request._id);
    await system.background.idle();
    const [member] = await members(system);
    expect(member?.status).toBe('approved.waitingForSeat');

    // One seat more: it goes to the request approved first, not to the batch.
    await tenant.setSeatCount('D365_SALES', 2);
    await system.seats.promote('D365_SALES');
    await reaches(system, second._id, 'invited');
    expect((await system.store.get(member!._id)).status).toBe('approved.waitingForSeat');
  });

  it("the README's example file fits the repository's tenant.yaml", async () => {
    const { deps } = await setUp(0, readFileSync('tenant.yaml', 'utf8'));
    const outcome = await importPeople(deps, createReadStream('examples/people.csv'), {
      requesterEmail: 'ada@contoso.example',
      fileName: 'people.csv',
      dryRun: true,
    });
    expect(outcome).toMatchObject({
      kind: 'checked',
      people: 4,
      headline: 'Onboard 4 people: Sales 3, Marketing 1',
    });
  });
});
