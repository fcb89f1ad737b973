/**
 * The rest of the `Directory` port against Microsoft's documented answers (directory-matrix
 * covers the eleven provisioning writes): the reads, the seat steps, the temporary password and
 * the removal of security roles. Each method meets success, "already done", not found,
 * throttled with Retry-After, no free license and a refusal that is not retryable; where a case
 * cannot happen to a method, its title says why.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { ErrorCode, RetryableError } from '../../src/errors.ts';
import { DirectoryRefusal } from '../../src/graph/index.ts';
import { useTestDatabase } from '../support/db.ts';
import {
  BILLING_ADMIN_TEMPLATE,
  DATAVERSE,
  DV,
  DV_DENIED,
  dataverseError,
  GRAPH,
  GRAPH_DENIED,
  GRAPH_NOT_FOUND,
  graphError,
  SALES_BU,
  SALESPERSON,
  SKU_GUID,
  SYSTEMUSER_ID,
  THROTTLED,
  USER_ID,
  useGraphDirectory,
  useNock,
} from './support.ts';

const db = useTestDatabase('graph/directory-matrix-more');
useNock();

const KEY = 'req_matrix_2';
const SKU = 'D365_SALES';
const ENV = 'sales-prod';
const graph = () => nock(GRAPH);
const dv = () => nock(DATAVERSE);

const ctx = useGraphDirectory(db);

// Microsoft's documented answers.
const DV_NOT_FOUND = dataverseError(
  '0x80040217',
  'The object you tried to delete is associated with another object and cannot be deleted.',
);
const RETRY_AFTER = { 'Retry-After': '2' };

/** Expects a refusal naming the step, the status and Microsoft's code. */
async function expectRefused(call: Promise<unknown>, step: string, status: number, code: string) {
  const error = await call.then(
    () => 'done',
    (e) => e,
  );
  expect(error).toBeInstanceOf(DirectoryRefusal);
  expect(error).toMatchObject({ step, status, apiCode: code });
}

describe('issueTemporaryPassword (T1, T2; "no free license" does not apply: a password takes no license)', () => {
  const reset = () => graph().patch(`/v1.0/users/${USER_ID}`);

  it('success: a new password to change at first sign-in, sent once and returned', async () => {
    let sent: { passwordProfile?: unknown } = {};
    graph()
      .patch(`/v1.0/users/${USER_ID}`, (body) => {
        sent = body;
        return true;
      })
      .reply(204);
    const password = await ctx.directory.issueTemporaryPassword(USER_ID);
    expect(sent.passwordProfile).toEqual({ password, forceChangePasswordNextSignIn: true });
    expect(password.length).toBeGreaterThanOrEqual(12);
  });

  it('already done: does not apply: every call is a new password (T2: the old one is never kept to compare)', async () => {
    reset().reply(204);
    reset().reply(204);
    const first = await ctx.directory.issueTemporaryPassword(USER_ID);
    expect(await ctx.directory.issueTemporaryPassword(USER_ID)).not.toBe(first);
  });

  it('not found: the account is gone: refused naming the step and code', async () => {
    reset().reply(404, GRAPH_NOT_FOUND);
    await expectRefused(
      ctx.directory.issueTemporaryPassword(USER_ID),
      'issueTemporaryPassword',
      404,
      'Request_ResourceNotFound',
    );
  });

  it('throttled with Retry-After: waits what it says, then succeeds', async () => {
    reset().reply(429, THROTTLED, RETRY_AFTER);
    reset().reply(204);
    expect(await ctx.directory.issueTemporaryPassword(USER_ID)).toEqual(expect.any(String));
    expect(ctx.retry.waits).toEqual([2100]);
  });

  it('a refusal that is not retryable (an admin account the app may not reset) names the step and code', async () => {
    reset().reply(403, GRAPH_DENIED);
    await expectRefused(
      ctx.directory.issueTemporaryPassword(USER_ID),
      'issueTemporaryPassword',
      403,
      'Authorization_RequestDenied',
    );
  });
});

