import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { onboard, smallConfig, useTenant } from './helpers.ts';

const t = useTenant('tenant/environments');

async function setup() {
  await t.service.applyConfig(smallConfig());
}

describe('enablement', () => {
  it('E1: enabled exactly when sign-in is allowed, licensed, and a direct member of the group', async () => {
    await setup();
    const { account } = await t.service.createAccount({
      personEmail: 'e1@personal.example',
      firstName: 'Edith',
      lastName: 'Clarke',
    });
    await t.service.provisionUser('sales-prod', account._id);
    const none = await t.service.enablement('sales-prod', account._id);
    expect(none.enabled).toBe(false);
    expect(none.reasons).toEqual([
      'L1: no license for this service',
      'E1: not a direct member of security group sg-sales-prod',
      'S1: no security role in this environment (directly or through a team)',
    ]);
    await t.service.assignSeat('D365_SALES', 'lic', { accountId: account._id });
    expect((await t.service.enablement('sales-prod', account._id)).enabled).toBe(false);
    await t.service.addToSecurityGroup('sales-prod', account._id);
    expect((await t.service.enablement('sales-prod', account._id)).enabled).toBe(true);
    // A seat of another SKU does not license this environment.
    await t.service.releaseSeat('D365_SALES', 'lic');
    await t.service.assignSeat('POWERAPPS', 'lic', { accountId: account._id });
    expect((await t.service.enablement('sales-prod', account._id)).enabled).toBe(false);
  });

  it('E2: disabling by leaving the group works; removing the license also disables here', async () => {
    await setup();
    const a = await onboard(t.service, 'Group', 'Leaver');
    await t.service.removeFromSecurityGroup('sales-prod', a._id);
    expect((await t.service.enablement('sales-prod', a._id)).enabled).toBe(false);
    const b = await onboard(t.service, 'License', 'Loser');
    await t.service.releaseSeat('D365_SALES', `license:${b._id}`);
    expect((await t.service.enablement('sales-prod', b._id)).enabled).toBe(false);
  });

  it('L6: removing the user from the security group does not free the seat', async () => {
    await setup();
    const a = await onboard(t.service, 'Seat', 'Keeper');
    const before = await t.service.seatSummary('D365_SALES');
    await t.service.removeFromSecurityGroup('sales-prod', a._id);
    expect(await t.service.seatSummary('D365_SALES')).toEqual(before);
    expect(await t.service.seatsOf(a._id)).toHaveLength(1);
  });

  it('E3: enabling a user who was disabled requires a new invitation', async () => {
    await setup();
    const a = await onboard(t.service, 'Come', 'Back');
    expect((await t.service.addToSecurityGroup('sales-prod', a._id)).invitationRequired).toBe(
      false,
    );
    await t.service.removeFromSecurityGroup('sales-prod', a._id);
    const again = await t.service.addToSecurityGroup('sales-prod', a._id);
    expect(again.invitationRequired).toBe(true);
    expect((await t.service.enablement('sales-prod', a._id)).invitationRequired).toBe(true);
    await t.service.recordInvitationAccepted('sales-prod', a._id);
    expect((await t.service.enablement('sales-prod', a._id)).invitationRequired).toBe(false);
  });

  it('E4: nested groups are ignored: only direct members count', async () => {
    await setup();
    const a = await onboard(t.service, 'Nested', 'Member');
    await t.service.removeFromSecurityGroup('sales-prod', a._id);
    await t.service.addToGroup('sg-contractors', a._id);
    const report = await t.service.enablement('sales-prod', a._id);
    expect(report.enabled).toBe(false);
    expect(report.reasons).toContain(
      'E4: only a member of a group nested in sg-sales-prod; nested groups do not count',
    );
  });

  it('E5: records can still be assigned to a disabled user', async () => {
    await setup();
    const a = await onboard(t.service, 'Record', 'Owner', {
      unit: 'sales',
      roles: ['Salesperson'],
    });
    await t.service.removeFromSecurityGroup('sales-prod', a._id);
    expect((await t.service.enablement('sales-prod', a._id)).enabled).toBe(false);
    expect(await t.service.canAssignRecordsTo('sales-prod', a._id)).toBe(true);
    expect(await t.service.canAssignRecordsTo('sales-prod', 'acc_unknown')).toBe(false);
  });

  it('E6: environments without a database have no enable/disable', async () => {
    await setup();
    const a = await onboard(t.service, 'No', 'Database');
    const report = await t.service.enablement('intranet', a._id);
    expect(report).toMatchObject({ applicable: false, enabled: false });
    expect(report.reasons).toEqual(['E6: this environment has no database']);
    await expect(t.service.addToSecurityGroup('intranet', a._id)).rejects.toMatchObject({
      code: ErrorCode.NotAllowed,
      rule: 'E6',
    });
  });
});

