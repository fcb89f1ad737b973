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
  onboardingValues,
  post,
  startDesk,
  submit,
  U,
} from './support.ts';

const db = useTestDatabase('slack/stories');
const DAY = 86_400_000;
/** Invitees who are in Slack but not in the tenant file (found through users.info). */
const slack = new FakeSlack({
  U0KATE1: 'katherine1@example.org',
  U0KATE3: 'katherine3@example.org',
});
let desk: Awaited<ReturnType<typeof startDesk>>;

beforeAll(async () => {
  slack.install();
  // One seat: the second approved request has to wait for it.
  desk = await startDesk(db.connection, { seats: 1 });
});
afterAll(async () => {
  await desk?.stop();
  FakeSlack.uninstall();
});

const requests = () => desk.system.store.requests.countDocuments();
const status = async (id: string) => (await desk.system.store.get(id)).status;
const idle = () => desk.system.background.idle();
const textOf = (call: { body: Record<string, unknown> }) => JSON.stringify(call.body);
/**
 * The handler runs after the ack: wait until the stored status is `expected` and its effects
 * (the outbox) are done, then for any background work.
 */
async function reaches(id: string, expected: string) {
  await eventually(async () => {
    const doc = await desk.system.store.get(id);
    expect(doc.status).toBe(expected);
    expect(doc.outbox.filter((i) => i.status === 'pending')).toEqual([]);
  });
  await idle();
}

/** The employee fills in the onboarding modal; returns the new request's id. */
async function employeeRequests(n: number): Promise<string> {
  const res = await post(desk, submit(U.ada, CALLBACK.onboardingRequest, onboardingValues(n)));
  expect(res.status).toBe(200);
  const dm = await slack.waitFor('chat.postMessage', `Johnson${n} was sent`);
  await idle();
  const id = /REQ-[A-Z0-9]+/.exec(textOf(dm))?.[0];
  expect(id).toBeDefined();
  return id!;
}

