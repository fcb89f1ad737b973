import { describe, expect, it } from 'vitest';
import { ACTION, CALLBACK, FIELD } from '../../flows/ids.ts';
import { auditSeq, contentHash } from '../support/db-state.ts';
import { payloadOf, useEdgeFixture } from './edge-support.ts';
import {
  click,
  command,
  event,
  interaction,
  onboardingValues,
  post,
  type SlackBody,
  submit,
  U,
} from './support.ts';

/**
 * Injection probes (issue 9): every id-bearing field of every payload kind, given an object, an
 * array, a `$`-operator and an oversized string. Each is refused at the edge with a 400 that
 * names the field, and nothing is written, not even an audit entry.
 */
const f = useEdgeFixture('slack/injection');

const PROBES: Record<string, unknown> = {
  'an object': { id: U.grace },
  'an array': [U.linus, U.grace],
  'a $-operator': { $ne: null },
  'an oversized string': `U0${'A'.repeat(10_000)}`,
};

type Path = Array<string | number>;
const setAt = (root: Record<string, unknown>, path: Path, value: unknown) => {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
  return root;
};

/** Interaction payloads and the paths of their id-bearing fields. */
const interactions: Array<[string, () => SlackBody, Path[]]> = [
  [
    'approve click',
    () => click(U.grace, ACTION.approveRequest, f.requestId),
    [
      ['user', 'id'],
      ['user', 'team_id'],
      ['team', 'id'],
      ['channel', 'id'],
      ['actions', 0, 'value'],
    ],
  ],
  [
    'deny modal',
    () =>
      submit(
        U.grace,
        CALLBACK.denyRequest,
        { [FIELD.reason]: { [FIELD.reason]: { type: 'plain_text_input', value: 'no' } } },
        f.requestId,
      ),
    [
      ['user', 'id'],
      ['team', 'id'],
      ['view', 'private_metadata'],
    ],
  ],
  [
    'onboarding modal',
    () =>
      submit(
        U.ada,
        CALLBACK.onboardingRequest,
        onboardingValues(7, {
          [FIELD.manager]: { type: 'users_select', selected_user: U.margaret },
        }),
      ),
    [
      ['user', 'id'],
      ['view', 'state', 'values', FIELD.manager, FIELD.manager, 'selected_user'],
    ],
  ],
  [
    'shortcut',
    () =>
      interaction({
        type: 'shortcut',
        user: { id: U.ada },
        team: { id: 'T0TEST' },
        callback_id: CALLBACK.openOnboarding,
        trigger_id: 'trigger-1',
      }),
    [
      ['user', 'id'],
      ['team', 'id'],
    ],
  ],
];

const COMMAND_FIELDS = ['user_id', 'team_id', 'channel_id', 'enterprise_id'];

async function expectRefusedAndNothingWritten(body: SlackBody, field: string) {
  const before = await contentHash(f.db.connection);
  const seq = await auditSeq(f.db.connection);
  const res = await post(f.desk, body);
  expect(res.status).toBe(400);
  expect(res.json).toMatchObject({ ok: false, error: 'invalid_payload' });
  expect((res.json as { problem: string }).problem).toContain(field);
  await f.desk.system.background.idle();
  expect(await contentHash(f.db.connection)).toEqual(before);
  expect(await auditSeq(f.db.connection)).toBe(seq);
}

describe.each(Object.entries(PROBES))('%s', (_, probe) => {
  for (const [name, make, paths] of interactions) {
    it.each(paths.map((p) => [p.join('.'), p] as const))(
      `in the ${name}'s %s`,
      async (field, path) => {
        await expectRefusedAndNothingWritten(
          interaction(setAt(payloadOf(make()), path, probe)),
          field,
        );
      },
    );
  }

  it.each(COMMAND_FIELDS)('in a slash command’s %s', async (field) => {
    const fields = new URLSearchParams(command(U.grace, 'seats set D365_SALES 99').body);
    fields.delete(field);
    // A form carries text only: an array is a repeated field, anything else its JSON.
    const values = Array.isArray(probe)
      ? probe
      : [typeof probe === 'string' ? probe : JSON.stringify(probe)];
    for (const v of values) fields.append(field, String(v));
    await expectRefusedAndNothingWritten(
      { body: fields.toString(), contentType: 'application/x-www-form-urlencoded' },
      field,
    );
  });

  it.each([['team_id'], ['event', 'user']])('in an App Home event’s %s', async (...path) => {
    const body = JSON.parse(event({ type: 'app_home_opened', user: U.alan, tab: 'home' }).body);
    await expectRefusedAndNothingWritten(
      { body: JSON.stringify(setAt(body, path, probe)), contentType: 'application/json' },
      path.join('.'),
    );
  });

  it('in an invitation link (404 page, nothing looked up)', async () => {
    const tail = encodeURIComponent(typeof probe === 'string' ? probe : JSON.stringify(probe));
    for (const method of ['GET', 'POST']) {
      const res = await fetch(`${f.desk.url}/invitations/${tail}`, { method });
      expect(res.status).toBe(410);
      expect(await res.text()).toContain('This invitation cannot be used');
    }
  });
});
