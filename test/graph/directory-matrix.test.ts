/**
 * Every write of the Graph directory against the same six answers, shaped as Microsoft documents
 * them: success, "already done", not found, throttled with Retry-After, no free license (the seat
 * steps), and a refusal that is not retryable. The per-method files (entra, dataverse) tell the
 * stories; this one makes sure no method misses a case.
 */
import nock from 'nock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { ErrorCode } from '../../src/errors.ts';
import { DirectoryRefusal, type GraphDirectory } from '../../src/graph/index.ts';
import { TenantService } from '../../src/tenant/tenant.service.ts';
import { newHire } from '../lifecycle/support.ts';
import { useTestDatabase } from '../support/db.ts';
import {
  BILLING_ADMIN_TEMPLATE,
  DATAVERSE,
  DV,
  dataverseError,
  freshGraphDirectory,
  GRAPH,
  GROUP_ID,
  graphError,
  graphTenantYaml,
  ROOT_BU,
  type recordingRetry,
  SALES_BU,
  SALESPERSON,
  SKU_GUID,
  SYSTEMUSER_ID,
  USER_ID,
  useNock,
} from './support.ts';

const db = useTestDatabase('graph/directory-matrix');
useNock();

const KEY = 'req_matrix_1';
const SKU = 'D365_SALES';
const ENV = 'sales-prod';
const UPN = 'katherine.johnson1@contoso.example';
const graph = () => nock(GRAPH);
const dv = () => nock(DATAVERSE);

let tenant: TenantService;
let retry: ReturnType<typeof recordingRetry>;
let directory: GraphDirectory;

beforeAll(() => {
  tenant = new TenantService(db.connection, new ManualClock());
});

beforeEach(async () => {
  ({ retry, directory } = await freshGraphDirectory(db.connection, tenant, graphTenantYaml(3)));
});

// Microsoft's documented answers.
const GRAPH_NOT_FOUND = graphError(
  'Request_ResourceNotFound',
  "Resource 'a0b1c2d3' does not exist or one of its queried reference-property objects are not present.",
);
const DV_NOT_FOUND = dataverseError('0x80040217', 'systemuser With Id = 1111 Does Not Exist');
const GRAPH_DENIED = graphError(
  'Authorization_RequestDenied',
  'Insufficient privileges to complete the operation.',
);
const DV_DENIED = dataverseError('0x80040220', 'Principal user is missing prvWriteUser privilege.');
const THROTTLED = graphError('TooManyRequests', 'Too many requests.');
const NO_LICENSE = graphError(
  'Request_BadRequest',
  `Subscription with SKU ${SKU_GUID} does not have any available licenses.`,
);

const licensesOf = (skus: string[]) =>
  graph()
    .get(`/v1.0/users/${USER_ID}`)
    .query(true)
    .reply(200, { id: USER_ID, assignedLicenses: skus.map((skuId) => ({ skuId })) });
const assignments = (value: unknown[]) =>
  graph().get('/v1.0/roleManagement/directory/roleAssignments').query(true).reply(200, { value });
const findUser = (unit = SALES_BU, accessmode = 0) =>
  dv()
    .get(`${DV}/systemusers`)
    .query(true)
    .reply(200, {
      value: [{ systemuserid: SYSTEMUSER_ID, _businessunitid_value: unit, accessmode }],
    });

/** The systemuser in `unit`, and the Sales unit found by its name. */
function userInUnit(unit: string) {
  findUser(unit);
  dv()
    .get(`${DV}/businessunits`)
    .query(true)
    .reply(200, { value: [{ businessunitid: SALES_BU, name: 'Sales' }] });
}

/** The systemuser holding `held`, and the Salesperson role of its unit. */
function userWithRoles(held: unknown[]) {
  findUser();
  dv()
    .get(`${DV}/roles`)
    .query(true)
    .reply(200, { value: [{ roleid: SALESPERSON, name: 'Salesperson' }] });
  dv()
    .get(`${DV}/systemusers(${SYSTEMUSER_ID})/systemuserroles_association`)
    .query(true)
    .reply(200, { value: held });
}

/** One write of the directory: how to call it, what it reads first, and its write. */
interface Row {
  method: string;
  step: string;
  call: () => Promise<unknown>;
  /** What it reads before writing, answered so that a write is needed. */
  before: () => void | Promise<void>;
  write: () => nock.Interceptor;
  ok: [number, Record<string, unknown>?];
  /** Answers under which the write is already done: nothing is written. */
  already: () => void | Promise<void>;
  /** A 404 on the write: done for a removal, a refusal otherwise. */
  notFound: 'done' | 'refused';
  dataverse?: boolean;
}

