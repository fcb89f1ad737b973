import { afterEach, describe, expect, it } from 'vitest';
import { GraphDirectory } from '../../src/graph/index.ts';
import { submitOnboarding } from '../../src/lifecycle/submit.ts';
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

describe('seats and Microsoft 365 licenses (L3)', () => {
  it('L3: with no license left in Microsoft 365 the approved request waits, then goes on once one is bought', async () => {
    // The ledger has 3 seats, but the subscription in Microsoft 365 is used up.
    standIn = await salesStandIn(0);
    const yaml = graphTenantYaml(3).replace(DATAVERSE, standIn.dataverseUrl);
    const config = parseTenantConfig(yaml, 'tenant.yaml');
    const { system, errors, tenant } = await buildSystem(db.connection, {
      yaml,
      directory: (seats) =>
        new GraphDirectory({
          seats,
          tenant: config,
          connection: db.connection,
          tokens: { token: async () => STAND_IN_TOKEN },
          graphUrl: standIn!.url,
          retry: recordingRetry().policy,
          syncLag: { attempts: 3, firstWaitMs: 0 },
        }),
    });
    const request = await submitOnboarding(system.lifecycle, 'ada@contoso.example', newHire(1));
    await system.lifecycle.act(request._id, 'grace@contoso.example', {
      type: 'approver.approved',
    });
    await system.background.idle();

    expect((await system.store.get(request._id)).status).toBe('approved.waitingForSeat');
    expect(standIn.users.size).toBe(0);
    expect(await tenant.seatSummary('D365_SALES')).toMatchObject({ held: 0, free: 3 });

    // A license is bought in Microsoft 365; the scheduler's next sweep finds it.
    standIn.subscribe(SKU_GUID, 'DYN365_ENTERPRISE_SALES', 1);
    await system.scheduler.sweep();
    await system.background.idle();

    expect((await system.store.get(request._id)).status).toBe('invited');
    expect([...standIn.users.values()].map((u) => u.assignedLicenses)).toEqual([[SKU_GUID]]);
    expect(errors).toEqual([]);
  });

  it('L3: a license used up outside accessdesk between the held seat and its assignment: the request waits, then goes on', async () => {
    await resetDatabase(db.connection);
    standIn = await salesStandIn(1);
    const s = standIn;
    const yaml = graphTenantYaml(3).replace(DATAVERSE, s.dataverseUrl);
    const config = parseTenantConfig(yaml, 'tenant.yaml');
    const { system, errors, tenant } = await buildSystem(db.connection, {
      yaml,
      directory: (seats) => {
        const graph = new GraphDirectory({
          seats,
          tenant: config,
          connection: db.connection,
          tokens: { token: async () => STAND_IN_TOKEN },
          graphUrl: s.url,
          retry: recordingRetry().policy,
          syncLag: { attempts: 3, firstWaitMs: 0 },
        });
        // The seat is held (Microsoft 365 had one license left); while the account is being
        // made, an admin gives that last license to someone else in the admin center.
        const createAccount = graph.createAccount.bind(graph);
        let raced = false;
        graph.createAccount = async (key, person) => {
          if (!raced) s.addUser('someone@contoso.example', [SKU_GUID]);
          raced = true;
          return createAccount(key, person);
        };
        return graph;
      },
    });
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
});
