import { afterEach, describe, expect, it } from 'vitest';
import { MicrosoftApi } from '../../src/graph/http.ts';
import { GraphDirectory } from '../../src/graph/index.ts';
import { DirectorySync } from '../../src/graph/sync.ts';
import { submitOnboarding } from '../../src/lifecycle/submit.ts';
import { parseTenantConfig } from '../../src/tenant/tenant-file.ts';
import { buildSystem, newHire, resetDatabase } from '../lifecycle/support.ts';
import { useTestDatabase } from '../support/db.ts';
import { type GraphStandIn, STAND_IN_TOKEN, salesStandIn } from './stand-in.ts';
import {
  DATAVERSE,
  GLOBAL_ADMIN_TEMPLATE,
  GROUP_ID,
  graphTenantYaml,
  recordingRetry,
  SKU_GUID,
} from './support.ts';

const db = useTestDatabase('graph/sync');

let standIn: GraphStandIn | undefined;
afterEach(async () => {
  await standIn?.stop();
  standIn = undefined;
});

const tokens = { token: async () => STAND_IN_TOKEN };

/** A Graph-mode system on the stand-in, and the directory sync over the same stand-in. */
async function setup({ licenses = 5, seats = 5 } = {}) {
  await resetDatabase(db.connection);
  standIn = await salesStandIn(licenses);
  const url = standIn.url;
  const yaml = graphTenantYaml(seats).replace(DATAVERSE, standIn.dataverseUrl);
  const config = parseTenantConfig(yaml, 'tenant.yaml');
  const built = await buildSystem(db.connection, {
    yaml,
    directory: (ledger) =>
      new GraphDirectory({
        seats: ledger,
        tenant: config,
        connection: db.connection,
        tokens,
        graphUrl: url,
        retry: recordingRetry().policy,
        syncLag: { attempts: 3, firstWaitMs: 0 },
      }),
  });
  const sync = new DirectorySync({
    api: new MicrosoftApi(url, url, tokens, recordingRetry().policy),
    graphUrl: url,
    connection: db.connection,
    tenant: config,
    clock: built.clock,
  });
  const onboard = async (n: number, overrides: Parameters<typeof newHire>[1] = {}) => {
    const { lifecycle, background, store } = built.system;
    const request = await submitOnboarding(lifecycle, 'ada@contoso.example', newHire(n, overrides));
    await lifecycle.act(request._id, 'grace@contoso.example', { type: 'approver.approved' });
    await background.idle();
    return store.get(request._id);
  };
  const skuDoc = () =>
    db.connection
      .collection<{ _id: string; seats: number; free: number; external?: number }>('skus')
      .findOne({ _id: 'D365_SALES' });
  return { ...built, sync, onboard, skuDoc, standIn };
}