describe('removeSecurityRoles (S1–S6)', () => {
  const findUser = (value: unknown[]) =>
    dv().get(`${DV}/systemusers`).query(true).reply(200, { value });
  const theUser = () =>
    findUser([{ systemuserid: SYSTEMUSER_ID, _businessunitid_value: SALES_BU, accessmode: 0 }]);
  const salesperson = () =>
    dv()
      .get(`${DV}/roles`)
      .query(true)
      .reply(200, { value: [{ roleid: SALESPERSON, name: 'Salesperson' }] });
  const held = (value: unknown[]) =>
    dv()
      .get(`${DV}/systemusers(${SYSTEMUSER_ID})/systemuserroles_association`)
      .query(true)
      .reply(200, { value });
  const disassociate = () =>
    dv().delete(
      `${DV}/systemusers(${SYSTEMUSER_ID})/systemuserroles_association(${SALESPERSON})/$ref`,
    );
  const remove = () => ctx.directory.removeSecurityRoles(ENV, USER_ID, ['Salesperson']);

  it('success: disassociates the role; S6 warns when the user has none left', async () => {
    theUser();
    salesperson();
    disassociate().reply(204);
    held([]);
    expect(await remove()).toEqual([expect.stringMatching(/^S6: /)]);
  });

  it('already done: a role not held answers 404, which counts as removed', async () => {
    theUser();
    salesperson();
    disassociate().reply(404, DV_NOT_FOUND);
    held([{ roleid: 'another-role' }]);
    expect(await remove()).toEqual([]);
  });

  it('not found: a user not in the environment holds no role: nothing to remove, no sync asked for (T6)', async () => {
    findUser([]);
    expect(await remove()).toEqual([]);
    expect(nock.pendingMocks()).toEqual([]);
    expect(nock.isDone()).toBe(true);
  });

  it('throttled with Retry-After: waits what it says, then succeeds', async () => {
    theUser();
    salesperson();
    disassociate().reply(429, THROTTLED, RETRY_AFTER);
    disassociate().reply(204);
    held([{ roleid: 'another-role' }]);
    await remove();
    expect(ctx.retry.waits).toEqual([2100]);
  });

  it('no free license: does not apply: removing a role frees, never takes, a license (S6 keeps it)', async () => {
    theUser();
    salesperson();
    disassociate().reply(204);
    held([]);
    await remove();
    expect(await ctx.tenant.seatSummary(SKU)).toMatchObject({ held: 0, assigned: 0, free: 3 });
  });

  it('a refusal that is not retryable names the step and code', async () => {
    theUser();
    salesperson();
    disassociate().reply(403, DV_DENIED);
    await expectRefused(remove(), 'removeSecurityRoles', 403, '0x80040220');
  });
});

