import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK, FIELD } from '../../flows/ids.ts';
import { useTestDatabase } from '../support/db.ts';
import {
  APPROVALS,
  approve,
  command,
  eventually,
  FakeSlack,
  post,
  startDesk,
  submit,
  U,
} from './support.ts';

const db = useTestDatabase('slack/bulk');
const slack = new FakeSlack();
let desk: Awaited<ReturnType<typeof startDesk>>;

beforeAll(async () => {
  slack.install();
  desk = await startDesk(db.connection, { seats: 5 });
});
afterAll(async () => {
  await desk?.stop();
  FakeSlack.uninstall();
});

const HEADER =
  'email,first_name,last_name,job_title,department,manager_email,sku,environment,business_unit,security_roles,access_mode';
const person = (n: number, department: string, roles = 'Salesperson') =>
  `hire${n}@example.org,Hire,Number${n},Analyst,${department},margaret@contoso.example,D365_SALES,sales-prod,sales,${roles},read_write`;
const textOf = (call: { body: Record<string, unknown> }) => JSON.stringify(call.body);
const idle = () => desk.system.background.idle();

/** Ada uploads `content` as `fileId` in the import modal and submits it. */
async function uploadAndSubmit(fileId: string, content: string) {
  slack.files.set(fileId, { name: `${fileId}.csv`, content });
  const values = {
    [FIELD.csvFile]: {
      [FIELD.csvFile]: { type: 'file_input', files: [{ id: fileId, name: `${fileId}.csv` }] },
    },
  };
  const res = await post(desk, submit(U.ada, CALLBACK.bulkImport, values));
  expect(res.status).toBe(200);
  // Acked at once with a "checking" view; the file is read after the ack.
  expect(res.json).toMatchObject({ response_action: 'update' });
  expect(JSON.stringify(res.json)).toContain('Checking');
  await idle();
}

describe('bulk onboarding in Slack', () => {
  it('/access import opens a modal with a CSV file input', async () => {
    const since = slack.mark();
    const res = await post(desk, command(U.ada, 'import'));
    expect(res.status).toBe(200);
    const open = await slack.waitFor('views.open', CALLBACK.bulkImport, since);
    const input = (open.body.view as { blocks: Array<Record<string, unknown>> }).blocks.find(
      (b) => b.block_id === FIELD.csvFile,
    );
    expect(input?.element).toMatchObject({ type: 'file_input', filetypes: ['csv'] });
  });

  it('a file with one bad row lists it and queues nothing', async () => {
    const since = slack.mark();
    await uploadAndSubmit(
      'F0BAD1',
      `${HEADER}\n${person(1, 'Sales')}\n${person(2, 'Sales', 'Astronaut')}\n`,
    );
    const update = await slack.waitFor('views.update', 'problem', since);
    expect(textOf(update)).toContain('1 problem in 2 rows; nothing was sent.');
    expect(textOf(update)).toContain('line 3, security_roles: Not roles of Sales (S3): Astronaut.');
    const dm = await slack.waitFor('chat.postMessage', 'nothing was sent', since);
    expect(dm.body.channel).toBe(U.ada);
    expect(await desk.system.store.requests.countDocuments()).toBe(0);
    expect(await desk.system.bulk.models.Row.countDocuments()).toBe(0);
  });

  it('a good file gives one card; the approval shows progress and ends with the results file', async () => {
    const since = slack.mark();
    await uploadAndSubmit(
      'F0GOOD1',
      `${HEADER}\n${person(1, 'Sales')}\n${person(2, 'Sales')}\n${person(3, 'Marketing')}\n`,
    );
    const sent = await slack.waitFor('views.update', 'was sent to the Global admins', since);
    const id = /REQ-[A-Z0-9]{8}/.exec(textOf(sent))?.[0];
    expect(id).toBeDefined();
    await slack.waitFor('chat.postMessage', `request ${id}`, since);
    const cards = slack.calls
      .slice(since)
      .filter((c) => c.method === 'chat.postMessage' && c.body.channel === APPROVALS);
    expect(cards).toHaveLength(1);
    expect(textOf(cards[0]!)).toContain('Onboard 3 people: Sales 2, Marketing 1');
    expect(textOf(cards[0]!)).toContain('Needs 3 Dynamics 365 Sales Enterprise seats: 5 free');
    expect(textOf(cards[0]!)).toContain('approve_request');

    const res = await post(desk, approve(U.grace, id!));
    expect(res.status).toBe(200);
    await eventually(async () => {
      expect((await desk.system.store.get(id!)).status).toBe('completed');
    }, 20_000);
    await idle();

    // One progress message to Ada, posted once and then edited in place.
    const posted = slack
      .of('chat.postMessage', `Bulk onboarding ${id}`)
      .filter((c) => c.body.channel === U.ada);
    expect(posted).toHaveLength(1);
    expect(textOf(posted[0]!)).toContain('provisioned 0/3, invited 0, waiting for a seat 0');
    const edits = slack.of('chat.update', `Bulk onboarding ${id}`);
    expect(textOf(edits.at(-1)!)).toContain('provisioned 3/3, invited 3, waiting for a seat 0');

    // The results file, privately to Ada: user names and one-time links, never a password.
    const complete = slack.of('files.completeUploadExternal').at(-1)!;
    expect(complete.body.channel_id).toBe('D0ADA');
    const file = slack.uploads.at(-1)!;
    expect(file).toContain('line,email,user_name,status,invitation_link');
    const links = [...file.matchAll(/http:\/\/localhost:\d+\/invitations\/[A-Za-z0-9_-]{43}/g)];
    expect(links).toHaveLength(3);
    expect(file).not.toMatch(/password/i);
    // No person's sign-in details went out by message either.
    expect(slack.of('chat.postMessage', 'emporary password')).toEqual([]);

    // T2: the link shows a fresh temporary password once, then the invitee accepts.
    const link = links[0]![0].replace(/http:\/\/localhost:\d+/, desk.url);
    const page = await fetch(link);
    expect(await page.text()).toContain('Show my user name and temporary password');
    const reveal = () =>
      fetch(link, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'do=reveal',
      });
    const shown = await reveal();
    const html = await shown.text();
    expect(shown.status).toBe(200);
    expect(html).toMatch(/Temporary password: <code>[^<]{16,}<\/code>/);
    expect(html).toContain('User name: <code>hire.number1@contoso.example</code>');
    const again = await reveal();
    expect(again.status).toBe(410);
    expect(await again.text()).not.toMatch(/Temporary password/);
    const accepted = await fetch(link, { method: 'POST' });
    expect(await accepted.text()).toContain('Invitation accepted');
  });
});
