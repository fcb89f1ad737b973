import { describe, expect, it } from 'vitest';
import { ErrorCode, RuleViolation } from '../../src/errors.ts';
import { onboard, smallConfig, useTenant } from './helpers.ts';

const t = useTenant('tenant/access-modes');

async function setup(limit = 7, seats = 10) {
  const config = smallConfig();
  config.environments.find((e) => e.id === 'sales-prod')!.nonInteractiveLimit = limit;
  config.skus.find((s) => s.id === 'D365_SALES')!.seats = seats;
  await t.service.applyConfig(config);
}

describe('access modes', () => {
  it('M1: Read-Write is the default for licensed users, who need their license', async () => {
    await setup();
    const a = await onboard(t.service, 'Read', 'Write', { roles: ['Basic User'] });
    expect((await t.service.environmentUser('sales-prod', a._id))!.accessMode).toBe('read_write');
    expect(await t.service.enablement('sales-prod', a._id)).toMatchObject({
      enabled: true,
      accessMode: 'read_write',
    });
    await t.service.releaseSeat('D365_SALES', `license:${a._id}`);
    expect((await t.service.enablement('sales-prod', a._id)).enabled).toBe(false);
  });

  it('M2: Administrative is set up with a license, then keeps working after the license is removed', async () => {
    await setup();
    const { account } = await t.service.createAccount({
      personEmail: 'adm@personal.example',
      firstName: 'Admin',
      lastName: 'Istrative',
    });
    await t.service.addToSecurityGroup('sales-prod', account._id);
    await expect(
      t.service.setAccessMode('sales-prod', account._id, 'administrative'),
    ).rejects.toMatchObject({ code: ErrorCode.NotAllowed, rule: 'M2' });
    await t.service.assignSeat('D365_SALES', 'setup', { accountId: account._id });
    const ada = (await t.service.accountByEmail('ada@contoso.example'))!;
    await t.service.addToSecurityGroup('sales-prod', ada._id);
    await expect(
      t.service.setAccessMode('sales-prod', account._id, 'administrative', { by: ada._id }),
    ).rejects.toMatchObject({ rule: 'M2' });
    const grace = (await t.service.accountByEmail('grace@contoso.example'))!;
    await t.service.addToSecurityGroup('sales-prod', grace._id);
    await t.service.setAccessMode('sales-prod', account._id, 'administrative', { by: grace._id });
    await t.service.releaseSeat('D365_SALES', 'setup');
    const user = (await t.service.environmentUser('sales-prod', account._id))!;
    expect(user.accessMode).toBe('administrative');
    expect(await t.service.enablement('sales-prod', account._id)).toMatchObject({
      enabled: true,
      licensed: false,
      accessMode: 'administrative',
    });
  });

  it('M3: non-interactive users need a license to set up, then none; the cap is per environment', async () => {
    await setup(2);
    const [a, b, c] = [
      await onboard(t.service, 'Bot', 'One'),
      await onboard(t.service, 'Bot', 'Two'),
      await onboard(t.service, 'Bot', 'Three'),
    ];
    await t.service.setAccessMode('sales-prod', a!._id, 'non_interactive');
    await t.service.setAccessMode('sales-prod', a!._id, 'non_interactive');
    await t.service.setAccessMode('sales-prod', b!._id, 'non_interactive');
    await expect(
      t.service.setAccessMode('sales-prod', c!._id, 'non_interactive'),
    ).rejects.toMatchObject({ code: ErrorCode.NonInteractiveLimit, rule: 'M3' });
    await t.service.releaseSeat('D365_SALES', `license:${a!._id}`);
    expect((await t.service.enablement('sales-prod', a!._id)).enabled).toBe(true);
    // Back to read-write frees the place (and needs the license again).
    await t.service.setAccessMode('sales-prod', b!._id, 'read_write');
    await t.service.setAccessMode('sales-prod', c!._id, 'non_interactive');
    const env = (await t.service.models.Environment.findById('sales-prod').lean())!;
    expect(await t.service.nonInteractiveHolders('sales-prod')).toEqual([a!._id, c!._id].sort());
    expect(env).toMatchObject({ nonInteractiveFree: 0, nonInteractiveInflight: [] });
    expect(await t.service.verifyNonInteractive()).toEqual([]);
  });

  it('M3: 20 parallel non-interactive conversions against a limit of 7 leave exactly 7', async () => {
    await setup(7, 25);
    const accounts = [];
    for (let i = 0; i < 20; i++) accounts.push(await onboard(t.service, 'Connector', `N${i}`));
    const results = await Promise.allSettled(
      accounts.map((a) => t.service.setAccessMode('sales-prod', a._id, 'non_interactive')),
    );
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(7);
    expect(lost).toHaveLength(13);
    for (const r of lost) {
      expect(r.reason).toBeInstanceOf(RuleViolation);
      expect(r.reason).toMatchObject({ code: 'non_interactive_limit', rule: 'M3' });
    }
    const env = (await t.service.models.Environment.findById('sales-prod').lean())!;
    expect(await t.service.nonInteractiveHolders('sales-prod')).toHaveLength(7);
    expect(env).toMatchObject({ nonInteractiveFree: 0, nonInteractiveInflight: [] });
    expect(await t.service.verifyNonInteractive()).toEqual([]);
    expect(
      await t.service.models.EnvironmentUser.countDocuments({ accessMode: 'non_interactive' }),
    ).toBe(7);
  });

  it('M3: the limit is a per-environment setting defaulting to 7 and never below its use', async () => {
    await setup(1);
    const env = (await t.service.models.Environment.findById('apps-dev').lean())!;
    expect(env.nonInteractiveLimit).toBe(7);
    const a = await onboard(t.service, 'Only', 'Bot');
    await t.service.setAccessMode('sales-prod', a._id, 'non_interactive');
    const lower = smallConfig();
    lower.environments.find((e) => e.id === 'sales-prod')!.nonInteractiveLimit = 0;
    await expect(t.service.applyConfig(lower)).rejects.toMatchObject({ rule: 'M3' });
    const higher = smallConfig();
    higher.environments.find((e) => e.id === 'sales-prod')!.nonInteractiveLimit = 5;
    await t.service.applyConfig(higher);
    const after = (await t.service.models.Environment.findById('sales-prod').lean())!;
    expect(after).toMatchObject({ nonInteractiveLimit: 5, nonInteractiveFree: 4 });
  });

  it('M4: application users are enabled at once, uncounted, unlimited; disabling one warns', async () => {
    await setup(1);
    for (let i = 0; i < 5; i++) {
      const { user, created } = await t.service.createApplicationUser('sales-prod', {
        appId: `app-${i}`,
        name: `Integration ${i}`,
        roles: ['System Customizer'],
      });
      expect(created).toBe(true);
      expect(user).toMatchObject({ applicationUser: true, accessMode: 'application' });
      expect(await t.service.enablement('sales-prod', `app:app-${i}`)).toMatchObject({
        enabled: true,
        canUse: true,
      });
    }
    expect(
      (await t.service.createApplicationUser('sales-prod', { appId: 'app-0', name: 'Again' }))
        .created,
    ).toBe(false);
    const env = (await t.service.models.Environment.findById('sales-prod').lean())!;
    expect(env).toMatchObject({ nonInteractiveFree: 1 });
    expect(await t.service.nonInteractiveHolders('sales-prod')).toEqual([]);
    const { warnings } = await t.service.setApplicationUserEnabled('sales-prod', 'app-0', false);
    expect(warnings).toEqual([expect.stringMatching(/^M4: .*breaks every integration/)]);
    expect((await t.service.enablement('sales-prod', 'app:app-0')).enabled).toBe(false);
    await expect(
      t.service.setAccessMode('sales-prod', 'app:app-1', 'read_write'),
    ).rejects.toMatchObject({ rule: 'M4' });
  });

  it('M5: stub users come only from data import, get the default role, and can never be enabled', async () => {
    await setup();
    const kat = await onboard(t.service, 'Katherine', 'Johnson');
    const dyn = await t.service.importStubUsers('sales-prod', [
      'Dorothy Vaughan',
      'Katherine Johnson',
    ]);
    expect(dyn.matched).toEqual(['Katherine Johnson']);
    expect(dyn.stubs).toHaveLength(1);
    expect(dyn.stubs[0]).toMatchObject({
      stub: true,
      roles: ['Salesperson'],
      fullName: 'Dorothy Vaughan',
    });
    const apps = await t.service.importStubUsers('apps-dev', ['Dorothy Vaughan']);
    expect(apps.stubs[0]!.roles).toEqual(['Basic User']);
    const stubId = dyn.stubs[0]!.accountId;
    expect(await t.service.enablement('sales-prod', stubId)).toMatchObject({
      enabled: false,
      reasons: ['M5: a stub user can never be enabled'],
    });
    await expect(t.service.addToSecurityGroup('sales-prod', stubId)).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
    await expect(t.service.setAccessMode('sales-prod', stubId, 'read_write')).rejects.toMatchObject(
      {
        rule: 'M5',
      },
    );
    expect(await t.service.accountById(stubId)).toBeNull();
    expect((await t.service.importStubUsers('sales-prod', ['Dorothy Vaughan'])).stubs).toHaveLength(
      1,
    );
    expect(await t.service.models.EnvironmentUser.countDocuments({ stub: true })).toBe(2);
    expect(kat.upn).toBe('katherine.johnson@contoso.example');
  });
});