describe('releaseSeat (L4, L6)', () => {
  const licenses = (skus: string[]) =>
    graph()
      .get(`/v1.0/users/${USER_ID}`)
      .query(true)
      .reply(200, { id: USER_ID, assignedLicenses: skus.map((skuId) => ({ skuId })) });
  const unassign = () => graph().post(`/v1.0/users/${USER_ID}/assignLicense`);

  /** A seat bound to the account (its license assigned): what releasing takes back. */
  async function boundSeat() {
    await ctx.tenant.holdSeat(SKU, KEY);
    licenses([]);
    unassign().reply(200, { id: USER_ID });
    await ctx.directory.bindSeat(SKU, KEY, USER_ID);
  }

  it('success: removes the license, then frees the seat', async () => {
    await boundSeat();
    licenses([SKU_GUID]);
    unassign().reply(200, { id: USER_ID });
    await ctx.directory.releaseSeat(SKU, KEY);
    expect(await ctx.tenant.seatHolder(SKU, KEY)).toBeUndefined();
  });

  it('already done: the license is no longer assigned: nothing written, the seat freed', async () => {
    await boundSeat();
    licenses([]);
    await ctx.directory.releaseSeat(SKU, KEY);
    expect(await ctx.tenant.seatHolder(SKU, KEY)).toBeUndefined();
  });

  it('not found: a seat only held (no account yet) asks Microsoft nothing; an account gone (404) counts as released', async () => {
    await ctx.tenant.holdSeat(SKU, KEY);
    await ctx.directory.releaseSeat(SKU, KEY);
    expect(await ctx.tenant.seatHolder(SKU, KEY)).toBeUndefined();

    await boundSeat();
    graph().get(`/v1.0/users/${USER_ID}`).query(true).reply(404, GRAPH_NOT_FOUND);
    await ctx.directory.releaseSeat(SKU, KEY);
    expect(await ctx.tenant.seatHolder(SKU, KEY)).toBeUndefined();
  });

  it('throttled with Retry-After: waits what it says, then succeeds', async () => {
    await boundSeat();
    licenses([SKU_GUID]);
    unassign().reply(429, THROTTLED, RETRY_AFTER);
    unassign().reply(200, { id: USER_ID });
    await ctx.directory.releaseSeat(SKU, KEY);
    expect(ctx.retry.waits).toEqual([2100]);
  });

  it('no free license: does not apply: releasing gives a license back, it takes none', async () => {
    await boundSeat();
    licenses([SKU_GUID]);
    unassign().reply(200, { id: USER_ID });
    await ctx.directory.releaseSeat(SKU, KEY);
    expect(await ctx.tenant.seatSummary(SKU)).toMatchObject({ free: 3 });
  });

  it('a refusal that is not retryable names the step and code, and the ledger keeps the seat', async () => {
    await boundSeat();
    licenses([SKU_GUID]);
    unassign().reply(403, GRAPH_DENIED);
    await expectRefused(
      ctx.directory.releaseSeat(SKU, KEY),
      'removeLicense',
      403,
      'Authorization_RequestDenied',
    );
    expect(await ctx.tenant.seatHolder(SKU, KEY)).toBeDefined();
  });
});

describe('holdSeat, hasFreeSeat, confirmSeat (L1–L4)', () => {
  const subscribed = () => graph().get('/v1.0/subscribedSkus').query(true).times(1);
  const left = (consumed: number) =>
    subscribed().reply(200, {
      value: [{ skuId: SKU_GUID, consumedUnits: consumed, prepaidUnits: { enabled: 25 } }],
    });

  it('success: a license left in Microsoft 365 and a free ledger seat: the seat is held', async () => {
    left(24);
    await ctx.directory.holdSeat(SKU, KEY);
    expect(await ctx.tenant.seatHolder(SKU, KEY)).toBeDefined();
    left(24);
    expect(await ctx.directory.hasFreeSeat(SKU)).toBe(true);
  });

  it('already done: holding the same key again keeps one seat', async () => {
    left(24);
    await ctx.directory.holdSeat(SKU, KEY);
    left(24);
    await ctx.directory.holdSeat(SKU, KEY);
    expect(await ctx.tenant.seatSummary(SKU)).toMatchObject({ held: 1, free: 2 });
  });

  it('not found: a SKU the tenant file lacks is refused by rule; one Microsoft 365 does not subscribe has no license left', async () => {
    await expect(ctx.directory.holdSeat('NO_SUCH_SKU', KEY)).rejects.toMatchObject({
      code: ErrorCode.NotFound,
      rule: 'L1',
    });
    subscribed().reply(200, { value: [] });
    await expect(ctx.directory.holdSeat(SKU, KEY)).rejects.toMatchObject({
      code: ErrorCode.NoFreeSeat,
      rule: 'L3',
    });
  });

  it('throttled with Retry-After: waits what it says, then holds', async () => {
    subscribed().reply(429, THROTTLED, RETRY_AFTER);
    left(0);
    await ctx.directory.holdSeat(SKU, KEY);
    expect(ctx.retry.waits).toEqual([2100]);
  });

  it('throttled past the cap: retryable, and no seat is held', async () => {
    subscribed().reply(429, THROTTLED, { 'Retry-After': '120' });
    await expect(ctx.directory.holdSeat(SKU, KEY)).rejects.toBeInstanceOf(RetryableError);
    expect(await ctx.tenant.seatHolder(SKU, KEY)).toBeUndefined();
  });

  it('no free license (L3): the ledger has seats but Microsoft 365 none: no seat held, none free', async () => {
    left(25);
    await expect(ctx.directory.holdSeat(SKU, KEY)).rejects.toMatchObject({
      code: ErrorCode.NoFreeSeat,
    });
    left(25);
    expect(await ctx.directory.hasFreeSeat(SKU)).toBe(false);
    expect(await ctx.tenant.seatSummary(SKU)).toMatchObject({ held: 0, free: 3 });
  });

  it('a refusal that is not retryable names the step and code, and holds no seat', async () => {
    subscribed().reply(403, GRAPH_DENIED);
    await expectRefused(
      ctx.directory.holdSeat(SKU, KEY),
      'licensesLeft',
      403,
      'Authorization_RequestDenied',
    );
    expect(await ctx.tenant.seatHolder(SKU, KEY)).toBeUndefined();
  });

  it('confirmSeat: only the ledger: the license was assigned at bindSeat, so no Microsoft answer applies', async () => {
    await ctx.tenant.holdSeat(SKU, KEY);
    graph()
      .get(`/v1.0/users/${USER_ID}`)
      .query(true)
      .reply(200, { id: USER_ID, assignedLicenses: [{ skuId: SKU_GUID }] });
    await ctx.directory.bindSeat(SKU, KEY, USER_ID);
    await ctx.directory.confirmSeat(SKU, KEY);
    expect(await ctx.tenant.seatSummary(SKU)).toMatchObject({ held: 0, assigned: 1 });
  });
});

