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
  event,
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
  GLOBAL_ADMIN_TEMPLATE,
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

  it('a non-retryable Graph error fails the request, names the step and code, undoes it, and tells the requester and every Global admin', async () => {
    // A second license bought in Microsoft 365: the sync gives the ledger its seat (L3).
    standIn.subscribe(SKU_GUID, 'DYN365_ENTERPRISE_SALES', 2);
    await desk.sync!.run();
    expect(await desk.tenant.seatSummary('D365_SALES')).toMatchObject({ seats: 2, free: 1 });
    // The environment's group was deleted in Entra: adding a member answers 404.
    const members = standIn.groups.get(GROUP_ID)!;
    standIn.groups.delete(GROUP_ID);
    try {
      const since = slack.mark();
      await post(desk, submit(U.ada, CALLBACK.onboardingRequest, onboardingValues(2)));
      const dm = await slack.waitFor('chat.postMessage', 'Johnson2 was sent', since);
      const id = /REQ-[A-Z0-9]+/.exec(JSON.stringify(dm.body))![0];
      await slack.waitFor('chat.postMessage', `Onboarding request ${id}`, since);
      await post(desk, approve(U.grace, id));
      await reaches(id, 'failed');

      const failed = await desk.system.store.get(id);
      expect(failed.context.failureReason).toMatch(
        /^addToSecurityGroup: Microsoft refused it \(404 Request_ResourceNotFound/,
      );
      // Undone: the seat and its license given back, the account it made blocked (kept: L1).
      const made = [...standIn.users.values()].find((u) =>
        u.userPrincipalName.includes('johnson2'),
      );
      expect(made).toMatchObject({ accountEnabled: false, assignedLicenses: [] });
      expect(await desk.tenant.seatSummary('D365_SALES')).toMatchObject({ held: 0, free: 1 });
      // Told: the requester, and each Global admin in a DM naming the step and the code.
      await slack.waitFor('chat.postMessage', 'It failed', since);
      for (const admin of [U.grace, U.linus]) {
        await eventually(() => {
          const told = slack
            .of('chat.postMessage', `${id} (Katherine Johnson2) failed: addToSecurityGroup`)
            .filter((c) => c.body.channel === admin);
          expect(told.length).toBeGreaterThan(0);
          expect(JSON.stringify(told[0]!.body)).toContain('Request_ResourceNotFound');
        });
      }
    } finally {
      standIn.groups.set(GROUP_ID, members);
    }
  });

  it('A2: a Global admin made outside accessdesk shows in Global admins’ App Home after the sync, not in others’', async () => {
    standIn.assignRole(GLOBAL_ADMIN_TEMPLATE, standIn.addUser('mallory@contoso.example'));
    await desk.sync!.run();

    const since = slack.mark();
    await post(
      desk,
      event({ type: 'app_home_opened', user: U.grace, tab: 'home', channel: 'D0G' }),
    );
    const graces = await slack.waitFor('views.publish', U.grace, since);
    expect(JSON.stringify(graces.body)).toContain('1 account got Global admin outside accessdesk');
    await post(desk, event({ type: 'app_home_opened', user: U.ada, tab: 'home', channel: 'D0A' }));
    const adas = await slack.waitFor('views.publish', U.ada, since);
    expect(JSON.stringify(adas.body)).not.toContain('outside accessdesk');
  });
});
