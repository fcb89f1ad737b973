import { afterEach, describe, expect, it } from 'vitest';
import type { GraphDirectory } from '../../src/graph/index.ts';
import { parseTenantConfig } from '../../src/tenant/tenant-file.ts';
import { buildSystem, resetDatabase } from '../lifecycle/support.ts';
import { useTestDatabase } from '../support/db.ts';
import { type GraphStandIn, STAND_IN_TOKEN, salesStandIn } from './stand-in.ts';
import { DATAVERSE, graphDirectoryOver, graphTenantYaml } from './support.ts';

const db = useTestDatabase('graph/holdings');

let standIn: GraphStandIn | undefined;
afterEach(async () => {
  await standIn?.stop();
  standIn = undefined;
});

/** The stand-in's sales tenant and a GraphDirectory over it, on an emptied database. */
async function graphOverStandIn(): Promise<GraphDirectory> {
  await resetDatabase(db.connection);
  standIn = await salesStandIn();
  const yaml = graphTenantYaml(3).replace(DATAVERSE, standIn.dataverseUrl);
  const config = parseTenantConfig(yaml, 'tenant.yaml');
  let graph: GraphDirectory | undefined;
  await buildSystem(db.connection, {
    yaml,
    directory: (seats) => {
      graph = graphDirectoryOver(seats, config, db.connection, {
        tokens: { token: async () => STAND_IN_TOKEN },
        graphUrl: standIn!.url,
        powerPlatformUrl: standIn!.url,
        syncLag: { attempts: 3, firstWaitMs: 0 },
      });
      return graph;
    },
  });
  return graph!;
}

describe('what the Graph directory says a person holds', () => {
  it('T4/E5: sign-in state, so a rehire (enabled again) keeps the account past ACCESSDESK_DELETE_AFTER', async () => {
    const graph = await graphOverStandIn();
    const id = standIn!.addUser('ada@contoso.example');
    expect((await graph.holdingsOf(id)).signInAllowed).toBe(true);
    await graph.setSignInAllowed(id, false); // the leaver's first step
    expect((await graph.holdingsOf(id)).signInAllowed).toBe(false);
    await graph.setSignInAllowed(id, true); // a rehire's new invitation (E3)
    expect((await graph.holdingsOf(id)).signInAllowed).toBe(true);
  });

  it('S2: the security roles a grant names, as Dataverse holds them (only those, of the unit)', async () => {
    const graph = await graphOverStandIn();
    const id = standIn!.addUser('ada@contoso.example');
    expect(await graph.securityRolesHeld('sales-prod', id, ['Salesperson'])).toEqual([]);
    await graph.assignBusinessUnit('sales-prod', id, 'sales');
    await graph.assignSecurityRoles('sales-prod', id, ['Salesperson']);
    expect(
      await graph.securityRolesHeld('sales-prod', id, ['Sales Manager', 'Salesperson']),
    ).toEqual(['Salesperson']);
    await graph.removeSecurityRoles('sales-prod', id, ['Salesperson']);
    expect(await graph.securityRolesHeld('sales-prod', id, ['Salesperson'])).toEqual([]);
  });
});
