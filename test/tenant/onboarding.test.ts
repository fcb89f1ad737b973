import { describe, expect, it } from 'vitest';
import { tenantChoices } from '../../src/tenant/options.ts';
import { smallConfig, useTenant } from './helpers.ts';

const t = useTenant('tenant/onboarding');
const DAY = 24 * 60 * 60 * 1000;

describe('onboarding order', () => {
  it('P2: the invitation after step one holds a seat for 14 days, but the service stays closed until step two', async () => {
    await t.service.applyConfig(smallConfig());
    const { account } = await t.service.createAccount({
      idempotencyKey: 'request:p2',
      personEmail: 'p2@personal.example',
      firstName: 'Annie',
      lastName: 'Easley',
    });
    const issued = t.clock.now();
    const { holder } = await t.service.holdSeat('D365_SALES', 'invite:p2', {
      accountId: account._id,
    });
    expect(holder.expiresAt!.getTime() - issued.getTime()).toBe(14 * DAY);
    expect(await t.service.seatSummary('D365_SALES')).toMatchObject({ held: 1, free: 9 });
    await t.service.addToSecurityGroup('sales-prod', account._id);
    const closed = await t.service.enablement('sales-prod', account._id);
    expect(closed.canUse).toBe(false);
    await t.service.confirmHeldSeat('D365_SALES', 'invite:p2');
    expect((await t.service.enablement('sales-prod', account._id)).canUse).toBe(false);
    await t.service.assignBusinessUnit('sales-prod', account._id, 'sales');
    await t.service.assignSecurityRoles('sales-prod', account._id, ['Salesperson']);
    expect((await t.service.enablement('sales-prod', account._id)).canUse).toBe(true);
  });

  it('P3: an environment whose existing data is still being imported takes no invitations until it is', async () => {
    const importing = smallConfig();
    importing.environments.find((e) => e.id === 'sales-prod')!.dataImported = false;
    await t.service.applyConfig(importing);
    const awaiting = async () =>
      Object.fromEntries(
        (await tenantChoices(t.service)).environments.map((e) => [e.id, e.awaitsDataImport]),
      );
    expect(await awaiting()).toMatchObject({ 'sales-prod': true, 'apps-dev': false });

    await t.service.importStubUsers('sales-prod', ['Christine Darden']);

    expect(await awaiting()).toMatchObject({ 'sales-prod': false, 'apps-dev': false });
  });

  it('P3: an environment the tenant file says nothing about has its data: invitations go out', async () => {
    await t.service.applyConfig(smallConfig());
    const env = (await t.service.models.Environment.findById('sales-prod').lean())!;
    expect(env.dataImported).toBe(true);
    expect(env.dataImportedAt).toBeFalsy();
    const choices = await tenantChoices(t.service);
    expect(choices.environments.every((e) => !e.awaitsDataImport)).toBe(true);
  });

  it('T6: provisioning into an environment can lag, fail and be retried without duplicates', async () => {
    await t.service.applyConfig(smallConfig());
    const ada = (await t.service.accountByEmail('ada@contoso.example'))!;
    const first = await t.service.provisionUser('apps-dev', ada._id);
    expect(first).toMatchObject({ created: true, user: { syncState: 'pending' } });
    expect((await t.service.pendingProvisioning('apps-dev')).map((u) => u.accountId)).toEqual([
      ada._id,
    ]);
    await t.service.markProvisioningFailed('apps-dev', ada._id, 'environment busy');
    const failed = (await t.service.environmentUser('apps-dev', ada._id))!;
    expect(failed).toMatchObject({
      syncState: 'failed',
      syncAttempts: 1,
      lastSyncError: 'environment busy',
    });
    expect(await t.service.pendingProvisioning('apps-dev')).toHaveLength(1);
    const retry = await t.service.provisionUser('apps-dev', ada._id);
    expect(retry.created).toBe(false);
    await t.service.markProvisioned('apps-dev', ada._id);
    expect((await t.service.environmentUser('apps-dev', ada._id))!).toMatchObject({
      syncState: 'synced',
      syncAttempts: 2,
    });
    expect(await t.service.pendingProvisioning('apps-dev')).toEqual([]);
    expect(await t.service.models.EnvironmentUser.countDocuments({ envId: 'apps-dev' })).toBe(1);
  });
});
