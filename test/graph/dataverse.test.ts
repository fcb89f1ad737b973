import nock from 'nock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { ErrorCode, RetryableError } from '../../src/errors.ts';
import { DirectoryRefusal, type GraphDirectory } from '../../src/graph/index.ts';
import { TenantService } from '../../src/tenant/tenant.service.ts';
import { useTestDatabase } from '../support/db.ts';
import {
  ADD_USER,
  DATAVERSE,
  DV,
  dataverseError,
  freshGraphDirectory,
  graphTenantYaml,
  POWER_PLATFORM,
  ROOT_BU,
  type recordingRetry,
  SALES_BU,
  SALESPERSON,
  SYSTEMUSER_ID,
  USER_ID,
  useNock,
} from './support.ts';

const db = useTestDatabase('graph/dataverse');
useNock();

const ENV = 'sales-prod';
const dv = () => nock(DATAVERSE);
const byObjectId = (q: Record<string, unknown>) =>
  q.$filter === `azureactivedirectoryobjectid eq ${USER_ID}`;
const systemUser = (unit = SALES_BU, accessmode = 0) => ({
  value: [{ systemuserid: SYSTEMUSER_ID, _businessunitid_value: unit, accessmode }],
});
const findUser = () => dv().get(`${DV}/systemusers`).query(byObjectId);
const unitByName = (name: string) =>
  dv()
    .get(`${DV}/businessunits`)
    .query((q) => q.$filter === `name eq '${name}'`);
const rolesOfUnit = () =>
  dv()
    .get(`${DV}/roles`)
    .query((q) => q.$filter === `_businessunitid_value eq ${SALES_BU} and (name eq 'Salesperson')`);
const heldRoles = () =>
  dv().get(`${DV}/systemusers(${SYSTEMUSER_ID})/systemuserroles_association`).query(true);

let tenant: TenantService;
let retry: ReturnType<typeof recordingRetry>;
let directory: GraphDirectory;

beforeAll(() => {
  tenant = new TenantService(db.connection, new ManualClock());
});

beforeEach(async () => {
  ({ retry, directory } = await freshGraphDirectory(
    db.connection,
    tenant,
    graphTenantYaml().replace(
      'people:',
      '  - { id: intranet, name: Intranet, kind: none }\npeople:',
    ),
    { syncLag: { attempts: 2, firstWaitMs: 1000 } },
  ));
});

