import nock from 'nock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { ErrorCode, RetryableError, RuleViolation } from '../../src/errors.ts';
import { DirectoryRefusal, GraphDirectory } from '../../src/graph/index.ts';
import { TenantDirectory } from '../../src/lifecycle/tenant-directory.ts';
import { directoryApiErrors, directoryApiRetries } from '../../src/observability/metrics.ts';
import { TenantService } from '../../src/tenant/tenant.service.ts';
import { parseTenantConfig } from '../../src/tenant/tenant-file.ts';
import { newHire } from '../lifecycle/support.ts';
import { useTestDatabase } from '../support/db.ts';
import {
  BILLING_ADMIN_TEMPLATE,
  freshGraphDirectory,
  GLOBAL_ADMIN_TEMPLATE,
  GRAPH,
  GROUP_ID,
  graphError,
  graphTenantYaml,
  type recordingRetry,
  SKU_GUID,
  staticTokens,
  USER_ID,
  useNock,
} from './support.ts';

const db = useTestDatabase('graph/entra');
useNock();

const KEY = 'req_graph_1';
const SKU = 'D365_SALES';
const UPN = 'katherine.johnson1@contoso.example';
const userPath = (upn: string) => `/v1.0/users/${encodeURIComponent(upn)}`;
const notFound = graphError(
  'Request_ResourceNotFound',
  "Resource 'x' does not exist or one of its queried reference-property objects are not present.",
);
const ours = (id = USER_ID, upn = UPN) => ({
  id,
  userPrincipalName: upn,
  onPremisesExtensionAttributes: { extensionAttribute15: `accessdesk:${KEY}` },
});

/** Graph's answers to the email lookups createAccount starts with: `found` by other mails. */
function byEmail(email: string, found: unknown[] = []) {
  graph()
    .get('/v1.0/users')
    .query((q) => q.$filter === `userPrincipalName eq '${email}' or mail eq '${email}'`)
    .reply(200, { value: [] });
  graph()
    .get('/v1.0/users')
    .query((q) => q.$filter === `otherMails/any(m:m eq '${email}')`)
    .reply(200, { value: found });
}
const HIRE_EMAIL = 'katherine1@example.org';

/** subscribedSkus as Graph lists it: the SKU with `left` of its 25 licenses unassigned. */
function licensesLeft(left: number) {
  graph()
    .get('/v1.0/subscribedSkus')
    .query(true)
    .reply(200, {
      value: [
        {
          skuId: SKU_GUID,
          skuPartNumber: 'DYN365_ENTERPRISE_SALES',
          appliesTo: 'User',
          capabilityStatus: 'Enabled',
          consumedUnits: 25 - left,
          prepaidUnits: { enabled: 25, suspended: 0, warning: 0, lockedOut: 0 },
        },
      ],
    });
}

let tenant: TenantService;
let retry: ReturnType<typeof recordingRetry>;
let directory: GraphDirectory;
const graph = () => nock(GRAPH);

beforeAll(() => {
  tenant = new TenantService(db.connection, new ManualClock());
});

beforeEach(async () => {
  ({ retry, directory } = await freshGraphDirectory(db.connection, tenant, graphTenantYaml(3)));
});

