import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import {
  globalAdminChangeOutcome,
  impliesSystemAdministrator,
  mayCreatePartnerCenterUsers,
  mayPerform,
  partnerCenterCategory,
} from '../../src/tenant/admin.rules.ts';
import { exampleConfig, onboard, smallConfig, useTenant } from './helpers.ts';

const t = useTenant('tenant/admin');

async function idOf(email: string): Promise<string> {
  return (await t.service.accountByEmail(email))!._id;
}

describe('admin roles', () => {
  it('A1: admin roles and security roles are separate lists', async () => {
    await t.service.applyConfig(smallConfig());
    const ada = await onboard(t.service, 'Ada', 'Byron', { unit: 'sales', roles: ['Salesperson'] });
    await t.service.grantAdminRole(ada._id, 'Billing admin');
    const user = (await t.service.environmentUser('sales-prod', ada._id))!;
    expect(user.roles).toEqual(['Salesperson']);
    expect((await t.service.enablement('sales-prod', ada._id)).effectiveRoles).toEqual([
      'Salesperson',
    ]);
    await expect(t.service.grantAdminRole(ada._id, 'System Administrator')).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
      rule: 'A1',
    });
    await expect(
      t.service.assignSecurityRoles('sales-prod', ada._id, ['Global admin']),
    ).rejects.toMatchObject({ rule: 'A1' });
    expect((await t.service.accountById(ada._id))!.adminRoles).toEqual(['Billing admin']);
  });

  it('A2: a revocation that would leave no Global admin is refused; one that leaves one warns', async () => {
    await t.service.applyConfig(smallConfig());
    const grace = await idOf('grace@contoso.example');
    const linus = await idOf('linus@contoso.example');
    const warned = await t.service.revokeAdminRole(linus, 'Global admin');
    expect(warned.warnings).toEqual([
      expect.stringMatching(/^A2: only 1 Global admin would remain/),
    ]);
    await expect(t.service.revokeAdminRole(grace, 'Global admin')).rejects.toMatchObject({
      code: ErrorCode.LastGlobalAdmin,
      rule: 'A2',
    });
    expect(await t.service.isGlobalAdmin('grace@contoso.example')).toBe(true);
    expect(await t.service.isGlobalAdmin('linus@contoso.example')).toBe(false);
    expect((await t.service.grantAdminRole(linus, 'Global admin')).warnings).toEqual([]);
    expect((await t.service.globalAdmins()).map((a) => a.personEmail)).toEqual([
      'grace@contoso.example',
      'linus@contoso.example',
    ]);
  });

  it('A2: two parallel revocations of the last two Global admins leave exactly one', async () => {
    await t.service.applyConfig(smallConfig());
    const ids = [await idOf('grace@contoso.example'), await idOf('linus@contoso.example')];
    const results = await Promise.allSettled(
      ids.map((id) => t.service.revokeAdminRole(id, 'Global admin')),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    expect(refused.reason).toMatchObject({ code: ErrorCode.LastGlobalAdmin });
    expect(await t.service.globalAdmins()).toHaveLength(1);
  });

  it('A2: deleting the last Global admin is refused; the outcome rule warns below two', async () => {
    await t.service.applyConfig(smallConfig());
    await t.service.revokeAdminRole(await idOf('linus@contoso.example'), 'Global admin');
    await expect(
      t.service.deleteAccount(await idOf('grace@contoso.example')),
    ).rejects.toMatchObject({
      code: ErrorCode.LastGlobalAdmin,
    });
    expect([0, 1, 2, 3].map(globalAdminChangeOutcome)).toEqual(['refuse', 'warn', 'ok', 'ok']);
    expect(mayPerform(['Global admin'], 'buy-subscriptions')).toBe(true);
    expect(mayPerform(['Billing admin'], 'buy-subscriptions')).toBe(false);
    expect(mayPerform(['Password admin'], 'reset-passwords')).toBe(true);
    expect(mayPerform(['Password admin'], 'manage-users')).toBe(false);
    expect(mayPerform(['User management admin'], 'manage-users')).toBe(true);
  });

  it('A2: isGlobalAdmin reads the current roles from the database, not the tenant file', async () => {
    await t.service.applyConfig(smallConfig());
    const ada = await idOf('ada@contoso.example');
    expect(await t.service.isGlobalAdmin('ada@contoso.example')).toBe(false);
    await t.service.grantAdminRole(ada, 'Global admin');
    expect(await t.service.isGlobalAdmin('ada@contoso.example')).toBe(true);
    await t.service.revokeAdminRole(ada, 'Global admin');
    expect(await t.service.isGlobalAdmin('ada@contoso.example')).toBe(false);
  });

  it('A2: re-applying the tenant file does not undo a revocation the file did not ask for', async () => {
    const config = smallConfig();
    await t.service.applyConfig(config);
    await t.service.grantAdminRole(await idOf('ada@contoso.example'), 'Global admin');
    await t.service.revokeAdminRole(await idOf('linus@contoso.example'), 'Global admin');
    await t.service.applyConfig(config);
    expect(await t.service.isGlobalAdmin('linus@contoso.example')).toBe(false);
    expect(await t.service.isGlobalAdmin('ada@contoso.example')).toBe(true);
  });

  it('A3: Global and Service admins hold System Administrator in every environment without a license', async () => {
    await t.service.applyConfig(smallConfig());
    const grace = await idOf('grace@contoso.example');
    await t.service.addToSecurityGroup('sales-prod', grace);
    const report = await t.service.enablement('sales-prod', grace);
    expect(report).toMatchObject({ enabled: true, canUse: true, licensed: false });
    expect(report.effectiveRoles).toContain('System Administrator');
    expect(report.accessMode).toBe('administrative');
    expect(impliesSystemAdministrator(['Service admin'])).toBe(true);
    expect(impliesSystemAdministrator(['Billing admin'])).toBe(false);

    const ada = await idOf('ada@contoso.example');
    await t.service.addToSecurityGroup('apps-dev', ada);
    expect((await t.service.enablement('apps-dev', ada)).reasons).toContain(
      'L1: no license for this service',
    );
    await t.service.grantAdminRole(ada, 'Power Platform admin');
    expect(await t.service.enablement('apps-dev', ada)).toMatchObject({
      enabled: true,
      accessMode: 'administrative',
    });
  });

  it('A4: Partner Center roles need an existing user, come in three categories, and only some admins create users', async () => {
    await t.service.applyConfig(await exampleConfig());
    expect(
      await t.service.grantPartnerCenterRole(await idOf('ada@contoso.example'), 'Sales agent'),
    ).toBe('csp');
    await expect(
      t.service.grantPartnerCenterRole('acc_missing', 'Sales agent'),
    ).rejects.toMatchObject({
      code: ErrorCode.NotFound,
      rule: 'A4',
    });
    await expect(
      t.service.grantPartnerCenterRole(await idOf('ada@contoso.example'), 'Astronaut'),
    ).rejects.toMatchObject({ rule: 'A4' });
    expect(partnerCenterCategory('User management admin')).toBe('directory');
    expect(partnerCenterCategory('Referrals admin')).toBe('company');
    expect(await t.service.mayCreatePartnerCenterUsers(await idOf('grace@contoso.example'))).toBe(
      true,
    );
    expect(await t.service.mayCreatePartnerCenterUsers(await idOf('dennis@contoso.example'))).toBe(
      true,
    );
    expect(
      await t.service.mayCreatePartnerCenterUsers(await idOf('margaret@contoso.example')),
    ).toBe(false);
    expect(mayCreatePartnerCenterUsers(['Account admin'])).toBe(true);
  });

  it('A5: Connected Spaces roles need the Connected Spaces license', async () => {
    await t.service.applyConfig(smallConfig());
    const ada = await onboard(t.service, 'Store', 'Viewer');
    await t.service.addToSecurityGroup('stores', ada._id);
    await expect(
      t.service.assignSecurityRoles('stores', ada._id, ['Connected Store Viewer']),
    ).rejects.toMatchObject({ code: ErrorCode.NotAllowed, rule: 'A5' });
    await t.service.assignSeat('CONNECTED_SPACES', `license:${ada._id}`, { accountId: ada._id });
    const user = await t.service.assignSecurityRoles('stores', ada._id, ['Connected Store Viewer']);
    expect(user.roles).toEqual(['Connected Store Viewer']);
    await expect(
      t.service.assignSecurityRoles('stores', ada._id, ['Salesperson']),
    ).rejects.toMatchObject({ rule: 'S3' });
  });
});

