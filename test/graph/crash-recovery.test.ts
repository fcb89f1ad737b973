import { afterEach, describe, expect, it } from 'vitest';
import type { Directory } from '../../src/lifecycle/ports.ts';
import { submitOnboarding } from '../../src/lifecycle/submit.ts';
import { parseTenantConfig } from '../../src/tenant/tenant-file.ts';
import { crashingDirectory, type DirectoryMethod } from '../lifecycle/directories.ts';
import { buildSystem, newHire, resetDatabase } from '../lifecycle/support.ts';
import { useTestDatabase } from '../support/db.ts';
import { type GraphStandIn, STAND_IN_TOKEN, salesStandIn } from './stand-in.ts';
import {
  BILLING_ADMIN_TEMPLATE,
  DATAVERSE,
  GROUP_ID,
  graphDirectoryOver,
  graphTenantYaml,
  SALES_BU,
  SALESPERSON,
  SKU_GUID,
} from './support.ts';

const db = useTestDatabase('graph/crash-recovery');

const SKU = 'D365_SALES';
const ADA = 'ada@contoso.example';
const LEASE_MS = 60_000;
const hire = (n: string) => newHire(n, { adminRoles: ['Billing admin'] });

/** The writing steps from approval to `invited`, in order, as the Graph directory sees them. */
const STEPS: DirectoryMethod[] = [
  'holdSeat',
  'createAccount',
  'bindSeat',
  'grantAdminRoles',
  'addToSecurityGroup',
  'assignBusinessUnit',
  'assignSecurityRoles',
  'setAccessMode',
  'bindSeat',
  'issueTemporaryPassword',
];

let standIn: GraphStandIn | undefined;
afterEach(async () => {
  await standIn?.stop();
  standIn = undefined;
});

describe('a crash between any two provisioning steps, against Graph', () => {
  it.each([
    { n: 0, step: 'the approval', next: STEPS[0] },
    ...STEPS.map((step, i) => ({ n: i + 1, step, next: STEPS[i + 1] ?? 'the invitation' })),
  ])(
    'P1/L1/T1: crash between $step and $next: after a restart, one user, one license, one membership, one role',
    async ({ n }) => {
      await resetDatabase(db.connection);
      standIn = await salesStandIn();
      const yaml = graphTenantYaml(3).replace(DATAVERSE, standIn.dataverseUrl);
      const config = parseTenantConfig(yaml, 'tenant.yaml');
      const graphOver = (seats: Directory) =>
        graphDirectoryOver(seats, config, db.connection, {
          tokens: { token: async () => STAND_IN_TOKEN },
          graphUrl: standIn!.url,
          powerPlatformUrl: standIn!.url,
          syncLag: { attempts: 3, firstWaitMs: 0 },
        });
      let ledger: Directory | undefined;
      const { system, clock, tenant, notifier, errors, rebuild } = await buildSystem(
        db.connection,
        {
          yaml,
          directory: (d) => {
            ledger = d;
            return crashingDirectory(graphOver(d), n);
          },
        },
      );
      const details = hire(String(n));
      const request = await submitOnboarding(system.lifecycle, ADA, details);
      await system.lifecycle.act(request._id, 'grace@contoso.example', {
        type: 'approver.approved',
      });
      await system.background.idle();
      expect(errors).toHaveLength(1);
      expect((await system.store.get(request._id)).status).not.toBe('invited');

      // Restart: a new system on the same database and the same Graph, no more crashes.
      const restarted = rebuild(graphOver(ledger!));
      clock.advance(LEASE_MS + 1000);
      await restarted.runner.recoverAll();
      await restarted.scheduler.sweep();
      await restarted.background.idle();
      expect(errors).toHaveLength(1);

      const done = await restarted.store.get(request._id);
      expect(done.status).toBe('invited');
      const users = [...standIn.users.values()];
      expect(users).toHaveLength(1);
      const [user] = users;
      expect(user).toMatchObject({
        id: done.context.accountId,
        userPrincipalName: `katherine.johnson${n}@contoso.example`,
        mark: `accessdesk:${request._id}`,
        assignedLicenses: [SKU_GUID],
      });
      expect([...standIn.groups.get(GROUP_ID)!]).toEqual([user!.id]);
      expect([...standIn.roleAssignments.values()]).toEqual([
        expect.objectContaining({
          principalId: user!.id,
          roleDefinitionId: BILLING_ADMIN_TEMPLATE,
        }),
      ]);
      const systemUsers = [...standIn.systemUsers.values()];
      expect(systemUsers).toHaveLength(1);
      expect(systemUsers[0]).toMatchObject({
        azureactivedirectoryobjectid: user!.id,
        _businessunitid_value: SALES_BU,
        accessmode: 0,
        roles: new Set([SALESPERSON]),
      });
      // The ledger agrees: one seat for the request, held for the invitation, on this account.
      const holders = await tenant.models.SeatHolder.find({ sku: SKU, key: request._id }).lean();
      expect(holders).toEqual([expect.objectContaining({ state: 'held', accountId: user!.id })]);
      expect(notifier.invitations.filter((i) => i.requestId === request._id)).toHaveLength(1);
      expect(user!.passwordChanges).toBeGreaterThanOrEqual(1);
    },
  );
});
