import { beforeAll, describe, expect, it } from 'vitest';
import { ACTION, CALLBACK } from '../../flows/ids.ts';
import { MAX_LOG_ID, MAX_LOG_LINE } from '../../src/log.ts';
import { contentHash } from '../support/db-state.ts';
import { payloadOf, useEdgeFixture } from './edge-support.ts';
import {
  APPROVALS,
  click,
  command,
  event,
  interaction,
  post,
  type SlackBody,
  submit,
  U,
} from './support.ts';

/**
 * The seven defects a hostile-input run found at the edge, one test each (issue 9). Every
 * payload here is correctly signed: only its shape is hostile.
 */
const f = useEdgeFixture('slack/hostile-input');
let initialStatus: string;

const json = (value: unknown): SlackBody => ({
  body: JSON.stringify(value),
  contentType: 'application/json',
});
const form = (body: string): SlackBody => ({
  body,
  contentType: 'application/x-www-form-urlencoded',
});
/** An interaction payload with `patch` laid over a valid Approve click by a Global admin. */
const approveWith = (patch: (p: Record<string, unknown>) => void): SlackBody => {
  const payload = payloadOf(click(U.grace, ACTION.approveRequest, f.requestId));
  patch(payload);
  return interaction(payload);
};
const status = async () => (await f.desk.system.store.get(f.requestId)).status;
const accounts = () => f.db.connection.db!.collection('accounts').countDocuments();

beforeAll(async () => {
  initialStatus = await status();
});

describe('1. a body of null', () => {
  it('is answered 400 and the process carries on (JSON null, payload=null)', async () => {
    for (const body of [json(null), form('payload=null'), json([]), json('text')]) {
      const res = await post(f.desk, body);
      expect(res.status, body.body).toBe(400);
    }
    // Still alive and answering.
    const help = await post(f.desk, command(U.alan, 'help'));
    expect(help.status).toBe(200);
    await f.desk.system.background.idle();
    expect(f.rejections).toEqual([]);
  });
});

describe('2. Slack ids that are not strings of their shape', () => {
  it.each([
    ['$regex', { $regex: '^U0GRACE$' }],
    ['$ne', { $ne: null }],
    ['an array', [U.linus, U.grace]],
    ['a lower-case id', 'u0grace'],
  ])('a click whose user.id is %s is refused and nobody is resolved', async (_, id) => {
    const before = await contentHash(f.db.connection);
    const accountsBefore = await accounts();
    const res = await post(
      f.desk,
      approveWith((p) => {
        (p.user as Record<string, unknown>).id = id;
      }),
    );
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ ok: false, error: 'invalid_payload' });
    expect(JSON.stringify(res.json)).toContain('user.id');
    await f.desk.system.background.idle();
    expect(await status()).toBe(initialStatus);
    expect(await accounts()).toBe(accountsBefore);
    expect(await contentHash(f.db.connection)).toEqual(before);
  });

  it('a slash command with two user_id fields is refused, not run as either', async () => {
    const seats = (await f.desk.tenant.seatSummary('D365_SALES')).seats;
    const twice = `${command(U.alan, 'seats set D365_SALES 99').body}&user_id=${U.grace}`;
    const res = await post(f.desk, form(twice));
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ ok: false, error: 'invalid_payload' });
    await f.desk.system.background.idle();
    expect((await f.desk.tenant.seatSummary('D365_SALES')).seats).toBe(seats);
  });
});

describe('3. the deny modal private_metadata', () => {
  it('an object there denies nothing', async () => {
    const before = await contentHash(f.db.connection);
    const values = { reason: { reason: { type: 'plain_text_input', value: 'no' } } };
    const body = JSON.parse(
      new URLSearchParams(submit(U.grace, CALLBACK.denyRequest, values).body).get('payload')!,
    );
    body.view.private_metadata = { $gt: '' };
    const res = await post(f.desk, interaction(body));
    expect(res.status).toBe(400);
    await f.desk.system.background.idle();
    expect(await status()).toBe(initialStatus);
    expect(await contentHash(f.db.connection)).toEqual(before);
  });
});

