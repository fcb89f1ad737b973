/**
 * The directory sync against a tenant of 10,000 users and 3 SKUs, beside a baseline measured in
 * the same run: reading the very same Graph pages (subscribedSkus twice, every users page, the
 * admin role assignments, the group's members) with plain `fetch` and `JSON.parse`, writing
 * nothing. Prints both rates (users/s) and their ratio, the median of `--rounds` rounds each
 * (a round: `--passes` reads of each side, interleaved), then checks that
 * the seats in use equal Microsoft 365's consumedUnits.
 *
 *   npm run bench:sync [-- --users 10000] [--rounds 3] [--passes 6]
 *
 * The Graph side is the tests' stand-in (test/graph/stand-in.ts) over real HTTP on loopback.
 * Uses $MONGODB_URI when set, else starts an embedded mongod; the database is dropped at the end.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ManualClock } from '../src/clock.ts';
import { startEmbeddedMongo } from '../src/db/embedded.ts';
import { connectMongo } from '../src/db/index.ts';
import { ADMIN_ROLE_TEMPLATE_IDS } from '../src/graph/admin-role-ids.ts';
import { MicrosoftApi } from '../src/graph/http.ts';
import { DirectorySync } from '../src/graph/sync.ts';
import { TenantService } from '../src/tenant/tenant.service.ts';
import { parseTenantConfig } from '../src/tenant/tenant-file.ts';
import { GraphStandIn, STAND_IN_TOKEN } from '../test/graph/stand-in.ts';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '3' },
    passes: { type: 'string', default: '6' },
  },
});
const USERS = Number(args.users);
const ROUNDS = Math.max(1, Number(args.rounds));
const PASSES = Math.max(1, Number(args.passes));
const GROUP = '4e1e7c8a-3f5b-4c5e-8d1a-5a6b7c8d9e01';
const GLOBAL_ADMIN = ADMIN_ROLE_TEMPLATE_IDS['Global admin'];
const SKUS = [
  { id: 'M365_E3', name: 'Microsoft 365 E3', guid: '05e9a617-0261-4cee-bb44-138d3ef5d965' },
  { id: 'D365_SALES', name: 'Dynamics 365 Sales', guid: '6fd2c87f-b296-42f0-b197-1e91e994b900' },
  { id: 'POWER_BI', name: 'Power BI Pro', guid: 'f8a1db68-be16-40ed-86d5-cb42ce701560' },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const tenantYaml = `
domain: contoso.example
usageLocation: GB
skus:
${SKUS.map((s) => `  - { id: ${s.id}, name: ${s.name}, seats: ${USERS}, skuId: ${s.guid} }`).join('\n')}
environments:
  - id: sales-prod
    name: Sales (production)
    kind: dynamics
    securityGroup: sg-sales-prod
    securityGroupId: ${GROUP}
    dataverseUrl: https://contoso.crm4.dynamics.com
    licenseSku: D365_SALES
    businessUnits:
      - { id: root, name: Contoso, roles: [Basic User] }
people:
  - { email: grace@contoso.example, firstName: Grace, lastName: Hopper, slackId: U0GRACE, adminRoles: [Global admin] }
`;

/** Every page the sync reads, read with plain HTTP and parsed; nothing else. */
async function readPlain(graph: string): Promise<number> {
  let users = 0;
  const get = async (path: string) => {
    const res = await fetch(path.startsWith('http') ? path : `${graph}${path}`, {
      headers: { authorization: `Bearer ${STAND_IN_TOKEN}`, accept: 'application/json' },
    });
    return JSON.parse(await res.text()) as { value: unknown[]; '@odata.nextLink'?: string };
  };
  const all = async (path: string, count = false) => {
    for (let next: string | undefined = path; next; ) {
      const page = await get(next);
      if (count) users += page.value.length;
      next = page['@odata.nextLink'];
    }
  };
  const skus = '/v1.0/subscribedSkus?$select=skuId,skuPartNumber,consumedUnits,prepaidUnits';
  await get(skus);
  await all('/v1.0/users?$select=id,assignedLicenses&$top=999', true);
  for (const template of Object.values(ADMIN_ROLE_TEMPLATE_IDS)) {
    const filter = encodeURIComponent(`roleDefinitionId eq '${template}'`);
    await all(
      `/v1.0/roleManagement/directory/roleAssignments?$filter=${filter}&$select=id,principalId,directoryScopeId`,
    );
  }
  await all(`/v1.0/groups/${GROUP}/members?$select=id&$top=999`);
  await get(skus);
  return users;
}