describe('the employee, the Global admin and the invitee', () => {
  it('submit → card with seats → Approve → card updated without buttons → Accept → accepted', async () => {
    const id = await employeeRequests(1);
    const card = await slack.waitFor('chat.postMessage', `Onboarding request ${id}`);
    expect(card.body.channel).toBe(APPROVALS);
    expect(textOf(card)).toContain('0/1 used');
    expect(textOf(card)).toContain(ACTION.approveRequest);
    expect(await status(id)).toBe('requested.awaitingApproval');

    const res = await post(desk, approve(U.grace, id));
    expect(res.status).toBe(200);
    await reaches(id, 'invited');
    const update = slack.of('chat.update', id).at(-1)!;
    expect(update.body.channel).toBe(APPROVALS);
    expect(textOf(update)).toContain('approved by Grace Hopper');
    expect(textOf(update)).not.toContain(ACTION.approveRequest);
    expect(textOf(update)).not.toContain(ACTION.denyRequest);
    // The invitee is in Slack: the invitation goes to them, found by email.
    const invitation = await slack.waitFor('chat.postMessage', ACTION.acceptInvitation);
    expect(invitation.body.channel).toBe('U0KATE1');

    expect(
      (await post(desk, click('U0KATE1', ACTION.acceptInvitation, id, 'D0KATE1'))).status,
    ).toBe(200);
    await reaches(id, 'accepted');
    expect(await desk.tenant.seatSummary('D365_SALES')).toMatchObject({ assigned: 1, free: 0 });
  });

  it('an invalid modal gets response_action errors on that field and writes nothing', async () => {
    const before = await requests();
    const bad = onboardingValues(9, {
      [FIELD.email]: { type: 'plain_text_input', value: 'not-an-email' },
    });
    const res = await post(desk, submit(U.ada, CALLBACK.onboardingRequest, bad));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      response_action: 'errors',
      errors: { [FIELD.email]: expect.any(String) },
    });
    await idle();
    expect(await requests()).toBe(before);
  });

  it('Deny opens the reason modal; submitting it denies, and the card names who denied', async () => {
    const id = await employeeRequests(2);
    expect((await post(desk, click(U.grace, ACTION.denyRequest, id))).status).toBe(200);
    const modal = await slack.waitFor('views.open', CALLBACK.denyRequest);
    expect(textOf(modal)).toContain(id);
    expect(await status(id)).toBe('requested.awaitingApproval');

    // A reason is required: errors on the reason block, nothing decided.
    const empty = await post(
      desk,
      submit(
        U.grace,
        CALLBACK.denyRequest,
        { [FIELD.reason]: { [FIELD.reason]: { value: ' ' } } },
        id,
      ),
    );
    expect(empty.json).toMatchObject({
      response_action: 'errors',
      errors: { [FIELD.reason]: expect.any(String) },
    });
    expect(await status(id)).toBe('requested.awaitingApproval');

    const values = { [FIELD.reason]: { [FIELD.reason]: { value: 'no budget this quarter' } } };
    expect((await post(desk, submit(U.grace, CALLBACK.denyRequest, values, id))).status).toBe(200);
    await reaches(id, 'denied');
    const update = slack.of('chat.update', id).at(-1)!;
    expect(textOf(update)).toContain('denied by Grace Hopper');
    expect(textOf(update)).not.toContain(ACTION.approveRequest);
  });

  it('a non-admin clicking Approve is told privately, nothing changes, the attempt is audited', async () => {
    const id = await employeeRequests(4);
    const since = slack.mark();
    const res = await post(desk, approve(U.alan, id));
    expect(res.status).toBe(200);
    const ephemeral = await slack.waitFor('chat.postEphemeral', undefined, since);
    await idle();
    expect(ephemeral.body).toMatchObject({ channel: APPROVALS, user: U.alan });
    expect(await status(id)).toBe('requested.awaitingApproval');
    expect(slack.calls.slice(since).filter((c) => c.method === 'chat.update')).toHaveLength(0);
    const trail = await desk.system.audit.forRequest(id);
    expect(trail).toContainEqual(
      expect.objectContaining({
        actor: 'alan@contoso.example',
        action: 'refused:approver.approved',
        reason: 'not_global_admin',
      }),
    );
    // Clean up for the stories below: Linus denies it.
    await desk.system.lifecycle.act(id, 'linus@contoso.example', {
      type: 'approver.denied',
      reason: 'test',
    });
    await idle();
  });

  it('/access status <id> by an unrelated employee answers "Not found"', async () => {
    const id = (await desk.system.queries.requestsInvolving(['ada@contoso.example']))[0]!._id;
    const since = slack.mark();
    expect((await post(desk, command(U.alan, `status ${id}`))).status).toBe(200);
    const answer = await slack.waitFor('response_url/commands', 'Not found', since);
    expect(textOf(answer)).toContain(id);
    expect(textOf(answer)).not.toContain('Katherine');
    // The requester does see it.
    const later = slack.mark();
    await post(desk, command(U.ada, `status ${id}`));
    const theirs = await slack.waitFor('response_url/commands', id, later);
    expect(textOf(theirs)).not.toContain('Not found');
  });

  it('a request waits for a seat; /access seats shows it full; adding a seat moves it on; it then expires', async () => {
    const id = await employeeRequests(3);
    await post(desk, approve(U.grace, id));
    await reaches(id, 'approved.waitingForSeat');

    let since = slack.mark();
    await post(desk, command(U.ada, 'seats'));
    const seats = await slack.waitFor(
      'response_url/commands',
      'Dynamics 365 Sales Enterprise (D365_SALES): 1/1 used',
      since,
    );
    expect(textOf(seats)).toContain('0 free');

    // A non-admin cannot add seats; a Global admin can, and the waiting request moves on.
    since = slack.mark();
    await post(desk, command(U.ada, 'seats set D365_SALES 2'));
    await slack.waitFor('response_url/commands', 'Only a Global admin', since);
    await idle();
    expect(await status(id)).toBe('approved.waitingForSeat');
    since = slack.mark();
    await post(desk, command(U.grace, 'seats set D365_SALES 2'));
    await slack.waitFor('response_url/commands', '2 seats', since);
    await reaches(id, 'invited');
    expect(await desk.tenant.seatSummary('D365_SALES')).toMatchObject({ assigned: 1, held: 1 });

    // Nobody accepts within 14 days: the sweep expires the invitation and frees the seat.
    desk.clock.advance(14 * DAY + 60_000);
    await desk.system.scheduler.sweep();
    await reaches(id, 'expired');
    expect(await desk.tenant.seatSummary('D365_SALES')).toMatchObject({ held: 0, free: 1 });
    expect(textOf(slack.of('chat.update', id).at(-1)!)).toContain('expired');
  });
});