describe('4. payloads that got a 500', () => {
  it.each([
    ['event: "x"', json({ type: 'event_callback', team_id: 'T0TEST', event: 'x' })],
    [
      'view_submission with view ""',
      interaction({ type: 'view_submission', user: { id: U.grace }, view: '' }),
    ],
    [
      'block_actions with actions ""',
      interaction({ type: 'block_actions', user: { id: U.grace }, actions: '' }),
    ],
    ['an event with no event', json({ type: 'event_callback', team_id: 'T0TEST' })],
  ])('%s is answered 400', async (_, body) => {
    const res = await post(f.desk, body);
    expect(res.status).toBe(400);
  });

  it.each(['%', '%E0%A4%A', '%C0%AF'])(
    'GET and POST /invitations/%s (bad percent-encoding) are answered 404',
    async (tail) => {
      for (const method of ['GET', 'POST']) {
        const res = await fetch(`${f.desk.url}/invitations/${tail}`, { method });
        expect(res.status, method).toBe(404);
      }
    },
  );
});

describe('5. what accessdesk does not handle', () => {
  it.each([
    ['an unknown interaction type', interaction({ type: 'no_such_type', user: { id: U.alan } })],
    ['an unknown action_id', click(U.alan, 'no_such_action', 'x')],
    ['an unknown callback_id', submit(U.alan, 'no_such_modal', {})],
    [
      'an unknown shortcut',
      interaction({ type: 'shortcut', user: { id: U.alan }, callback_id: 'nope', trigger_id: 't' }),
    ],
    [
      'a closed modal',
      interaction({ type: 'view_closed', user: { id: U.alan }, view: { id: 'V1' } }),
    ],
    ['an unknown event', event({ type: 'reaction_added', user: U.alan })],
    ['another slash command', form(command(U.alan, 'x').body.replace('%2Faccess', '%2Fother'))],
  ])('%s is answered at once, not after Bolt’s 3 s', async (_, body) => {
    const res = await post(f.desk, body);
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(1000);
  });
});

describe('6. the signature window is ±5 minutes', () => {
  const now = () => Math.floor(Date.now() / 1000);
  it.each([
    ['an hour in the future', 3600, 401],
    ['six minutes in the future', 360, 401],
    ['an hour in the past', -3600, 401],
    ['four minutes in the future', 240, 200],
    ['four minutes in the past', -240, 200],
  ])('a request stamped %s is answered %i', async (_, offset, expected) => {
    const res = await post(f.desk, command(U.alan, 'help'), { timestamp: now() + offset });
    expect(res.status).toBe(expected);
  });
});

describe('7. log lines', () => {
  it('repeat no payload id at full length (a 5,000-character value)', async () => {
    f.desk.errors.length = 0;
    const long = `REQ-${'A'.repeat(5000)}`;
    const res = await post(f.desk, click(U.grace, ACTION.approveRequest, long, APPROVALS));
    expect(res.status).toBe(400);
    await post(
      f.desk,
      approveWith((p) => ((p.user as Record<string, unknown>).id = 'U'.repeat(5000))),
    );
    await fetch(`${f.desk.url}/invitations/${'x'.repeat(5000)}`);
    await f.desk.system.background.idle();
    expect(f.desk.errors.length).toBeGreaterThan(0);
    for (const line of f.desk.errors) {
      // A JSON line: the message is cut, the ids beside it are clipped (MAX_LOG_ID each).
      const { msg, level } = JSON.parse(line) as { msg: string; level: string };
      expect(level).toMatch(/^(debug|info|warn|error|fatal)$/);
      expect(msg.length).toBeLessThanOrEqual(MAX_LOG_LINE + 20);
      expect(line.length).toBeLessThanOrEqual(MAX_LOG_LINE + 8 * MAX_LOG_ID + 200);
      expect(line).not.toMatch(/A{100}|U{100}|x{100}/);
    }
  });
});