describe('the systemuser of the account (T6)', () => {
  it('T6: missing at first: a sync is asked for, then the user is found after a wait', async () => {
    unitByName('Sales').reply(200, { value: [{ businessunitid: SALES_BU, name: 'Sales' }] });
    findUser().reply(200, { value: [] });
    // The documented route: the Power Platform admin API's "add user", with a token for it.
    nock(POWER_PLATFORM)
      .post(ADD_USER, { ObjectId: USER_ID })
      .query({ 'api-version': '2020-10-01' })
      .matchHeader('authorization', 'Bearer token-for-https://service.powerapps.com/')
      .reply(200, {});
    findUser().reply(200, { value: [] });
    findUser().reply(200, systemUser(SALES_BU));
    await directory.assignBusinessUnit(ENV, USER_ID, 'sales');
    expect(retry.waits).toEqual([1000]);
  });

  it('T6: still missing after the waits: retryable, not a failure', async () => {
    findUser().times(3).reply(200, { value: [] });
    nock(POWER_PLATFORM)
      .post(ADD_USER)
      .query(true)
      .reply(404, dataverseError('0x80040217', 'The user was not found in the directory.'));
    const error = await directory.setAccessMode(ENV, USER_ID, 'read_write').catch((e) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toMatch(/^setAccessMode: .*T6/);
  });

  it('T6: "add user" refused for good (no Power Platform permission): the step is refused at once', async () => {
    findUser().reply(200, { value: [] });
    nock(POWER_PLATFORM)
      .post(ADD_USER)
      .query(true)
      .reply(403, {
        error: { code: 'Forbidden', message: 'The caller does not have permission to add users.' },
      });
    await expect(directory.setAccessMode(ENV, USER_ID, 'read_write')).rejects.toMatchObject({
      step: 'setAccessMode',
      status: 403,
      apiCode: 'Forbidden',
    });
    expect(retry.waits).toEqual([]);
  });
});

describe('business unit (S3)', () => {
  it('S3: moves the user into the unit named in the tenant file', async () => {
    unitByName('Sales').reply(200, { value: [{ businessunitid: SALES_BU, name: 'Sales' }] });
    findUser().reply(200, systemUser(ROOT_BU));
    dv()
      .patch(`${DV}/systemusers(${SYSTEMUSER_ID})`, {
        'businessunitid@odata.bind': `/businessunits(${SALES_BU})`,
      })
      .reply(204);
    await directory.assignBusinessUnit(ENV, USER_ID, 'sales');
  });

  it('S3: already there: nothing is written', async () => {
    unitByName('Sales').reply(200, { value: [{ businessunitid: SALES_BU, name: 'Sales' }] });
    findUser().reply(200, systemUser(SALES_BU));
    await directory.assignBusinessUnit(ENV, USER_ID, 'sales');
  });

  it('S3: a unit the environment lacks is refused by rule', async () => {
    unitByName('Sales').reply(200, { value: [] });
    await expect(directory.assignBusinessUnit(ENV, USER_ID, 'sales')).rejects.toMatchObject({
      code: ErrorCode.NotFound,
      rule: 'S3',
    });
  });

  it('E6: an environment without a database is skipped: nothing is asked', async () => {
    await directory.assignBusinessUnit('intranet', USER_ID, 'root');
    await directory.assignSecurityRoles('intranet', USER_ID, ['Basic User']);
    await directory.setAccessMode('intranet', USER_ID, 'read_write');
    await directory.addToSecurityGroup('intranet', USER_ID);
  });
});

describe('security roles (S1–S3, S6)', () => {
  it('S1: associates a role of the user’s business unit', async () => {
    findUser().reply(200, systemUser());
    rolesOfUnit().reply(200, { value: [{ roleid: SALESPERSON, name: 'Salesperson' }] });
    heldRoles().reply(200, { value: [] });
    dv()
      .post(`${DV}/systemusers(${SYSTEMUSER_ID})/systemuserroles_association/$ref`, {
        '@odata.id': `${DATAVERSE}${DV}/roles(${SALESPERSON})`,
      })
      .reply(204);
    await directory.assignSecurityRoles(ENV, USER_ID, ['Salesperson']);
  });

  it('S2: a role already held is not associated again', async () => {
    findUser().reply(200, systemUser());
    rolesOfUnit().reply(200, { value: [{ roleid: SALESPERSON, name: 'Salesperson' }] });
    heldRoles().reply(200, { value: [{ roleid: SALESPERSON }] });
    await directory.assignSecurityRoles(ENV, USER_ID, ['Salesperson']);
  });

  it('S1: a duplicate association answered by Dataverse is success', async () => {
    findUser().reply(200, systemUser());
    rolesOfUnit().reply(200, { value: [{ roleid: SALESPERSON, name: 'Salesperson' }] });
    heldRoles().reply(200, { value: [] });
    dv()
      .post(`${DV}/systemusers(${SYSTEMUSER_ID})/systemuserroles_association/$ref`)
      .reply(400, dataverseError('0x80040237', 'Cannot insert duplicate key.'));
    await directory.assignSecurityRoles(ENV, USER_ID, ['Salesperson']);
  });

  it('S3: a role outside the user’s business unit is refused by rule', async () => {
    findUser().reply(200, systemUser());
    rolesOfUnit().reply(200, { value: [] });
    await expect(
      directory.assignSecurityRoles(ENV, USER_ID, ['Salesperson']),
    ).rejects.toMatchObject({ code: ErrorCode.RoleOutsideBusinessUnit, rule: 'S3' });
  });

  it('S6: removing the last role (one already gone: 404) warns', async () => {
    findUser().reply(200, systemUser());
    rolesOfUnit().reply(200, { value: [{ roleid: SALESPERSON, name: 'Salesperson' }] });
    dv()
      .delete(
        `${DV}/systemusers(${SYSTEMUSER_ID})/systemuserroles_association(${SALESPERSON})/$ref`,
      )
      .reply(404, dataverseError('0x80040217', 'The association does not exist.'));
    heldRoles().reply(200, { value: [] });
    expect(await directory.removeSecurityRoles(ENV, USER_ID, ['Salesperson'])).toEqual([
      expect.stringMatching(/^S6: /),
    ]);
  });

  it('S1: which of a grant’s roles the user holds: one read, `name` only, those roles of its unit', async () => {
    findUser().reply(200, systemUser());
    dv()
      .get(`${DV}/systemusers(${SYSTEMUSER_ID})/systemuserroles_association`)
      .query({
        $select: 'name',
        $filter: `_businessunitid_value eq ${SALES_BU} and (name eq 'Salesperson' or name eq 'Sales Manager')`,
      })
      .reply(200, { value: [{ name: 'Salesperson' }] });
    expect(
      await directory.securityRolesHeld(ENV, USER_ID, ['Salesperson', 'Sales Manager']),
    ).toEqual(['Salesperson']);
  });

  it('S1: a user not in the environment holds none of them, and no sync is asked for', async () => {
    findUser().reply(200, { value: [] });
    expect(await directory.securityRolesHeld(ENV, USER_ID, ['Salesperson'])).toEqual([]);
    // Nothing named: nothing is asked; no database (E6): nothing is asked either.
    expect(await directory.securityRolesHeld(ENV, USER_ID, [])).toEqual([]);
    expect(await directory.securityRolesHeld('intranet', USER_ID, ['Basic User'])).toEqual([]);
  });

  it('S1: the read refused (no privilege) is a refusal, not "not held"', async () => {
    findUser().reply(200, systemUser());
    dv()
      .get(`${DV}/systemusers(${SYSTEMUSER_ID})/systemuserroles_association`)
      .query(true)
      .reply(403, dataverseError('0x80040220', 'Principal user is missing prvReadRole privilege.'));
    await expect(directory.securityRolesHeld(ENV, USER_ID, ['Salesperson'])).rejects.toBeInstanceOf(
      DirectoryRefusal,
    );
  });

  it('throttled by service protection (429, Retry-After) then associated', async () => {
    findUser().reply(429, dataverseError('0x80072322', 'Number of requests exceeded the limit.'), {
      'Retry-After': '3',
    });
    findUser().reply(200, systemUser());
    rolesOfUnit().reply(200, { value: [{ roleid: SALESPERSON, name: 'Salesperson' }] });
    heldRoles().reply(200, { value: [{ roleid: SALESPERSON }] });
    await directory.assignSecurityRoles(ENV, USER_ID, ['Salesperson']);
    expect(retry.waits).toEqual([3150]);
  });
});

describe('access mode (M1–M4)', () => {
  it('M2: Administrative is accessmode 1', async () => {
    findUser().reply(200, systemUser(SALES_BU, 0));
    dv().patch(`${DV}/systemusers(${SYSTEMUSER_ID})`, { accessmode: 1 }).reply(204);
    await directory.setAccessMode(ENV, USER_ID, 'administrative');
  });

  it('M3: Non-interactive is accessmode 4; already set: nothing is written', async () => {
    findUser().reply(200, systemUser(SALES_BU, 4));
    await directory.setAccessMode(ENV, USER_ID, 'non_interactive');
  });

  it('M4: an application user is not made from a person’s account', async () => {
    await expect(directory.setAccessMode(ENV, USER_ID, 'application')).rejects.toMatchObject({
      rule: 'M4',
    });
  });

  it('a refusal names the step and Dataverse’s error code', async () => {
    findUser().reply(200, systemUser(SALES_BU, 0));
    dv()
      .patch(`${DV}/systemusers(${SYSTEMUSER_ID})`)
      .reply(
        403,
        dataverseError('0x80040220', 'Principal user is missing prvWriteUser privilege.'),
      );
    const error = await directory.setAccessMode(ENV, USER_ID, 'administrative').catch((e) => e);
    expect(error).toBeInstanceOf(DirectoryRefusal);
    expect(error.message).toMatch(/^setAccessMode: .*403 0x80040220/);
  });
});