describe('seat counts from Slack', () => {
  it('/access seats shows SKU ids; seats set takes the id or the name; an unknown SKU lists the ids', async () => {
    let since = slack.mark();
    await post(desk, command(U.ada, 'seats'));
    const table = await slack.waitFor('response_url/commands', 'used', since);
    expect(textOf(table)).toContain('D365_SALES');

    since = slack.mark();
    await post(desk, command(U.grace, 'seats set Dynamics 365 Sales Enterprise 7'));
    const byName = await slack.waitFor('response_url/commands', 'seats', since);
    expect(textOf(byName)).toContain('Dynamics 365 Sales Enterprise: 7 seats');
    expect((await desk.tenant.seatSummary('D365_SALES')).seats).toBe(7);

    since = slack.mark();
    await post(desk, command(U.grace, 'seats set d365_sales 8'));
    await slack.waitFor('response_url/commands', 'Dynamics 365 Sales Enterprise: 8 seats', since);

    since = slack.mark();
    await post(desk, command(U.grace, 'seats set Dynamics 9'));
    const unknown = textOf(await slack.waitFor('response_url/commands', 'no SKU', since));
    expect(unknown).toContain('There is no SKU \\"Dynamics\\"');
    expect(unknown).toContain('D365_SALES');
    expect(unknown).not.toMatch(/\([A-Z]\d\)/);
    expect((await desk.tenant.seatSummary('D365_SALES')).seats).toBe(8);

    // Back to what the stories after this one expect.
    since = slack.mark();
    await post(desk, command(U.grace, 'seats set D365_SALES 2'));
    await slack.waitFor('response_url/commands', '2 seats', since);
    await idle();
  });
});

describe('waiting for the work after an ack', () => {
  it('background.idle() waits for what a listener does after it acked', async () => {
    const since = slack.mark();
    expect((await post(desk, command(U.ada, 'seats'))).status).toBe(200);
    await idle();
    // No polling: the answer went out before idle() resolved.
    const answers = slack.calls.slice(since).filter((c) => c.method.startsWith('response_url'));
    expect(answers.map(textOf).join()).toContain('used');
  });
});

describe('the manager', () => {
  it("opening App Home publishes a view with their report's requests", async () => {
    const mine = await desk.system.queries.requestsInvolving(['ada@contoso.example']);
    expect(mine.length).toBeGreaterThan(0);
    const res = await post(
      desk,
      event({ type: 'app_home_opened', user: U.margaret, tab: 'home', channel: 'D0HOME' }),
    );
    expect(res.status).toBe(200);
    const published = await slack.waitFor('views.publish', U.margaret);
    await idle();
    expect(published.body.user_id).toBe(U.margaret);
    for (const r of mine) expect(textOf(published)).toContain(r._id);
    // The unrelated employee's home shows none of them.
    await post(
      desk,
      event({ type: 'app_home_opened', user: U.alan, tab: 'home', channel: 'D0HOME2' }),
    );
    const alans = await slack.waitFor('views.publish', U.alan);
    for (const r of mine) expect(textOf(alans)).not.toContain(r._id);
  });
});