describe('people', () => {
  it('finds people by Slack id and email, and the reports of a manager, direct and indirect', async () => {
    await t.service.applyConfig(await exampleConfig());
    expect((await t.service.personBySlackId('U0ADA'))!._id).toBe('ada@contoso.example');
    expect((await t.service.personByEmail('Grace@contoso.example'))!.slackId).toBe('U0GRACE');
    expect(await t.service.listPeople()).toHaveLength(8);
    const reports = (await t.service.reportsOf('grace@contoso.example')).map((p) => p._id).sort();
    expect(reports).toEqual([
      'ada@contoso.example',
      'alan@contoso.example',
      'katherine@contoso.example',
      'margaret@contoso.example',
    ]);
    expect(await t.service.reportsOf('alan@contoso.example')).toEqual([]);
    // Up the reporting line, however many people report to the manager.
    for (const report of reports) {
      expect(await t.service.manages('Grace@contoso.example', report)).toBe(true);
    }
    expect(await t.service.manages('alan@contoso.example', 'grace@contoso.example')).toBe(false);
    expect(await t.service.manages('grace@contoso.example', 'nobody@contoso.example')).toBe(false);
  });

  it('applying the example twice changes nothing and warns about nothing', async () => {
    const config = await exampleConfig();
    expect(await t.service.applyConfig(config)).toEqual({ warnings: [] });
    const before = await t.service.listSeatSummaries();
    const accounts = await t.service.models.Account.countDocuments();
    expect(await t.service.applyConfig(config)).toEqual({ warnings: [] });
    expect(await t.service.listSeatSummaries()).toEqual(before);
    expect(await t.service.models.Account.countDocuments()).toBe(accounts);
    expect(accounts).toBe(8);
  });
});
