import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION, CALLBACK } from '../../flows/ids.ts';
import { loadConfig } from '../../src/config.ts';
import { describeEngine } from '../../src/db/index.ts';
import { type Accessdesk, startAccessdesk } from '../../src/server.ts';
import { invitationDms } from '../scale/outcomes.ts';
import { SlackStandIn, SocketModeStandIn } from '../scale/slack-stand-in.ts';
import { useTestDatabase } from '../support/db.ts';
import {
  APPROVALS,
  approve,
  click,
  command,
  eventually,
  onboardingValues,
  type SlackBody,
  slackTenantYaml,
  submit,
  U,
} from './support.ts';

const db = useTestDatabase('slack/socket-mode');
let slack: SlackStandIn;
let socket: SocketModeStandIn;
let desk: Accessdesk;

beforeAll(async () => {
  slack = await SlackStandIn.start({ U0KATE1: 'katherine1@example.org' });
  socket = await SocketModeStandIn.start(slack);
  const dir = mkdtempSync(join(tmpdir(), 'accessdesk-socket-'));
  writeFileSync(join(dir, 'tenant.yaml'), slackTenantYaml(2));
  const config = loadConfig({
    SLACK_APP_TOKEN: 'xapp-1-test',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    ACCESSDESK_TENANT_FILE: join(dir, 'tenant.yaml'),
    ACCESSDESK_APPROVALS_CHANNEL: APPROVALS,
  });
  desk = await startAccessdesk(config, {
    sweep: false,
    log: () => {},
    database: {
      connection: db.connection,
      engine: await describeEngine(db.connection),
      origin: 'test database',
      close: async () => {},
    },
  });
  await socket.connected();
}, 60_000);

afterAll(async () => {
  await desk?.stop();
  await slack?.close();
});

/** The JSON payload inside an interactivity form body (`payload=<json>`). */
const interactive = (req: SlackBody) =>
  JSON.parse(new URLSearchParams(req.body).get('payload')!) as Record<string, unknown>;
/** A slash command's fields, which Socket Mode sends as a JSON object. */
const slashCommand = (req: SlackBody) => Object.fromEntries(new URLSearchParams(req.body));

const status = async (id: string) => (await desk.system.store.get(id)).status;

describe('Socket Mode, against a Socket Mode stand-in on loopback', () => {
  it('connects through apps.connections.open with the app-level token', () => {
    expect(slack.fake.of('apps.connections.open')).toHaveLength(1);
  });

  it('one story over the socket: /access request → modal → Approve → provisioned → invitation DM → Accept', async () => {
    // Every envelope is acknowledged by its envelope_id (send() resolves on that ack only).
    const opened = await socket.send('slash_commands', slashCommand(command(U.ada, 'request')));
    expect(opened.envelope_id).toEqual(expect.any(String));
    const modal = await slack.fake.waitFor('views.open', CALLBACK.onboardingRequest);
    expect(modal.body.trigger_id).toEqual(expect.any(String));

    const submitted = interactive(submit(U.ada, CALLBACK.onboardingRequest, onboardingValues(1)));
    const ack = await socket.send('interactive', submitted);
    expect(ack.payload?.response_action).toBeUndefined(); // no field errors: the modal closes
    const sent = await slack.fake.waitFor('chat.postMessage', 'Johnson1 was sent');
    const id = /REQ-[A-Z0-9]+/.exec(JSON.stringify(sent.body))![0];
    expect(await status(id)).toBe('requested.awaitingApproval');

    await socket.send('interactive', interactive(approve(U.grace, id)));
    await eventually(async () => expect(await status(id)).toBe('invited'), 30_000);
    const request = await desk.system.store.get(id);
    expect(request.history.map((h) => h.to)).toContain('provisioned');
    await eventually(() => expect(invitationDms(slack.fake, 'U0KATE1')).toHaveLength(1));

    await socket.send(
      'interactive',
      interactive(click('U0KATE1', ACTION.acceptInvitation, id, 'D0KATE')),
    );
    await eventually(async () => expect(await status(id)).toBe('accepted'), 30_000);
  }, 90_000);

  it('the inbound schema screens Socket Mode payloads first: a malformed click is acknowledged and changes nothing', async () => {
    const sent = interactive(submit(U.ada, CALLBACK.onboardingRequest, onboardingValues(2)));
    await socket.send('interactive', sent);
    const dm = await slack.fake.waitFor('chat.postMessage', 'Johnson2 was sent');
    const id = /REQ-[A-Z0-9]+/.exec(JSON.stringify(dm.body))![0];
    // The submission's own work (card, notices) is done first.
    await eventually(async () => {
      await desk.system.background.idle();
      expect((await desk.system.store.get(id)).outbox).toEqual([]);
    });
    const before = await desk.system.store.get(id);
    const audited = (await desk.system.audit.forRequest(id)).length;

    const forged = interactive(approve(U.grace, id));
    (forged.user as Record<string, unknown>).id = { $gt: '' };
    const ack = await socket.send('interactive', forged);
    expect(ack.envelope_id).toEqual(expect.any(String));
    await desk.system.background.idle();
    // A listener would have saved an approval or audited a refused one: neither happened.
    expect((await desk.system.store.get(id)).version).toBe(before.version);
    expect(await desk.system.audit.forRequest(id)).toHaveLength(audited);
    // The same click, well formed, goes through: the screen, not the click, stopped it.
    await socket.send('interactive', interactive(approve(U.grace, id)));
    await eventually(async () => expect(await status(id)).not.toBe(before.status), 30_000);
  }, 60_000);
});
