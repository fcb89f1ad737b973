import { describe, expect, it } from 'vitest';
import type { AccessMode } from '../../src/tenant/access.rules.ts';
import { groupMemberId } from '../../src/tenant/tenant.model.ts';
import { smallConfig, useTenant } from './helpers.ts';

/**
 * One new hire placed in an environment in one call (the built-in directory's environment step
 * of P1), against the four steps one at a time.
 */
const t = useTenant('tenant/place-one');

/** A new account holding a `sku` seat, as the directory step of P1 leaves it. */
async function newHire(name: string, sku = 'D365_SALES') {
  const { account } = await t.service.createAccount({
    idempotencyKey: `test:${name}`,
    personEmail: `${name}@personal.example`,
    firstName: name,
    lastName: 'Hire',
  });
  await t.service.assignSeat(sku, `license:${account._id}`, { accountId: account._id });
  return account;
}

type Placement = Parameters<typeof t.service.placeOneInEnvironment>[1];
const placement = (
  account: Placement['account'],
  over: Partial<Omit<Placement, 'account'>> = {},
): Placement => ({
  account,
  sku: 'D365_SALES',
  businessUnit: 'sales',
  roles: ['Salesperson'],
  accessMode: 'read_write' as AccessMode,
  ...over,
});

/** What a record says, without what differs by person or time. */
async function recordOf(envId: string, accountId: string) {
  const record = await t.service.environmentUser(envId, accountId);
  if (!record) return null;
  const { _id, accountId: _a, createdAt, fullName, profile, ...rest } = record;
  return rest;
}

describe('placing a new account in its environment in one call', () => {
  it('E1/S3/S5: leaves the account as the four steps do: member, unit, roles, mode, enabled', async () => {
    await t.service.applyConfig(smallConfig());
    const oneCall = await newHire('ona');
    const steps = await newHire('stefan');

    expect(await t.service.placeOneInEnvironment('sales-prod', placement(oneCall))).toBe(true);
    await t.service.addToSecurityGroup('sales-prod', steps._id);
    await t.service.assignBusinessUnit('sales-prod', steps._id, 'sales');
    await t.service.assignSecurityRoles('sales-prod', steps._id, ['Salesperson']);
    await t.service.setAccessMode('sales-prod', steps._id, 'read_write');

    const placed = await recordOf('sales-prod', oneCall._id);
    expect(placed).toMatchObject({ businessUnit: 'sales', roles: ['Salesperson'] });
    expect(placed).toEqual(await recordOf('sales-prod', steps._id));
    const enablement = await t.service.enablement('sales-prod', oneCall._id);
    expect(enablement).toMatchObject({ enabled: true, canUse: true });
    expect(enablement).toEqual(await t.service.enablement('sales-prod', steps._id));
  });

  it('E1: a second call changes nothing (a retry after a crash): one record, one membership', async () => {
    await t.service.applyConfig(smallConfig());
    const account = await newHire('ida');
    expect(await t.service.placeOneInEnvironment('sales-prod', placement(account))).toBe(true);
    const first = await t.service.environmentUser('sales-prod', account._id);

    expect(await t.service.placeOneInEnvironment('sales-prod', placement(account))).toBe(true);

    expect(await t.service.environmentUser('sales-prod', account._id)).toEqual(first);
    const members = t.service.models.GroupMember;
    expect(await members.countDocuments({ accountId: account._id })).toBe(1);
    expect(await members.exists({ _id: groupMemberId('sg-sales-prod', account._id) })).toBeTruthy();
  });

  it.each([
    { rule: 'S3', why: 'a role of another business unit', over: { roles: ['Basic User'] } },
    { rule: 'S3', why: 'a business unit the environment lacks', over: { businessUnit: 'nowhere' } },
    {
      rule: 'A1',
      why: 'an admin role given as a security role',
      over: { roles: ['Global admin'] },
    },
    {
      rule: 'M1',
      why: 'another access mode',
      over: { accessMode: 'administrative' as AccessMode },
    },
  ])('$rule: $why is left to the steps (false), and nothing is written', async ({ over }) => {
    await t.service.applyConfig(smallConfig());
    const account = await newHire('rita');

    expect(await t.service.placeOneInEnvironment('sales-prod', placement(account, over))).toBe(
      false,
    );

    expect(await t.service.environmentUser('sales-prod', account._id)).toBeNull();
    expect(await t.service.models.GroupMember.countDocuments({ accountId: account._id })).toBe(0);
  });

  it('S5: an account that may not sign in (so not enabled) is left to the steps (false)', async () => {
    await t.service.applyConfig(smallConfig());
    const account = await newHire('bea');
    const blocked = await t.service.setSignInAllowed(account._id, false);

    expect(await t.service.placeOneInEnvironment('sales-prod', placement(blocked))).toBe(false);
    expect(await t.service.environmentUser('sales-prod', account._id)).toBeNull();
  });

  it('A5: Connected Spaces goes step by step (its license is checked there)', async () => {
    await t.service.applyConfig(smallConfig());
    const account = await newHire('cora', 'CONNECTED_SPACES');
    const stores = placement(account, { sku: 'CONNECTED_SPACES', businessUnit: 'root', roles: [] });

    expect(await t.service.placeOneInEnvironment('stores', stores)).toBe(false);
    expect(await t.service.environmentUser('stores', account._id)).toBeNull();
  });

  it('E6: an environment without a database has no environment step: done, nothing written', async () => {
    await t.service.applyConfig(smallConfig());
    const account = await newHire('nina');

    expect(await t.service.placeOneInEnvironment('intranet', placement(account))).toBe(true);
    expect(await t.service.environmentUser('intranet', account._id)).toBeNull();
  });

  it('S3: a record made otherwise before (another unit) is left to the steps (false), unchanged', async () => {
    await t.service.applyConfig(smallConfig());
    const account = await newHire('otto');
    await t.service.addToSecurityGroup('sales-prod', account._id); // the root unit, no role
    const before = await t.service.environmentUser('sales-prod', account._id);

    expect(await t.service.placeOneInEnvironment('sales-prod', placement(account))).toBe(false);

    expect(await t.service.environmentUser('sales-prod', account._id)).toEqual(before);
  });
});