describe('createAccount (T1)', () => {
  it('L1: a person who already has an account gets no second one', async () => {
    byEmail(HIRE_EMAIL, [{ id: 'existing', userPrincipalName: 'kj@contoso.example' }]);
    await expect(directory.createAccount(KEY, newHire(1))).rejects.toMatchObject({
      code: ErrorCode.Conflict,
      rule: 'L1',
    });
  });

  it('T1: creates an enabled account that must change its password, named first.last', async () => {
    let sent: Record<string, unknown> = {};
    byEmail(HIRE_EMAIL);
    graph().get(userPath(UPN)).query(true).reply(404, notFound);
    graph()
      .post('/v1.0/users', (body) => {
        sent = body;
        return true;
      })
      .matchHeader('authorization', `Bearer token-for-${GRAPH}`)
      .reply(201, { id: USER_ID, userPrincipalName: UPN });

    const account = await directory.createAccount(KEY, newHire(1));

    expect(account).toEqual({ accountId: USER_ID, upn: UPN });
    expect(sent).toMatchObject({
      accountEnabled: true,
      displayName: 'Katherine Johnson1',
      mailNickname: 'katherine.johnson1',
      userPrincipalName: UPN,
      usageLocation: 'GB',
      otherMails: ['katherine1@example.org'],
      passwordProfile: { forceChangePasswordNextSignIn: true },
      onPremisesExtensionAttributes: { extensionAttribute15: `accessdesk:${KEY}` },
    });
    // The request's own account, found without asking Graph again.
    expect(await directory.accountIdByKey(KEY)).toBe(USER_ID);
  });

  it('T1: a retry finds the account the first try made: never a second account', async () => {
    byEmail(HIRE_EMAIL, [ours()]);
    expect(await directory.createAccount(KEY, newHire(1))).toEqual({
      accountId: USER_ID,
      upn: UPN,
    });
  });

  it('T1: when the email search lags behind, the user-name walk still finds the first try', async () => {
    byEmail(HIRE_EMAIL);
    graph().get(userPath(UPN)).query(true).reply(200, ours());
    expect(await directory.createAccount(KEY, newHire(1))).toEqual({
      accountId: USER_ID,
      upn: UPN,
    });
  });

  it('T1: a name taken by someone else gets the next suffix', async () => {
    byEmail(HIRE_EMAIL);
    graph().get(userPath(UPN)).query(true).reply(200, {
      id: 'someone-else',
      userPrincipalName: UPN,
      onPremisesExtensionAttributes: {},
    });
    const second = 'katherine.johnson12@contoso.example';
    graph().get(userPath(second)).query(true).reply(404, notFound);
    graph()
      .post('/v1.0/users', (body) => body.userPrincipalName === second)
      .reply(201, { id: USER_ID, userPrincipalName: second });
    expect(await directory.createAccount(KEY, newHire(1))).toEqual({
      accountId: USER_ID,
      upn: second,
    });
  });

  it('T1: "already exists" on create is read again: ours is kept, not duplicated', async () => {
    byEmail(HIRE_EMAIL);
    graph().get(userPath(UPN)).query(true).reply(404, notFound);
    graph()
      .post('/v1.0/users')
      .reply(
        400,
        graphError(
          'Request_BadRequest',
          'Another object with the same value for property userPrincipalName already exists.',
          [{ code: 'ObjectConflict', message: 'conflict', target: 'userPrincipalName' }],
        ),
      );
    graph().get(userPath(UPN)).query(true).reply(200, ours());
    expect(await directory.createAccount(KEY, newHire(1))).toEqual({
      accountId: USER_ID,
      upn: UPN,
    });
  });

  it('throttled: waits what Retry-After says (with jitter), then succeeds', async () => {
    byEmail(HIRE_EMAIL);
    graph().get(userPath(UPN)).query(true).reply(404, notFound);
    graph()
      .post('/v1.0/users')
      .reply(429, graphError('TooManyRequests', 'Too many requests'), { 'Retry-After': '7' });
    graph().post('/v1.0/users').reply(201, { id: USER_ID, userPrincipalName: UPN });
    await directory.createAccount(KEY, newHire(1));
    expect(retry.waits).toEqual([7350]);
  });

  it('a non-retryable refusal names the step and Graph’s error code', async () => {
    byEmail(HIRE_EMAIL);
    graph().get(userPath(UPN)).query(true).reply(404, notFound);
    graph()
      .post('/v1.0/users')
      .reply(
        403,
        graphError(
          'Authorization_RequestDenied',
          'Insufficient privileges to complete the operation.',
        ),
      );
    const error = await directory.createAccount(KEY, newHire(1)).catch((e) => e);
    expect(error).toBeInstanceOf(DirectoryRefusal);
    expect(error.code).toBe(ErrorCode.DirectoryRefused);
    expect(error.message).toMatch(/^createAccount: .*403 Authorization_RequestDenied/);
  });
});