const rows: Row[] = [
  {
    method: 'createAccount',
    step: 'createAccount',
    call: () => directory.createAccount(KEY, newHire(1)),
    before: () => {
      graph().get('/v1.0/users').query(true).times(2).reply(200, { value: [] });
      graph()
        .get(`/v1.0/users/${encodeURIComponent(UPN)}`)
        .query(true)
        .reply(404, GRAPH_NOT_FOUND);
    },
    write: () => graph().post('/v1.0/users'),
    ok: [201, { id: USER_ID, userPrincipalName: UPN }],
    already: () => {
      graph()
        .get('/v1.0/users')
        .query(true)
        .reply(200, {
          value: [
            {
              id: USER_ID,
              userPrincipalName: UPN,
              onPremisesExtensionAttributes: { extensionAttribute15: `accessdesk:${KEY}` },
            },
          ],
        });
    },
    notFound: 'refused',
  },
  {
    method: 'bindSeat (assignLicense)',
    step: 'assignLicense',
    call: () => directory.bindSeat(SKU, KEY, USER_ID),
    before: async () => {
      await tenant.holdSeat(SKU, KEY);
      licensesOf([]);
    },
    write: () => graph().post(`/v1.0/users/${USER_ID}/assignLicense`),
    ok: [200, { id: USER_ID }],
    already: async () => {
      await tenant.holdSeat(SKU, KEY);
      licensesOf([SKU_GUID]);
    },
    notFound: 'refused',
  },
  {
    method: 'releaseAccountSeat (remove the license)',
    step: 'removeLicense',
    call: () => directory.releaseAccountSeat(SKU, USER_ID),
    before: () => {
      licensesOf([SKU_GUID]);
    },
    write: () => graph().post(`/v1.0/users/${USER_ID}/assignLicense`),
    ok: [200, { id: USER_ID }],
    already: () => {
      licensesOf([]);
    },
    notFound: 'done',
  },
  {
    method: 'grantAdminRoles',
    step: 'grantAdminRoles',
    call: () => directory.grantAdminRoles(USER_ID, ['Billing admin']),
    before: () => {
      assignments([]);
    },
    write: () => graph().post('/v1.0/roleManagement/directory/roleAssignments'),
    ok: [201, { id: 'ra-1', roleDefinitionId: BILLING_ADMIN_TEMPLATE, principalId: USER_ID }],
    already: () => {
      assignments([{ id: 'ra-1', principalId: USER_ID, directoryScopeId: '/' }]);
    },
    notFound: 'refused',
  },
  {
    method: 'revokeAdminRoles',
    step: 'revokeAdminRoles',
    call: () => directory.revokeAdminRoles(USER_ID, ['Billing admin']),
    before: () => {
      assignments([{ id: 'ra-1', principalId: USER_ID, directoryScopeId: '/' }]);
    },
    write: () => graph().delete('/v1.0/roleManagement/directory/roleAssignments/ra-1'),
    ok: [204],
    already: () => {
      assignments([]);
    },
    notFound: 'done',
  },
  {
    method: 'addToSecurityGroup',
    step: 'addToSecurityGroup',
    call: () => directory.addToSecurityGroup(ENV, USER_ID),
    before: () => {},
    write: () => graph().post(`/v1.0/groups/${GROUP_ID}/members/$ref`),
    ok: [204],
    already: () => {
      graph()
        .post(`/v1.0/groups/${GROUP_ID}/members/$ref`)
        .reply(
          400,
          graphError(
            'Request_BadRequest',
            "One or more added object references already exist for the following modified properties: 'members'.",
          ),
        );
    },
    notFound: 'refused',
  },
  {
    method: 'removeFromSecurityGroup',
    step: 'removeFromSecurityGroup',
    call: () => directory.removeFromSecurityGroup(ENV, USER_ID),
    before: () => {},
    write: () => graph().delete(`/v1.0/groups/${GROUP_ID}/members/${USER_ID}/$ref`),
    ok: [204],
    already: () => {
      graph()
        .delete(`/v1.0/groups/${GROUP_ID}/members/${USER_ID}/$ref`)
        .reply(404, GRAPH_NOT_FOUND);
    },
    notFound: 'done',
  },
  {
    method: 'setSignInAllowed',
    step: 'setSignInAllowed',
    call: () => directory.setSignInAllowed(USER_ID, false),
    before: () => {},
    write: () => graph().patch(`/v1.0/users/${USER_ID}`, { accountEnabled: false }),
    ok: [204],
    // Graph takes the same PATCH again as success: blocking a blocked account changes nothing.
    already: () => {
      graph().patch(`/v1.0/users/${USER_ID}`, { accountEnabled: false }).reply(204);
    },
    notFound: 'refused',
  },
  {
    method: 'assignBusinessUnit',
    step: 'assignBusinessUnit',
    call: () => directory.assignBusinessUnit(ENV, USER_ID, 'sales'),
    before: () => userInUnit(ROOT_BU),
    write: () => dv().patch(`${DV}/systemusers(${SYSTEMUSER_ID})`),
    ok: [204],
    already: () => userInUnit(SALES_BU),
    notFound: 'refused',
    dataverse: true,
  },
  {
    method: 'assignSecurityRoles',
    step: 'assignSecurityRoles',
    call: () => directory.assignSecurityRoles(ENV, USER_ID, ['Salesperson']),
    before: () => userWithRoles([]),
    write: () => dv().post(`${DV}/systemusers(${SYSTEMUSER_ID})/systemuserroles_association/$ref`),
    ok: [204],
    already: () => userWithRoles([{ roleid: SALESPERSON }]),
    notFound: 'refused',
    dataverse: true,
  },
  {
    method: 'setAccessMode',
    step: 'setAccessMode',
    call: () => directory.setAccessMode(ENV, USER_ID, 'administrative'),
    before: () => {
      findUser(SALES_BU, 0);
    },
    write: () => dv().patch(`${DV}/systemusers(${SYSTEMUSER_ID})`, { accessmode: 1 }),
    ok: [204],
    already: () => {
      findUser(SALES_BU, 1);
    },
    notFound: 'refused',
    dataverse: true,
  },
];