describe('npm run directory:sync: seats (L3, L5)', () => {
  it('L3: seats taken outside accessdesk count as in use; after a sync the seats in use equal consumedUnits', async () => {
    const { sync, onboard, tenant, skuDoc, standIn: s } = await setup({ licenses: 5, seats: 20 });
    for (const name of ['ann', 'bob', 'cy']) s.addUser(`${name}@contoso.example`, [SKU_GUID]);
    s.addUser('dee@contoso.example'); // no license: uses no seat
    expect((await onboard(1)).status).toBe('invited');

    const report = await sync.run();

    const consumed = s.consumed(SKU_GUID);
    expect(consumed).toBe(4);
    const summary = await tenant.seatSummary('D365_SALES');
    const sku = await skuDoc();
    expect(summary).toMatchObject({ seats: 5, held: 1, assigned: 0, free: 1 });
    expect(sku?.external).toBe(3);
    expect(summary.held + summary.assigned + (sku?.external ?? 0)).toBe(consumed);
    expect(report).toMatchObject({ users: 5 });
    expect(await tenant.verifySeats()).toEqual([]);

    // The last license goes to the next approval; the one after waits for a seat (L3).
    expect((await onboard(2)).status).toBe('invited');
    expect((await onboard(3)).status).toBe('approved.waitingForSeat');
    expect(s.consumed(SKU_GUID)).toBe(5);
  });

  it('L5: a subscription cut below the seats accessdesk holds keeps them and frees nothing', async () => {
    const { sync, onboard, tenant, standIn: s } = await setup({ licenses: 5, seats: 5 });
    expect((await onboard(1)).status).toBe('invited');
    expect((await onboard(2)).status).toBe('invited');
    s.subscribe(SKU_GUID, 'DYN365_ENTERPRISE_SALES', 1);

    await sync.run();

    expect(await tenant.seatSummary('D365_SALES')).toMatchObject({ seats: 2, held: 2, free: 0 });
    expect((await onboard(3)).status).toBe('approved.waitingForSeat');
    expect(await tenant.verifySeats()).toEqual([]);
  });

  it('reads users page by page through @odata.nextLink and writes nothing to Entra', async () => {
    const { sync, tenant, skuDoc, standIn: s } = await setup({ licenses: 2000, seats: 5 });
    for (let i = 0; i < 1500; i++) s.addUser(`user${i}@contoso.example`, i % 3 ? [] : [SKU_GUID]);
    s.log.length = 0;

    const report = await sync.run();

    expect(report.users).toBe(1500);
    expect(s.log.filter((line) => line === 'GET /v1.0/users')).toHaveLength(2);
    expect(s.log.every((line) => line.startsWith('GET '))).toBe(true);
    expect(await tenant.seatSummary('D365_SALES')).toMatchObject({ seats: 2000, free: 1500 });
    expect((await skuDoc())?.external).toBe(500);
  });
});

describe('drift that accessdesk did not cause, for Global admins (A2, E1)', () => {
  it('A2: Global admin given outside accessdesk is listed; accessdesk’s own grants are not; nothing is changed in Entra', async () => {
    const { sync, onboard, standIn: s } = await setup();
    // Before the first sync: the tenant as it was (the baseline, not drift).
    s.assignRole(GLOBAL_ADMIN_TEMPLATE, s.addUser('founder@contoso.example'));
    await sync.run();
    expect(await sync.drift.lines()).toEqual([]);

    // Then: three Global admins and a group member made in the admin center...
    for (const name of ['eve', 'mal', 'oscar']) {
      s.assignRole(GLOBAL_ADMIN_TEMPLATE, s.addUser(`${name}@contoso.example`));
    }
    s.groups.get(GROUP_ID)!.add(s.addUser('trent@contoso.example'));
    // ...and one account accessdesk made with Billing admin and group membership.
    expect((await onboard(1, { adminRoles: ['Billing admin'] })).status).toBe('invited');
    s.log.length = 0;

    await sync.run();

    const names = new Map([['sales-prod', 'Sales (production)']]);
    expect(await sync.drift.lines(names)).toEqual([
      '3 accounts got Global admin outside accessdesk',
      '1 account joined the security group of Sales (production) outside accessdesk',
    ]);
    expect(s.log.every((line) => line.startsWith('GET '))).toBe(true);

    // One of them is taken back in the admin center: the next sync no longer lists it.
    const eve = [...s.roleAssignments.values()].find(
      (a) => s.users.get(a.principalId)?.userPrincipalName === 'eve@contoso.example',
    )!;
    s.roleAssignments.delete(eve.id);
    await sync.run();
    expect(await sync.drift.lines(names)).toEqual([
      '2 accounts got Global admin outside accessdesk',
      '1 account joined the security group of Sales (production) outside accessdesk',
    ]);
  });

  it('seats used by accounts accessdesk did not license are listed', async () => {
    const { sync, standIn: s } = await setup({ licenses: 5, seats: 5 });
    s.addUser('ann@contoso.example', [SKU_GUID]);
    s.addUser('bob@contoso.example', [SKU_GUID]);
    await sync.run();
    expect(await sync.drift.lines()).toEqual([
      '2 seats of Dynamics 365 Sales Enterprise are used by accounts accessdesk did not license',
    ]);
  });
});