describe('finding accounts', () => {
  it('by email: the user name or mail first, then other mails', async () => {
    graph()
      .get('/v1.0/users')
      .query(
        (q) => q.$filter === "userPrincipalName eq 'ada@example.org' or mail eq 'ada@example.org'",
      )
      .reply(200, { value: [] });
    graph()
      .get('/v1.0/users')
      .query((q) => q.$filter === "otherMails/any(m:m eq 'ada@example.org')")
      .reply(200, { value: [{ id: USER_ID }] });
    expect(await directory.accountIdByEmail('Ada@example.org')).toBe(USER_ID);
  });

  it('by key, when no note was kept: the account’s mark, asked with an advanced query', async () => {
    graph()
      .get('/v1.0/users')
      .query(
        (q) =>
          q.$filter ===
            `onPremisesExtensionAttributes/extensionAttribute15 eq 'accessdesk:${KEY}'` &&
          q.$count === 'true',
      )
      .matchHeader('ConsistencyLevel', 'eventual')
      .reply(200, { '@odata.count': 1, value: [{ id: USER_ID }] });
    expect(await directory.accountIdByKey(KEY)).toBe(USER_ID);
  });
});

describe('licenses follow the seat ledger (L1–L3, L6)', () => {
  const licenses = (skus: string[]) => ({
    id: USER_ID,
    assignedLicenses: skus.map((skuId) => ({ disabledPlans: [], skuId })),
  });
  const userLicenses = () => graph().get(`/v1.0/users/${USER_ID}`).query(true);

  it('L2: binding the seat assigns the license', async () => {
    licensesLeft(1);
    await directory.holdSeat(SKU, KEY);
    userLicenses().reply(200, licenses([]));
    graph()
      .post(`/v1.0/users/${USER_ID}/assignLicense`, {
        addLicenses: [{ skuId: SKU_GUID, disabledPlans: [] }],
        removeLicenses: [],
      })
      .reply(200, { id: USER_ID });
    await directory.bindSeat(SKU, KEY, USER_ID);
    expect((await tenant.seatsOf(USER_ID)).map((s) => s.skuId)).toEqual([SKU]);
  });

  it('L2: a license already assigned is success (nothing is sent)', async () => {
    licensesLeft(1);
    await directory.holdSeat(SKU, KEY);
    userLicenses().reply(200, licenses([SKU_GUID.toUpperCase()]));
    await directory.bindSeat(SKU, KEY, USER_ID);
  });

  it('L3: no license left in Microsoft 365: no seat is held, the request keeps waiting', async () => {
    licensesLeft(0);
    await expect(directory.holdSeat(SKU, KEY)).rejects.toMatchObject({
      code: ErrorCode.NoFreeSeat,
      rule: 'L3',
    });
    expect(await tenant.seatSummary(SKU)).toMatchObject({ held: 0, free: 3 });
    licensesLeft(0);
    expect(await directory.hasFreeSeat(SKU)).toBe(false);
    licensesLeft(2);
    expect(await directory.hasFreeSeat(SKU)).toBe(true);
  });

  it('L3: "no available licenses" at assignment is the ledger’s no-free-seat outcome', async () => {
    licensesLeft(1);
    await directory.holdSeat(SKU, KEY);
    userLicenses().reply(200, licenses([]));
    graph()
      .post(`/v1.0/users/${USER_ID}/assignLicense`)
      .reply(
        400,
        graphError(
          'Request_BadRequest',
          `Subscription with SKU ${SKU_GUID} does not have any available licenses.`,
        ),
      );
    const error = await directory.bindSeat(SKU, KEY, USER_ID).catch((e) => e);
    expect(error).toBeInstanceOf(RuleViolation);
    expect(error).toMatchObject({ code: ErrorCode.NoFreeSeat, rule: 'L3' });
  });

  it('throttled (503, Retry-After) then assigned', async () => {
    licensesLeft(1);
    await directory.holdSeat(SKU, KEY);
    userLicenses().reply(503, graphError('serviceNotAvailable', 'Service unavailable'), {
      'Retry-After': '2',
    });
    userLicenses().reply(200, licenses([]));
    graph().post(`/v1.0/users/${USER_ID}/assignLicense`).reply(200, { id: USER_ID });
    await directory.bindSeat(SKU, KEY, USER_ID);
    expect(retry.waits).toEqual([2100]);
  });

  it('a refusal other than "no license" names the step and the code', async () => {
    licensesLeft(1);
    await directory.holdSeat(SKU, KEY);
    userLicenses().reply(200, licenses([]));
    graph()
      .post(`/v1.0/users/${USER_ID}/assignLicense`)
      .reply(
        400,
        graphError(
          'Request_BadRequest',
          'License assignment cannot be done for user with invalid usage location.',
        ),
      );
    await expect(directory.bindSeat(SKU, KEY, USER_ID)).rejects.toThrow(
      /^assignLicense: .*400 Request_BadRequest/,
    );
  });

  it('L6: releasing the seat of the request’s account removes its license', async () => {
    byEmail(HIRE_EMAIL, [ours()]);
    await directory.createAccount(KEY, newHire(1));
    licensesLeft(1);
    await directory.holdSeat(SKU, KEY);
    userLicenses().reply(200, licenses([]));
    graph().post(`/v1.0/users/${USER_ID}/assignLicense`).reply(200, { id: USER_ID });
    await directory.bindSeat(SKU, KEY, USER_ID);

    userLicenses().reply(200, licenses([SKU_GUID]));
    graph()
      .post(`/v1.0/users/${USER_ID}/assignLicense`, { addLicenses: [], removeLicenses: [SKU_GUID] })
      .reply(200, { id: USER_ID });
    await directory.releaseSeat(SKU, KEY);
    expect(await tenant.seatsOf(USER_ID)).toEqual([]);
  });

  it('L6: a license added by a role change is removed when that request releases its seat', async () => {
    const change = 'req_license_add';
    licensesLeft(1);
    await directory.holdSeat(SKU, change);
    userLicenses().reply(200, licenses([]));
    graph().post(`/v1.0/users/${USER_ID}/assignLicense`).reply(200, { id: USER_ID });
    await directory.bindSeat(SKU, change, USER_ID);
    userLicenses().reply(200, licenses([SKU_GUID]));
    graph()
      .post(`/v1.0/users/${USER_ID}/assignLicense`, { addLicenses: [], removeLicenses: [SKU_GUID] })
      .reply(200, { id: USER_ID });
    await directory.releaseSeat(SKU, change);
  });

  it('L6: removing a license from an account that is gone (404) is success', async () => {
    userLicenses().reply(404, notFound);
    await directory.releaseAccountSeat(SKU, USER_ID);
  });

  it('a SKU named by part number is looked up once in subscribedSkus', async () => {
    const config = parseTenantConfig(
      graphTenantYaml(3).replace(`skuId: ${SKU_GUID}`, 'skuPartNumber: DYN365_ENTERPRISE_SALES'),
      't',
    );
    const byPart = new GraphDirectory({
      seats: new TenantDirectory(tenant),
      tenant: config,
      connection: db.connection,
      tokens: staticTokens,
      graphUrl: GRAPH,
      retry: retry.policy,
    });
    graph()
      .get('/v1.0/subscribedSkus')
      .query(true)
      .reply(200, {
        value: [
          { skuId: 'c7df2760-2c81-4ef7-b578-5b5392b571df', skuPartNumber: 'ENTERPRISEPREMIUM' },
          { skuId: SKU_GUID, skuPartNumber: 'DYN365_ENTERPRISE_SALES' },
        ],
      });
    licensesLeft(1);
    await byPart.holdSeat(SKU, KEY);
    userLicenses().reply(200, licenses([]));
    graph()
      .post(
        `/v1.0/users/${USER_ID}/assignLicense`,
        (body) => body.addLicenses[0].skuId === SKU_GUID,
      )
      .reply(200, { id: USER_ID });
    await byPart.bindSeat(SKU, KEY, USER_ID);
    // Known now: the second use asks nothing more than the user's licenses.
    userLicenses().reply(200, licenses([SKU_GUID]));
    await byPart.bindSeat(SKU, KEY, USER_ID);
  });
});