describe('security roles and business units', () => {
  it('S1: a licensed, enabled user without a security role cannot use the environment', async () => {
    await setup();
    const a = await onboard(t.service, 'No', 'Role');
    const report = await t.service.enablement('sales-prod', a._id);
    expect(report).toMatchObject({ enabled: true, canUse: false });
    expect(report.reasons).toContain(
      'S1: no security role in this environment (directly or through a team)',
    );
    await t.service.addToTeam('sales-prod', a._id, 'managers');
    expect(await t.service.enablement('sales-prod', a._id)).toMatchObject({ canUse: true });
  });

  it('S2: roles add up: direct and team roles give their union', async () => {
    await setup();
    const a = await onboard(t.service, 'Many', 'Roles', { unit: 'sales', roles: ['Salesperson'] });
    await t.service.addToTeam('sales-prod', a._id, 'managers');
    await t.service.assignSecurityRoles('sales-prod', a._id, ['Sales Manager', 'Salesperson']);
    expect((await t.service.enablement('sales-prod', a._id)).effectiveRoles).toEqual([
      'Salesperson',
      'Sales Manager',
    ]);
  });

  it('S3: only roles of the user’s own business unit can be given', async () => {
    await setup();
    const a = await onboard(t.service, 'Unit', 'Bound');
    await expect(
      t.service.assignSecurityRoles('sales-prod', a._id, ['Sales Manager']),
    ).rejects.toMatchObject({ code: ErrorCode.RoleOutsideBusinessUnit, rule: 'S3' });
    await t.service.assignSecurityRoles('sales-prod', a._id, ['Basic User']);
    const moved = await t.service.assignBusinessUnit('sales-prod', a._id, 'sales');
    expect(moved.warnings).toEqual([
      'S3: roles of the previous business unit were removed: Basic User',
    ]);
    await t.service.assignSecurityRoles('sales-prod', a._id, ['Sales Manager']);
    expect((await t.service.environmentUser('sales-prod', a._id))!.roles).toEqual([
      'Sales Manager',
    ]);
    await expect(t.service.assignBusinessUnit('sales-prod', a._id, 'mars')).rejects.toMatchObject({
      rule: 'S3',
    });
  });

  it('S4: a role copied a moment ago can be given at once, though provisioning reads the configuration once', async () => {
    await setup();
    // Provisioning someone reads (and keeps for two seconds) the environment's configuration.
    const a = await onboard(t.service, 'Early', 'Bird', { roles: ['Salesperson'] });
    await t.service.copySecurityRole('sales-prod', 'Salesperson', 'Key Account Manager');
    await t.service.assignSecurityRoles('sales-prod', a._id, ['Key Account Manager']);
    expect((await t.service.environmentUser('sales-prod', a._id))!.roles).toEqual([
      'Salesperson',
      'Key Account Manager',
    ]);
    // A role no unit has is still refused (S3): the kept configuration is checked, not skipped.
    await expect(
      t.service.assignSecurityRoles('sales-prod', a._id, ['Made Up Role']),
    ).rejects.toMatchObject({ rule: 'S3' });
  });

  it('S4: environments start with default roles; a custom role is a copy under a new name', async () => {
    await setup();
    const env = (await t.service.models.Environment.findById('apps-dev').lean())!;
    expect(env.businessUnits[0]!.roles).toEqual([
      'System Administrator',
      'System Customizer',
      'Salesperson',
      'Basic User',
    ]);
    expect(
      await t.service.copySecurityRole('sales-prod', 'Salesperson', 'Senior Salesperson'),
    ).toBe('root');
    await expect(
      t.service.copySecurityRole('sales-prod', 'Salesperson', 'Senior Salesperson'),
    ).rejects.toMatchObject({ rule: 'S4' });
    await expect(t.service.copySecurityRole('sales-prod', 'Nope', 'X')).rejects.toMatchObject({
      rule: 'S4',
    });
    const a = await onboard(t.service, 'Custom', 'Role', { roles: ['Senior Salesperson'] });
    expect((await t.service.environmentUser('sales-prod', a._id))!.roles).toEqual([
      'Senior Salesperson',
    ]);
    await t.service.applyConfig(smallConfig());
    const after = (await t.service.models.Environment.findById('sales-prod').lean())!;
    expect(after.businessUnits[0]!.roles).toContain('Senior Salesperson');
  });

  it('S5: roles go only to enabled users unless the environment allows disabled ones', async () => {
    await setup();
    const a = await onboard(t.service, 'Disabled', 'User');
    await t.service.removeFromSecurityGroup('sales-prod', a._id);
    await expect(
      t.service.assignSecurityRoles('sales-prod', a._id, ['Basic User']),
    ).rejects.toMatchObject({ code: ErrorCode.UserDisabled, rule: 'S5' });
    await t.service.provisionUser('apps-dev', a._id);
    const user = await t.service.assignSecurityRoles('apps-dev', a._id, ['Basic User']);
    expect(user.roles).toEqual(['Basic User']);
    expect((await t.service.enablement('apps-dev', a._id)).enabled).toBe(false);
  });

  it('S6: removing every role blocks access, keeps the license and the user enabled, and warns', async () => {
    await setup();
    const a = await onboard(t.service, 'Role', 'Less', {
      roles: ['Basic User', 'System Customizer'],
    });
    const partial = await t.service.removeSecurityRoles('sales-prod', a._id, ['Basic User']);
    expect(partial.warnings).toEqual([]);
    const last = await t.service.removeSecurityRoles('sales-prod', a._id, ['System Customizer']);
    expect(last.warnings).toEqual([expect.stringMatching(/^S6: .*security group/)]);
    const report = await t.service.enablement('sales-prod', a._id);
    expect(report).toMatchObject({ enabled: true, canUse: false, licensed: true });
    expect(await t.service.seatsOf(a._id)).toHaveLength(1);
  });
});
