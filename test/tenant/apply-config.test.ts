import { describe, expect, it } from 'vitest';
import { exampleConfig, useTenant } from './helpers.ts';

const t = useTenant('tenant/apply-config');

describe('applying the tenant file', () => {
  it('two starts applying the same file at once leave one account per person and exact seats', async () => {
    const config = await exampleConfig();
    await Promise.all([t.service.applyConfig(config), t.service.applyConfig(config)]);
    expect(await t.service.models.Account.countDocuments()).toBe(8);
    expect(await t.service.models.Person.countDocuments()).toBe(8);
    expect(await t.service.seatSummary('D365_SALES')).toMatchObject({
      seats: 25,
      assigned: 3,
      free: 22,
    });
    expect(await t.service.seatSummary('CONNECTED_SPACES')).toMatchObject({ assigned: 1, free: 1 });
    expect((await t.service.globalAdmins()).map((a) => a.personEmail)).toEqual([
      'grace@contoso.example',
      'linus@contoso.example',
    ]);
  });

  it('creates each person’s environment records, business unit, roles and teams from the file', async () => {
    await t.service.applyConfig(await exampleConfig());
    const ada = (await t.service.accountByEmail('ada@contoso.example'))!;
    expect(ada.upn).toBe('ada@contoso.example');
    expect(ada.profile).toMatchObject({ jobTitle: 'Head of Sales', office: 'London' });
    const user = (await t.service.environmentUser('sales-prod', ada._id))!;
    expect(user).toMatchObject({
      businessUnit: 'sales',
      roles: ['Sales Manager'],
      teams: ['sales-managers'],
    });
    const barbara = (await t.service.accountByEmail('barbara@contoso.example'))!;
    expect(await t.service.enablement('stores', barbara._id)).toMatchObject({
      enabled: true,
      canUse: true,
      effectiveRoles: ['Connected Store Viewer'],
    });
  });

  it('a changed file adds seats and admin roles, and revokes the admin roles it no longer lists', async () => {
    const config = await exampleConfig();
    await t.service.applyConfig(config);
    const changed = await exampleConfig();
    changed.skus.find((s) => s.id === 'CONNECTED_SPACES')!.seats = 5;
    const dennis = changed.people.find((p) => p.email === 'dennis@contoso.example')!;
    dennis.adminRoles = ['User management admin', 'Global admin'];
    const margaret = changed.people.find((p) => p.email === 'margaret@contoso.example')!;
    margaret.adminRoles = [];
    expect(await t.service.applyConfig(changed)).toEqual({ warnings: [] });
    expect(await t.service.seatSummary('CONNECTED_SPACES')).toMatchObject({ seats: 5, free: 4 });
    expect(await t.service.isGlobalAdmin('dennis@contoso.example')).toBe(true);
    const dennisAccount = (await t.service.accountByEmail('dennis@contoso.example'))!;
    expect(dennisAccount.adminRoles.sort()).toEqual(['Global admin', 'User management admin']);
    expect((await t.service.accountByEmail('margaret@contoso.example'))!.adminRoles).toEqual([]);
  });
});