describe('security group membership (E1, E2)', () => {
  const ref = { '@odata.id': `${GRAPH}/v1.0/directoryObjects/${USER_ID}` };

  it('E1: adds the account as a direct member', async () => {
    graph().post(`/v1.0/groups/${GROUP_ID}/members/$ref`, ref).reply(204);
    await directory.addToSecurityGroup('sales-prod', USER_ID);
  });

  it('E1: "already exists" is success', async () => {
    graph()
      .post(`/v1.0/groups/${GROUP_ID}/members/$ref`)
      .reply(
        400,
        graphError(
          'Request_BadRequest',
          "One or more added object references already exist for the following modified properties: 'members'.",
        ),
      );
    await directory.addToSecurityGroup('sales-prod', USER_ID);
  });

  it('E2: removes the membership; not a member (404) is success', async () => {
    graph().delete(`/v1.0/groups/${GROUP_ID}/members/${USER_ID}/$ref`).reply(204);
    await directory.removeFromSecurityGroup('sales-prod', USER_ID);
    graph().delete(`/v1.0/groups/${GROUP_ID}/members/${USER_ID}/$ref`).reply(404, notFound);
    await directory.removeFromSecurityGroup('sales-prod', USER_ID);
  });

  it('throttled with a Retry-After beyond the cap: handed back as retryable, no long sleep', async () => {
    graph()
      .post(`/v1.0/groups/${GROUP_ID}/members/$ref`)
      .reply(429, graphError('TooManyRequests', 'Too many requests'), { 'Retry-After': '120' });
    const error = await directory.addToSecurityGroup('sales-prod', USER_ID).catch((e) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.details).toMatchObject({ step: 'addToSecurityGroup', status: 429 });
    expect(retry.waits).toEqual([]);
  });

  it('throttled on every try: retryable after the last one, each wait capped', async () => {
    const retriesBefore = await counted(directoryApiRetries);
    const throttledBefore = await counted(directoryApiErrors, { reason: 'throttled' });
    graph()
      .post(`/v1.0/groups/${GROUP_ID}/members/$ref`)
      .times(4)
      .reply(429, graphError('TooManyRequests', 'Too many requests'));
    await expect(directory.addToSecurityGroup('sales-prod', USER_ID)).rejects.toBeInstanceOf(
      RetryableError,
    );
    // No Retry-After: exponential backoff with jitter (random() is 0.5 here).
    expect(retry.waits).toEqual([750, 1500, 3000]);
    // /metrics: three retries, then one call given up as throttled.
    expect((await counted(directoryApiRetries)) - retriesBefore).toBe(3);
    expect((await counted(directoryApiErrors, { reason: 'throttled' })) - throttledBefore).toBe(1);
  });

  it('a missing group is a refusal naming the step and code', async () => {
    graph().post(`/v1.0/groups/${GROUP_ID}/members/$ref`).reply(404, notFound);
    await expect(directory.addToSecurityGroup('sales-prod', USER_ID)).rejects.toThrow(
      /^addToSecurityGroup: .*404 Request_ResourceNotFound/,
    );
  });
});

