import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION, CALLBACK, FIELD } from '../../flows/ids.ts';
import { useTestDatabase } from '../support/db.ts';
import {
  APPROVALS,
  approve,
  click,
  command,
  event,
  eventually,
  FakeSlack,
  interaction,
  post,
  startDesk,
  submit,
  U,
} from './support.ts';

// Issue 13's stories over signed HTTP against the real Bolt app and a real mongod: a time-bound
// grant with its warning and an extension, and a leaver with a future date. Time is a fake clock;
// the scheduler's sweep is run by the test where the service would run it on its cadence.

const db = useTestDatabase('slack/lifecycles');
const MIN = 60_000;
const HOUR = 60 * MIN;
const ADA = 'ada@contoso.example';
const slack = new FakeSlack({});
let desk: Awaited<ReturnType<typeof startDesk>>;

beforeAll(async () => {
  slack.install();
  desk = await startDesk(db.connection, {
    tenantExtra: 'grantLimits:\n  - { role: Global admin, max: 8h, required: true }\n',
    env: { ACCESSDESK_GRANT_WARNINGS: '30m' },
  });
});
afterAll(async () => {
  await desk?.stop();
  FakeSlack.uninstall();
});

const idle = () => desk.system.background.idle();
const textOf = (call: { body: Record<string, unknown> }) => JSON.stringify(call.body);
const idIn = (call: { body: Record<string, unknown> }) => /REQ-[A-Z0-9]+/.exec(textOf(call))?.[0];
const adminRolesOfAda = async () => (await desk.tenant.accountByEmail(ADA))?.adminRoles ?? [];

async function reaches(id: string, expected: string) {
  await eventually(async () => {
    const doc = await desk.system.store.get(id);
    expect(doc.status).toBe(expected);
    expect(doc.outbox.filter((i) => i.status === 'pending')).toEqual([]);
  });
  await idle();
}

/** Lets time pass to `at` and runs the scheduler's sweep, as the service does on its cadence. */
async function timePasses(at: number) {
  desk.clock.set(new Date(at));
  await desk.system.scheduler.sweep();
  await idle();
}

const select = (value: string) => ({ type: 'static_select', selected_option: { value } });
/** The role-change modal granting Ada `role` for `duration`. */
const grantValues = (role: string, duration: string) => {
  const values: Record<string, Record<string, unknown>> = {
    [FIELD.subjectUser]: { type: 'users_select', selected_user: U.ada },
    [FIELD.changeKind]: select('admin_roles_grant'),
    [FIELD.adminRoles]: { type: 'multi_static_select', selected_options: [{ value: role }] },
    [FIELD.duration]: select(duration),
    [FIELD.justification]: { type: 'plain_text_input', value: 'quarter close' },
  };
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { [k]: v }]));
};

describe('a time-bound grant with a warning and an extension', () => {
  it('over the cap is refused on the field naming it; nothing is written', async () => {
    const before = await desk.system.store.requests.countDocuments();
    const res = await post(
      desk,
      submit(U.ada, CALLBACK.roleChangeRequest, grantValues('Global admin', '1d')),
    );
    expect(res.json).toEqual({
      response_action: 'errors',
      errors: {
        [FIELD.duration]:
          'Global admin can be granted for at most 8 h (tenant.yaml); choose a shorter time.',
      },
    });
    const required = await post(
      desk,
      submit(U.ada, CALLBACK.roleChangeRequest, grantValues('Global admin', 'revoked')),
    );
    expect(JSON.stringify(required.json)).toContain('only be granted for a limited time');
    await idle();
    expect(await desk.system.store.requests.countDocuments()).toBe(before);
  });

  it('1 h of Billing admin: approved, warned 30 min before its end with Extend, extended with no gap, ended', async () => {
    const since = slack.mark();
    await post(desk, submit(U.ada, CALLBACK.roleChangeRequest, grantValues('Billing admin', '1h')));
    const sent = await slack.waitFor('chat.postMessage', 'was sent to the Global admins', since);
    const id = idIn(sent)!;
    const card = await slack.waitFor('chat.postMessage', `Time-bound grant for Ada`, since);
    expect(card.body.channel).toBe(APPROVALS);
    expect(textOf(card)).toContain('1 h, from when it is applied');

    desk.clock.advance(10 * MIN); // the clock starts at the approval
    await post(desk, approve(U.grace, id));
    await reaches(id, 'active');
    const t0 = desk.clock.now().getTime();
    expect(await adminRolesOfAda()).toContain('Billing admin');

    const beforeWarning = slack.mark();
    await timePasses(t0 + 29 * MIN);
    expect(slack.calls.slice(beforeWarning).filter((c) => textOf(c).includes('ends in'))).toEqual(
      [],
    );
    await timePasses(t0 + 30 * MIN);
    const warning = await slack.waitFor('chat.postMessage', 'ends in 30 min', beforeWarning);
    expect(warning.body.channel).toBe(U.ada);
    expect(textOf(warning)).toContain(ACTION.extendGrant);

    // Margaret, Ada's manager, sees the grant and its time left in App Home.
    const home = slack.mark();
    await post(desk, event({ type: 'app_home_opened', user: U.margaret, tab: 'home' }));
    const published = await slack.waitFor('views.publish', 'Time-bound access', home);
    expect(textOf(published)).toContain('Ada Lovelace has *Billing admin* for 30 min more');

    const asked = slack.mark();
    await post(desk, click(U.ada, ACTION.extendGrant, id, 'D0ADA'));
    const extensionSent = await slack.waitFor('chat.postMessage', `of ${id} was sent`, asked);
    const extension = idIn(extensionSent)!;
    const extensionCard = await slack.waitFor('chat.postMessage', `Extension of ${id}`, asked);
    expect(textOf(extensionCard)).toContain('30 min when asked');

    await timePasses(t0 + 40 * MIN);
    await post(desk, approve(U.linus, extension));
    await reaches(extension, 'active');
    await timePasses(t0 + HOUR);
    await reaches(id, 'ended');
    expect(await adminRolesOfAda()).toContain('Billing admin'); // no gap

    await timePasses(t0 + 2 * HOUR);
    await reaches(extension, 'ended');
    expect(await adminRolesOfAda()).not.toContain('Billing admin');
    await slack.waitFor('chat.postMessage', 'has ended', asked);
  });
});