describe('holdingsOf (a read: "already done" and "no free license" do not apply)', () => {
  const assignmentsOf = (template: string) =>
    graph()
      .get('/v1.0/roleManagement/directory/roleAssignments')
      .query((q) => String(q.$filter).includes(template));
  const noOtherRoles = () =>
    graph()
      .get('/v1.0/roleManagement/directory/roleAssignments')
      .query((q) => !String(q.$filter).includes(BILLING_ADMIN_TEMPLATE))
      .times(6)
      .reply(200, { value: [] });
  // T4: the sign-in state, read last (a rehire keeps the account; see holdings.test.ts).
  const signIn = (accountEnabled: boolean | undefined) => {
    const read = graph().get(`/v1.0/users/${USER_ID}`).query({ $select: 'accountEnabled' });
    return accountEnabled === undefined
      ? read.reply(404, GRAPH_NOT_FOUND)
      : read.reply(200, { id: USER_ID, accountEnabled });
  };

  it('success: the admin roles Entra assigns tenant-wide, the environments, the seats', async () => {
    noOtherRoles();
    assignmentsOf(BILLING_ADMIN_TEMPLATE).reply(200, {
      value: [{ id: 'ra-1', principalId: USER_ID, directoryScopeId: '/' }],
    });
    signIn(true);
    expect(await ctx.directory.holdingsOf(USER_ID)).toEqual({
      environments: [ENV],
      adminRoles: ['Billing admin'],
      skus: [],
      signInAllowed: true,
    });
  });

  it('not found: an account Entra does not know has no assignment (an empty list, as Graph filters)', async () => {
    noOtherRoles();
    assignmentsOf(BILLING_ADMIN_TEMPLATE).reply(200, { value: [] });
    signIn(undefined);
    expect(await ctx.directory.holdingsOf(USER_ID)).toEqual({
      environments: [ENV],
      adminRoles: [],
      skus: [],
      signInAllowed: undefined,
    });
  });

  it('an assignment scoped to an administrative unit is not a tenant-wide role', async () => {
    noOtherRoles();
    assignmentsOf(BILLING_ADMIN_TEMPLATE).reply(200, {
      value: [{ id: 'ra-2', principalId: USER_ID, directoryScopeId: '/administrativeUnits/x' }],
    });
    signIn(false);
    expect((await ctx.directory.holdingsOf(USER_ID)).adminRoles).toEqual([]);
  });

  it('throttled with Retry-After: waits what it says, then reads', async () => {
    noOtherRoles();
    assignmentsOf(BILLING_ADMIN_TEMPLATE).reply(429, THROTTLED, RETRY_AFTER);
    assignmentsOf(BILLING_ADMIN_TEMPLATE).reply(200, { value: [] });
    signIn(true);
    expect((await ctx.directory.holdingsOf(USER_ID)).signInAllowed).toBe(true);
    expect(ctx.retry.waits).toEqual([2100]);
  });

  it('a refusal that is not retryable names the step and code', async () => {
    graph()
      .get('/v1.0/roleManagement/directory/roleAssignments')
      .query(true)
      .reply(403, GRAPH_DENIED);
    await expectRefused(
      ctx.directory.holdingsOf(USER_ID),
      'roleAssignments',
      403,
      'Authorization_RequestDenied',
    );
  });
});