describe('admin roles (A2)', () => {
  const assignments = (role: string, principal?: string) =>
    graph()
      .get('/v1.0/roleManagement/directory/roleAssignments')
      .query(
        (q) =>
          q.$filter ===
          `roleDefinitionId eq '${role}'${principal ? ` and principalId eq '${principal}'` : ''}`,
      );

  it('A2: grants a built-in role by its template id, tenant-wide', async () => {
    assignments(BILLING_ADMIN_TEMPLATE, USER_ID).reply(200, { value: [] });
    graph()
      .post('/v1.0/roleManagement/directory/roleAssignments', {
        '@odata.type': '#microsoft.graph.unifiedRoleAssignment',
        roleDefinitionId: BILLING_ADMIN_TEMPLATE,
        principalId: USER_ID,
        directoryScopeId: '/',
      })
      .reply(201, { id: 'ra-1' });
    expect(await directory.grantAdminRoles(USER_ID, ['Billing admin'])).toEqual([]);
  });

  it('A2: a role already assigned is not assigned again', async () => {
    assignments(BILLING_ADMIN_TEMPLATE, USER_ID).reply(200, {
      value: [{ id: 'ra-1', principalId: USER_ID, directoryScopeId: '/' }],
    });
    await directory.grantAdminRoles(USER_ID, ['Billing admin']);
  });

  it('A2: revoking deletes the assignment; already gone (404) is success', async () => {
    assignments(BILLING_ADMIN_TEMPLATE, USER_ID).reply(200, {
      value: [{ id: 'ra-1', principalId: USER_ID, directoryScopeId: '/' }],
    });
    graph().delete('/v1.0/roleManagement/directory/roleAssignments/ra-1').reply(404, notFound);
    await directory.revokeAdminRoles(USER_ID, ['Billing admin']);
  });

  it('A2: refuses to revoke the last Global admin, warns when one would be left', async () => {
    assignments(GLOBAL_ADMIN_TEMPLATE).reply(200, {
      value: [{ id: 'ra-ga', principalId: USER_ID, directoryScopeId: '/' }],
    });
    await expect(directory.revokeAdminRoles(USER_ID, ['Global admin'])).rejects.toMatchObject({
      code: ErrorCode.LastGlobalAdmin,
      rule: 'A2',
    });

    assignments(GLOBAL_ADMIN_TEMPLATE).reply(200, {
      value: [
        { id: 'ra-ga', principalId: USER_ID, directoryScopeId: '/' },
        { id: 'ra-g2', principalId: 'grace', directoryScopeId: '/' },
      ],
    });
    assignments(GLOBAL_ADMIN_TEMPLATE, USER_ID).reply(200, {
      value: [{ id: 'ra-ga', principalId: USER_ID, directoryScopeId: '/' }],
    });
    graph().delete('/v1.0/roleManagement/directory/roleAssignments/ra-ga').reply(204);
    expect(await directory.revokeAdminRoles(USER_ID, ['Global admin'])).toEqual([
      'A2: only 1 Global admin would remain; keep at least two.',
    ]);
  });

  it('a refused assignment names the step and Graph’s code', async () => {
    assignments(BILLING_ADMIN_TEMPLATE, USER_ID).reply(200, { value: [] });
    graph()
      .post('/v1.0/roleManagement/directory/roleAssignments')
      .reply(
        403,
        graphError(
          'Authorization_RequestDenied',
          'Insufficient privileges to complete the operation.',
        ),
      );
    await expect(directory.grantAdminRoles(USER_ID, ['Billing admin'])).rejects.toThrow(
      /^grantAdminRoles: .*Authorization_RequestDenied/,
    );
  });
});