describe.each(rows)('$method', (row) => {
  const denied = row.dataverse ? DV_DENIED : GRAPH_DENIED;
  const missing = row.dataverse ? DV_NOT_FOUND : GRAPH_NOT_FOUND;

  it('success: writes once', async () => {
    await row.before();
    row.write().reply(...row.ok);
    await row.call();
  });

  it('already done: writes nothing more, and succeeds', async () => {
    await row.already();
    await row.call();
  });

  it('not found: done for a removal, otherwise refused naming the step and code', async () => {
    await row.before();
    row.write().reply(404, missing);
    const outcome = await row.call().then(
      () => 'done',
      (error) => error,
    );
    if (row.notFound === 'done') expect(outcome).toBe('done');
    else {
      expect(outcome).toBeInstanceOf(DirectoryRefusal);
      expect(outcome).toMatchObject({
        step: row.step,
        status: 404,
        apiCode: missing.error.code,
      });
    }
  });

  it('throttled with Retry-After: waits what it says, then succeeds', async () => {
    await row.before();
    row.write().reply(429, THROTTLED, { 'Retry-After': '2' });
    row.write().reply(...row.ok);
    await row.call();
    expect(retry.waits).toEqual([2100]);
  });

  it('a refusal that is not retryable names the step and Microsoft’s code', async () => {
    await row.before();
    row.write().reply(403, denied);
    const error = await row.call().catch((e: DirectoryRefusal) => e);
    expect(error).toBeInstanceOf(DirectoryRefusal);
    expect(error).toMatchObject({ step: row.step, status: 403, apiCode: denied.error.code });
    expect((error as DirectoryRefusal).message).toContain(
      `${row.step}: Microsoft refused it (403 ${denied.error.code}`,
    );
  });
});

describe('no free license (L3), for the steps that take one', () => {
  it('holdSeat: Microsoft 365 has none left: no seat is held', async () => {
    graph()
      .get('/v1.0/subscribedSkus')
      .query(true)
      .reply(200, {
        value: [{ skuId: SKU_GUID, consumedUnits: 25, prepaidUnits: { enabled: 25 } }],
      });
    await expect(directory.holdSeat(SKU, KEY)).rejects.toMatchObject({
      code: ErrorCode.NoFreeSeat,
      rule: 'L3',
    });
    expect(await tenant.seatHolder(SKU, KEY)).toBeUndefined();
  });

  it('bindSeat: "no available licenses" gives the held seat back and says no free seat', async () => {
    await tenant.holdSeat(SKU, KEY);
    licensesOf([]);
    graph().post(`/v1.0/users/${USER_ID}/assignLicense`).reply(400, NO_LICENSE);
    await expect(directory.bindSeat(SKU, KEY, USER_ID)).rejects.toMatchObject({
      code: ErrorCode.NoFreeSeat,
      rule: 'L3',
    });
    expect(await tenant.seatHolder(SKU, KEY)).toBeUndefined();
    expect(await tenant.seatSummary(SKU)).toMatchObject({ held: 0, free: 3 });
  });

  it('hasFreeSeat: a free ledger seat is not enough without a license left', async () => {
    graph()
      .get('/v1.0/subscribedSkus')
      .query(true)
      .reply(200, {
        value: [{ skuId: SKU_GUID, consumedUnits: 25, prepaidUnits: { enabled: 25 } }],
      });
    expect(await directory.hasFreeSeat(SKU)).toBe(false);
  });
});