describe('accountIdByEmail, accountIdByKey (reads: "already done" and "no free license" do not apply)', () => {
  const EMAIL = 'katherine@example.org';
  const byEmail = (otherMails: boolean) =>
    graph()
      .get('/v1.0/users')
      .query((q) => String(q.$filter).startsWith('otherMails') === otherMails);
  const byMark = () =>
    graph()
      .get('/v1.0/users')
      .matchHeader('consistencylevel', 'eventual')
      .query((q) => String(q.$filter).includes(`accessdesk:${KEY}`));

  it('success: by user name or mail, then among other mails; by the request mark', async () => {
    byEmail(false).reply(200, { value: [] });
    byEmail(true).reply(200, { value: [{ id: USER_ID, userPrincipalName: 'k@contoso.example' }] });
    expect(await ctx.directory.accountIdByEmail(EMAIL)).toBe(USER_ID);
    byMark().reply(200, { value: [{ id: USER_ID }] });
    expect(await ctx.directory.accountIdByKey(KEY)).toBe(USER_ID);
  });

  it('not found: Graph filters answer an empty list: undefined, not an error', async () => {
    byEmail(false).reply(200, { value: [] });
    byEmail(true).reply(200, { value: [] });
    expect(await ctx.directory.accountIdByEmail(EMAIL)).toBeUndefined();
    byMark().reply(200, { value: [] });
    expect(await ctx.directory.accountIdByKey(KEY)).toBeUndefined();
  });

  it('throttled with Retry-After: waits what it says, then reads', async () => {
    byEmail(false).reply(429, THROTTLED, RETRY_AFTER);
    byEmail(false).reply(200, { value: [{ id: USER_ID, userPrincipalName: EMAIL }] });
    expect(await ctx.directory.accountIdByEmail(EMAIL)).toBe(USER_ID);
    byMark().reply(429, THROTTLED, RETRY_AFTER);
    byMark().reply(200, { value: [{ id: USER_ID }] });
    expect(await ctx.directory.accountIdByKey(KEY)).toBe(USER_ID);
    expect(ctx.retry.waits).toEqual([2100, 2100]);
  });

  it('a refusal that is not retryable names the step and code', async () => {
    byEmail(false).reply(403, GRAPH_DENIED);
    await expectRefused(
      ctx.directory.accountIdByEmail(EMAIL),
      'accountIdByEmail',
      403,
      'Authorization_RequestDenied',
    );
    byMark().reply(
      400,
      graphError('Request_UnsupportedQuery', 'Unsupported or invalid query filter clause.'),
    );
    await expectRefused(
      ctx.directory.accountIdByKey(KEY),
      'accountIdByKey',
      400,
      'Request_UnsupportedQuery',
    );
  });
});