describe('a leaver with a future date', () => {
  it("the message shortcut opens the offboarding modal with the message's author; submitting asks it", async () => {
    const since = slack.mark();
    const shortcut = interaction({
      type: 'message_action',
      callback_id: CALLBACK.offboardShortcut,
      trigger_id: 'trigger-shortcut',
      user: { id: U.linus, team_id: 'T0TEST' },
      team: { id: 'T0TEST', domain: 'contoso' },
      channel: { id: 'C0GENERAL', name: 'general' },
      message: { type: 'message', user: U.alan, ts: '1700000000.000200', text: 'last day!' },
      response_url: 'https://hooks.slack.test/actions/shortcut',
    });
    expect((await post(desk, shortcut)).status).toBe(200);
    const opened = await slack.waitFor('views.open', CALLBACK.offboardRequest, since);
    expect(textOf(opened)).toContain(`"initial_user":"${U.alan}"`);

    const values = {
      [FIELD.leaver]: { [FIELD.leaver]: { type: 'users_select', selected_user: U.alan } },
    };
    await post(desk, submit(U.linus, CALLBACK.offboardRequest, values));
    const sent = await slack.waitFor('chat.postMessage', 'Your offboarding request', since);
    expect(sent.body.channel).toBe(U.linus);
    expect(textOf(sent)).toContain('for alan@contoso.example');
    const id = idIn(sent)!;
    // Cancelled by its requester: Ada's story below is the one that runs to the end.
    await post(desk, click(U.linus, ACTION.cancelRequest, id, 'D0LINUS'));
    await reaches(id, 'cancelled');
  });

  it('/access offboard @ada <date>: the manager is told, approved, scheduled, closed on the day', async () => {
    const today = desk.clock.now();
    const date = new Date(today.getTime() + 3 * 24 * HOUR).toISOString().slice(0, 10);
    const since = slack.mark();
    const res = await post(desk, command(U.linus, `offboard <@${U.ada}|ada> ${date}`));
    expect(res.status).toBe(200);
    const sent = await slack.waitFor('response_url', `(effective ${date})`, since);
    const id = idIn(sent)!;
    const told = await slack.waitFor('chat.postMessage', 'asked to offboard Ada Lovelace', since);
    expect(told.body.channel).toBe(U.margaret);

    await post(desk, approve(U.grace, id));
    await reaches(id, 'approved.scheduled');
    expect((await desk.tenant.accountByEmail(ADA))?.signInAllowed).toBe(true);

    await timePasses(new Date(`${date}T00:00:00Z`).getTime() - MIN);
    expect((await desk.system.store.get(id)).status).toBe('approved.scheduled');
    await timePasses(new Date(`${date}T00:00:00Z`).getTime());
    await reaches(id, 'offboarded');
    const account = await desk.tenant.accountByEmail(ADA);
    expect(account?.signInAllowed).toBe(false);
    expect(account?.deletedAt ?? null).toBeNull(); // E5: the account stays
    await slack.waitFor('chat.postMessage', "Ada Lovelace's access is closed", since);
  });
});
