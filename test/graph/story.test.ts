import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION, CALLBACK } from '../../flows/ids.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { describeEngine } from '../../src/db/index.ts';
import { type Accessdesk, startAccessdesk } from '../../src/server.ts';
import {
  APPROVALS,
  approve,
  click,
  eventually,
  FakeSlack,
  onboardingValues,
  post,
  SIGNING_SECRET,
  slackTenantYaml,
  submit,
  U,
} from '../slack/support.ts';
import { useTestDatabase } from '../support/db.ts';
import { type GraphStandIn, STAND_IN_TOKEN, salesStandIn } from './stand-in.ts';
import {
  GROUP_ID,
  SALES_BU,
  SALESPERSON,
  SKU_GUID,
  TENANT_ID,
  withGraphFields,
} from './support.ts';

const db = useTestDatabase('graph/story');
const LOGIN = 'https://login.stand-in.test';
const CLIENT_SECRET = 'stand-in-client-secret-value';
const slack = new FakeSlack({ U0KATE1: 'katherine1@example.org' });
let standIn: GraphStandIn;
let desk: Accessdesk;
const logged: string[] = [];
const tokenRequests: string[] = [];

beforeAll(async () => {
  slack.install();
  standIn = await salesStandIn(1);
  // Sign-in goes to ACCESSDESK_LOGIN_URL (MSAL insists on https, so nock answers there);
  // Graph and Dataverse are the stand-in, reached through ACCESSDESK_GRAPH_URL and the tenant file.
  nock(LOGIN)
    .persist()
    .post(`/${TENANT_ID}/oauth2/v2.0/token`)
    .query(true)
    .reply(async (request: Request) => {
      tokenRequests.push(new URLSearchParams(await request.text()).get('scope') ?? '');
      return [200, { token_type: 'Bearer', expires_in: 3599, access_token: STAND_IN_TOKEN }];
    });
  const dir = mkdtempSync(join(tmpdir(), 'accessdesk-graph-story-'));
  const tenantFile = join(dir, 'tenant.yaml');
  writeFileSync(tenantFile, withGraphFields(slackTenantYaml(1), 1, standIn.dataverseUrl));
  const config = loadConfig({
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test',
    PORT: '0',
    ACCESSDESK_TENANT_FILE: tenantFile,
    ACCESSDESK_APPROVALS_CHANNEL: APPROVALS,
    ACCESSDESK_DATA_DIR: dir,
    ACCESSDESK_DIRECTORY: 'graph',
    ACCESSDESK_LOGIN_URL: LOGIN,
    ACCESSDESK_GRAPH_URL: standIn.url,
    AZURE_TENANT_ID: TENANT_ID,
    AZURE_CLIENT_ID: 'c1d2e3f4-0000-4000-8000-00000000c11e',
    AZURE_CLIENT_SECRET: CLIENT_SECRET,
  });
  desk = await startAccessdesk(config, {
    clock: new ManualClock(),
    sweep: false,
    log: (line) => logged.push(line),
    database: {
      connection: db.connection,
      engine: await describeEngine(db.connection),
      origin: 'test database',
      close: async () => {},
    },
  });
});
afterAll(async () => {
  await desk?.stop();
  await standIn?.stop();
  FakeSlack.uninstall();
});

async function reaches(id: string, expected: string) {
  await eventually(async () => {
    const doc = await desk.system.store.get(id);
    expect(doc.status).toBe(expected);
    expect(doc.outbox.filter((i) => i.status === 'pending')).toEqual([]);
  });
  await desk.system.background.idle();
}

describe('onboarding with ACCESSDESK_DIRECTORY=graph', () => {
  it('submit → Approve → provisioned in Entra and Dataverse → invitation → Accept', async () => {
    expect(
      (await post(desk, submit(U.ada, CALLBACK.onboardingRequest, onboardingValues(1)))).status,
    ).toBe(200);
    const dm = await slack.waitFor('chat.postMessage', 'Johnson1 was sent');
    const id = /REQ-[A-Z0-9]+/.exec(JSON.stringify(dm.body))![0];
    await slack.waitFor('chat.postMessage', `Onboarding request ${id}`);

    expect((await post(desk, approve(U.grace, id))).status).toBe(200);
    await reaches(id, 'invited');

    // Entra: one account, named by T1, licensed, a direct member of the environment's group.
    const users = [...standIn.users.values()];
    expect(users).toHaveLength(1);
    const [user] = users;
    expect(user).toMatchObject({
      userPrincipalName: 'katherine.johnson1@contoso.example',
      accountEnabled: true,
      otherMails: ['katherine1@example.org'],
      assignedLicenses: [SKU_GUID],
    });
    expect([...standIn.groups.get(GROUP_ID)!]).toEqual([user!.id]);
    // Dataverse: the synced systemuser in its unit, with its role, Read-Write (S1, S3, M1).
    expect([...standIn.systemUsers.values()]).toEqual([
      expect.objectContaining({
        azureactivedirectoryobjectid: user!.id,
        _businessunitid_value: SALES_BU,
        accessmode: 0,
        roles: new Set([SALESPERSON]),
      }),
    ]);

    // T2: the invitee gets the user name and a temporary password, once, privately.
    const invitation = await slack.waitFor('chat.postMessage', ACTION.acceptInvitation);
    expect(invitation.body.channel).toBe('U0KATE1');
    const text = JSON.stringify(invitation.body);
    expect(text).toContain('katherine.johnson1@contoso.example');
    expect(user!.passwordChanges).toBe(1);

    expect(
      (await post(desk, click('U0KATE1', ACTION.acceptInvitation, id, 'D0KATE1'))).status,
    ).toBe(200);
    await reaches(id, 'accepted');
    expect(await desk.tenant.seatSummary('D365_SALES')).toMatchObject({ assigned: 1, free: 0 });

    // One token per resource, served from MSAL's cache afterwards; no secret or token logged.
    expect(tokenRequests.sort()).toEqual(
      [`${standIn.url}/.default`, `${standIn.dataverseUrl}/.default`].sort(),
    );
    expect(logged.join('\n')).not.toContain(CLIENT_SECRET);
    expect(logged.join('\n')).not.toContain(STAND_IN_TOKEN);
  });
});
