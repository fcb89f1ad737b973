import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestMachines } from '../../src/lifecycle/machines.ts';
import type { RequestDoc } from '../../src/lifecycle/request.model.ts';
import { RequestQueries } from '../../src/lifecycle/request.queries.ts';
import { submitOnboarding } from '../../src/lifecycle/submit.ts';
import { RequestVisibility } from '../../src/lifecycle/visibility.ts';
import { useTestDatabase } from '../support/db.ts';
import { buildSystem, newHire } from './support.ts';

const db = useTestDatabase('lifecycle/request-indexes');
const REQUESTS = 5000;
const LIMIT = 20;

/** Stage names of a plan tree (winning plan or execution stages). */
function stages(plan: Record<string, unknown>): string[] {
  const children = [
    ...(plan.inputStage ? [plan.inputStage] : []),
    ...((plan.inputStages as unknown[]) ?? []),
    ...(plan.queryPlan ? [plan.queryPlan] : []),
  ] as Record<string, unknown>[];
  return [String(plan.stage), ...children.flatMap(stages)];
}

describe('every list a person sees is limited and served by an index', () => {
  let monitored: Connection;
  const commands: Array<Record<string, unknown>> = [];
  let recording = false;
  let built: Awaited<ReturnType<typeof buildSystem>>;

  beforeAll(async () => {
    // The same database through a connection that reports its commands: the reads App Home,
    // `/access status`, the queue and the sweep really send are the ones explained below.
    monitored = mongoose.createConnection(db.uri, {
      dbName: db.dbName,
      monitorCommands: true,
      autoIndex: true,
    });
    await monitored.asPromise();
    monitored.getClient().on('commandStarted', (event) => {
      const name = event.commandName;
      if (!recording || !['find', 'distinct', 'findAndModify'].includes(name)) return;
      if (event.command[name] === 'requests') commands.push(event.command);
    });
    built = await buildSystem(monitored);
    await Promise.all(Object.values(monitored.models).map((m) => m.init()));
    const first = await submitOnboarding(built.system.lifecycle, 'ada@contoso.example', newHire());
    await built.system.background.idle();
    const template = (await built.system.store.requests.findOne({ _id: first._id }).lean())!;
    const now = built.clock.now().getTime();
    const docs: RequestDoc[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const undecided = i % 2 === 0;
      docs.push({
        ...template,
        _id: `REQ-IDX-${i}`,
        requesterEmail: `r${i % 50}@example.org`,
        subjectEmail: `s${i}@example.org`,
        details: { ...template.details, managerEmail: `m${i % 50}@example.org` },
        status: undecided ? template.status : 'rejected',
        done: !undecided,
        deadlines: template.deadlines.map((d) =>
          d.kind === 'reminder' && i < 40 ? { ...d, at: new Date(now - 1000) } : d,
        ),
        nextDeadlineAt: undecided ? new Date(now + (i < 40 ? -1000 : 3_600_000 + i)) : null,
        createdAt: new Date(now - i * 1000),
      });
    }
    await built.system.store.requests.collection.insertMany(docs as never[]);
  });
  afterAll(() => monitored?.close());

  it('App Home, /access status and the admins’ queue read at most 20 requests each, by an index', async () => {
    const queries = new RequestQueries(built.system.store, requestMachines);
    const reports = Array.from({ length: 40 }, (_, i) => `r${i + 1}@example.org`);
    const visibility = new RequestVisibility(queries, {
      isGlobalAdmin: async () => true,
      reportsOf: async () => reports,
      manages: async (_, person) => reports.includes(person),
    });
    recording = true;
    const home = await visibility.home('m7@example.org');
    const own = await visibility.own('r3@example.org');
    recording = false;
    expect(home.queue).toHaveLength(LIMIT);
    expect(home.mine).toEqual([]);
    expect(home.reports.length).toBeGreaterThanOrEqual(LIMIT);
    expect(own).toHaveLength(LIMIT);
    expect(commands.length).toBeGreaterThanOrEqual(4);
    for (const command of commands.splice(0)) {
      const { find, filter, sort, limit, projection } = command;
      expect(limit).toBe(LIMIT);
      const explained = await monitored.db!.command({
        explain: { find, filter, sort, limit, ...(projection ? { projection } : {}) },
        verbosity: 'executionStats',
      });
      const plan = stages(explained.queryPlanner.winningPlan);
      const why = JSON.stringify({ filter, sort, plan });
      expect(plan, why).toContain('IXSCAN');
      expect(plan, why).not.toContain('COLLSCAN');
      expect(plan, why).not.toContain('SORT'); // the index gives the order: no blocking sort
      // Bounded: what is read does not depend on the 5,000 requests stored.
      expect(explained.executionStats.totalDocsExamined, why).toBeLessThanOrEqual(2 * LIMIT);
      expect(explained.executionStats.nReturned).toBeLessThanOrEqual(LIMIT);
    }
  });

  it('the sweep claims the next due request from the partial deadline index, reading no other', async () => {
    const explained = await built.system.store.explainClaimDue(built.clock.now());
    const plan = stages(explained.queryPlanner.winningPlan);
    expect(plan).toContain('IXSCAN');
    expect(plan).not.toContain('COLLSCAN');
    expect(plan).not.toContain('SORT');
    expect(explained.executionStats.totalDocsExamined).toBe(1);
    const { fired } = await built.system.scheduler.sweep();
    expect(fired).toBeGreaterThan(0);
    // Swept: nothing is due any more, and finding that out reads no document at all.
    const after = await built.system.store.explainClaimDue(built.clock.now());
    expect(after.executionStats.totalDocsExamined).toBe(0);
    expect(after.executionStats.totalKeysExamined).toBeLessThanOrEqual(1);
  });

  it('the seat queue finds waiting requests by an index', async () => {
    recording = true;
    await built.system.seats.promoteAll();
    recording = false;
    expect(commands.some((c) => 'distinct' in c)).toBe(true);
    for (const command of commands.splice(0)) {
      const explain =
        'distinct' in command
          ? { distinct: command.distinct, key: command.key, query: command.query }
          : {
              find: command.find,
              filter: command.filter,
              sort: command.sort,
              limit: command.limit,
            };
      const explained = await monitored.db!.command({ explain, verbosity: 'executionStats' });
      const plan = stages(explained.queryPlanner.winningPlan);
      expect(plan, JSON.stringify(explain)).not.toContain('COLLSCAN');
    }
  });
});
