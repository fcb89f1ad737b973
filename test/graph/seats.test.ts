import { afterEach, describe, expect, it } from 'vitest';
import { GraphDirectory } from '../../src/graph/index.ts';
import { submitOnboarding, submitRoleChange } from '../../src/lifecycle/submit.ts';
import { parseTenantConfig } from '../../src/tenant/tenant-file.ts';
import { buildSystem, newHire, resetDatabase } from '../lifecycle/support.ts';
import { useTestDatabase } from '../support/db.ts';
import { type GraphStandIn, STAND_IN_TOKEN, salesStandIn } from './stand-in.ts';
import { DATAVERSE, graphTenantYaml, recordingRetry, SKU_GUID } from './support.ts';

const db = useTestDatabase('graph/seats');

let standIn: GraphStandIn | undefined;
afterEach(async () => {
  await standIn?.stop();
});

/**
 * The system over a fresh stand-in with `licenses` left in Microsoft 365 (3 seats in the
 * ledger); `race` may wrap the directory to use a license up behind accessdesk's back.
 */
async function graphSystem(licenses: number, race?: (graph: GraphDirectory) => void) {
  await resetDatabase(db.connection);
  standIn = await salesStandIn(licenses);
  const s = standIn;
  const yaml = graphTenantYaml(3).replace(DATAVERSE, s.dataverseUrl);
  const config = parseTenantConfig(yaml, 'tenant.yaml');
  const built = await buildSystem(db.connection, {
    yaml,
    directory: (seats) => {
      const graph = new GraphDirectory({
        seats,
        tenant: config,
        connection: db.connection,
        tokens: { token: async () => STAND_IN_TOKEN },
        graphUrl: s.url,
        powerPlatformUrl: s.url,
        retry: recordingRetry().policy,
        syncLag: { attempts: 3, firstWaitMs: 0 },
      });
      race?.(graph);
      return graph;
    },
  });
  return { ...built, s };
}

/** Gives the last license to someone else in the admin center, once, before `method` runs. */
function licenseTakenBefore(method: 'createAccount' | 'bindSeat') {
  return (graph: GraphDirectory) => {
    const original = graph[method].bind(graph) as (...args: never[]) => Promise<unknown>;
    let raced = false;
    Object.assign(graph, {
      [method]: async (...args: never[]) => {
        if (!raced) standIn!.addUser('someone@contoso.example', [SKU_GUID]);
        raced = true;
        return original(...args);
      },
    });
  };
}

describe('seats and Microsoft 365 licenses (L3)', () => {
  it('L3: with no license left in Microsoft 365 the approved request waits, then goes on once one is bought', async () => {
    // The ledger has 3 seats, but the subscription in Microsoft 365 is used up.
    const { system, errors, tenant, s } = await graphSystem(0);
    const request = await submitOnboarding(system.lifecycle, 'ada@contoso.example', newHire(1));
    await system.lifecycle.act(request._id, 'grace@contoso.example', {
      type: 'approver.approved',
    });
    await system.background.idle();

    expect((await system.store.get(request._id)).status).toBe('approved.waitingForSeat');
    expect(s.users.size).toBe(0);
    expect(await tenant.seatSummary('D365_SALES')).toMatchObject({ held: 0, free: 3 });

    // A license is bought in Microsoft 365; the scheduler's next sweep finds it.
    s.subscribe(SKU_GUID, 'DYN365_ENTERPRISE_SALES', 1);
    await system.scheduler.sweep();
    await system.background.idle();

    expect((await system.store.get(request._id)).status).toBe('invited');
    expect([...s.users.values()].map((u) => u.assignedLicenses)).toEqual([[SKU_GUID]]);
    expect(errors).toEqual([]);
  });

  it('L3: a license used up outside accessdesk between the held seat and its assignment: the request waits, then goes on', async () => {
    // The seat is held (Microsoft 365 had one license left); while the account is being made,
    // an admin gives that last license to someone else in the admin center.
    const { system, errors, tenant, s } = await graphSystem(1, licenseTakenBefore('createAccount'));
    const request = await submitOnboarding(system.lifecycle, 'ada@contoso.example', newHire(2));
    await system.lifecycle.act(request._id, 'grace@contoso.example', {
      type: 'approver.approved',
    });
    await system.background.idle();

    const waiting = await system.store.get(request._id);
    expect(waiting.status).toBe('approved.waitingForSeat');
    expect(waiting.history.map((h) => h.event)).toContain('seat.lost');
    expect(await tenant.seatSummary('D365_SALES')).toMatchObject({ held: 0, free: 3 });

    // A second license is bought: the same account (no second one) gets it.
    s.subscribe(SKU_GUID, 'DYN365_ENTERPRISE_SALES', 2);
    await system.scheduler.sweep();
    await system.background.idle();

    expect((await system.store.get(request._id)).status).toBe('invited');
    const ours = [...s.users.values()].filter((u) => u.mark);
    expect(ours.map((u) => u.assignedLicenses)).toEqual([[SKU_GUID]]);
    expect(s.consumed(SKU_GUID)).toBe(2);
    expect(errors).toEqual([]);
  });

  it('L3: a role change adding a license, the license used up between the held seat and its assignment: the request waits, then goes on', async () => {
    // The seat is held (one license left); before it is assigned, the last license goes.
    const { system, errors, tenant, s } = await graphSystem(1, licenseTakenBefore('bindSeat'));
    const ada = s.addUser('ada@contoso.example');
    const request = await submitRoleChange(
      system.lifecycle,
      'grace@contoso.example',
      'ada@contoso.example',
      { change: 'license_add', sku: 'D365_SALES', justification: 'sells now' },
    );
    await system.lifecycle.act(request._id, 'linus@contoso.example', {
      type: 'approver.approved',
    });
    await system.background.idle();

    const waiting = await system.store.get(request._id);
    expect(waiting.status).toBe('approved.waitingForSeat');
    expect(waiting.history.map((h) => h.event)).toContain('seat.lost');
    expect(s.users.get(ada)!.assignedLicenses).toEqual([]);
    expect(await tenant.seatSummary('D365_SALES')).toMatchObject({ held: 0, free: 3 });

    // A second license is bought: the change goes on and Ada gets it.
    s.subscribe(SKU_GUID, 'DYN365_ENTERPRISE_SALES', 2);
    await system.scheduler.sweep();
    await system.background.idle();

    expect((await system.store.get(request._id)).status).toBe('applied');
    expect(s.users.get(ada)!.assignedLicenses).toEqual([SKU_GUID]);
    expect(s.consumed(SKU_GUID)).toBe(2);
    expect(errors).toEqual([]);
  });
});