async function main() {
  const embedded = process.env.MONGODB_URI ? undefined : await startEmbeddedMongo();
  const uri = process.env.MONGODB_URI ?? embedded!.uri;
  const connection = await connectMongo(uri, `bench_sync_${process.pid}`);
  const standIn = await new GraphStandIn().start();
  try {
    const clock = new ManualClock();
    const tenant = new TenantService(connection, clock);
    const config = parseTenantConfig(tenantYaml, 'bench tenant');
    await tenant.applyConfig(config);
    for (const sku of SKUS) standIn.subscribe(sku.guid, sku.id, USERS);
    standIn.groups.set(GROUP, new Set());
    // Licenses spread over the users: E3 to 3 in 5, Sales to 1 in 3, Power BI to 1 in 4.
    const ids: string[] = [];
    for (let i = 0; i < USERS; i++) {
      const licenses = [
        ...(i % 5 < 3 ? [SKUS[0]!.guid] : []),
        ...(i % 3 === 0 ? [SKUS[1]!.guid] : []),
        ...(i % 4 === 0 ? [SKUS[2]!.guid] : []),
      ];
      const id = standIn.addUser(`user${i}@contoso.example`, licenses);
      ids.push(id);
      if (i % 3 === 0) standIn.groups.get(GROUP)!.add(id);
      if (i < 5) standIn.assignRole(GLOBAL_ADMIN, id);
    }
    // accessdesk licensed 300 of the Sales users itself: those seats are its own, not external.
    for (let i = 0; i < 900; i += 3) {
      await tenant.assignSeat('D365_SALES', `bench:${i}`, { accountId: ids[i]! });
    }
    const sync = new DirectorySync({
      api: new MicrosoftApi(standIn.url, standIn.url, { token: async () => STAND_IN_TOKEN }),
      graphUrl: standIn.url,
      connection,
      tenant: config,
      clock,
    });
    await readPlain(standIn.url); // warm both paths once
    await sync.run();

    const plain: number[] = [];
    const synced: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Pass by pass, alternating which side goes first, so a machine getting busier or
      // quieter (it is shared) favours neither.
      const time = { plain: 0, sync: 0 };
      let users = 0;
      for (let pass = 0; pass < PASSES; pass++) {
        const sides = pass % 2 === 0 ? (['plain', 'sync'] as const) : (['sync', 'plain'] as const);
        for (const side of sides) {
          const start = performance.now();
          if (side === 'plain') users += await readPlain(standIn.url);
          else await sync.run();
          time[side] += performance.now() - start;
        }
      }
      plain.push(users / (time.plain / 1000));
      synced.push(users / (time.sync / 1000));
    }
    const p = median(plain);
    const s = median(synced);
    console.log(
      `users ${USERS}, SKUs ${SKUS.length}, rounds ${ROUNDS} of ${PASSES} passes, load ${loadavg()[0]!.toFixed(2)}`,
    );
    console.log(`plain HTTP read of the same pages: ${p.toFixed(0)} users/s (median)`);
    console.log(`directory sync:                    ${s.toFixed(0)} users/s (median)`);
    console.log(`ratio sync / plain: ${(s / p).toFixed(2)} (done when ≥ 0.5)`);
    let equal = true;
    for (const sku of SKUS) {
      const doc = await connection
        .collection<{ _id: string; held: number; assigned: number; external?: number }>('skus')
        .findOne({ _id: sku.id });
      const inUse = (doc?.held ?? 0) + (doc?.assigned ?? 0) + (doc?.external ?? 0);
      const consumed = standIn.consumed(sku.guid);
      equal &&= inUse === consumed;
      console.log(
        `${sku.id}: in use ${inUse} (accessdesk ${(doc?.held ?? 0) + (doc?.assigned ?? 0)}, outside ${doc?.external ?? 0}), consumedUnits ${consumed}`,
      );
    }
    console.log(
      equal ? 'seats in use equal consumedUnits' : 'MISMATCH: seats in use ≠ consumedUnits',
    );
    if (!equal) process.exitCode = 1;
  } finally {
    await standIn.stop();
    await connection.dropDatabase();
    await connection.close();
    await embedded?.stop();
  }
}

await main();