describe('sign-in and passwords (T1, T2, T4)', () => {
  it('T4: blocks and allows sign-in', async () => {
    graph().patch(`/v1.0/users/${USER_ID}`, { accountEnabled: false }).reply(204);
    await directory.setSignInAllowed(USER_ID, false);
    graph().patch(`/v1.0/users/${USER_ID}`, { accountEnabled: true }).reply(204);
    await directory.setSignInAllowed(USER_ID, true);
  });

  it('T2: a new temporary password is returned once and kept nowhere', async () => {
    let sent: { passwordProfile?: { password: string; forceChangePasswordNextSignIn: boolean } } =
      {};
    graph()
      .patch(`/v1.0/users/${USER_ID}`, (body) => {
        sent = body;
        return true;
      })
      .reply(204);
    const password = await directory.issueTemporaryPassword(USER_ID);
    expect(password).toHaveLength(16);
    expect(sent.passwordProfile).toEqual({ password, forceChangePasswordNextSignIn: true });
    for (const collection of await db.connection.db!.collections()) {
      const docs = JSON.stringify(await collection.find().toArray());
      expect(docs).not.toContain(password);
    }
  });

  it('a refused reset names the step and code, never the password', async () => {
    graph()
      .patch(`/v1.0/users/${USER_ID}`)
      .reply(
        403,
        graphError(
          'Authorization_RequestDenied',
          'Insufficient privileges to complete the operation.',
        ),
      );
    await expect(directory.issueTemporaryPassword(USER_ID)).rejects.toThrow(
      /^issueTemporaryPassword: .*Authorization_RequestDenied/,
    );
  });
});

/** A counter's value now (for the labels given), from prom-client. */
async function counted(
  counter: typeof directoryApiRetries | typeof directoryApiErrors,
  labels: Record<string, string> = {},
): Promise<number> {
  const { values } = await counter.get();
  const found = values.find((v) =>
    Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l),
  );
  return found?.value ?? 0;
}
