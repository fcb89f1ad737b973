import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.ts';
import { command, FakeSlack, post, SIGNING_SECRET, sign, startDesk, U } from './support.ts';

const db = useTestDatabase('slack/signing-rotation');
const PREVIOUS = 'the-signing-secret-being-rotated-out';
const slack = new FakeSlack();
let desk: Awaited<ReturnType<typeof startDesk>>;

beforeAll(async () => {
  slack.install();
  desk = await startDesk(db.connection, { env: { SLACK_SIGNING_SECRET_PREVIOUS: PREVIOUS } });
});
afterAll(async () => {
  await desk?.stop();
  FakeSlack.uninstall();
});

/** `/access help` by Alan, signed with `secret`. */
async function helpSignedWith(secret: string) {
  const req = command(U.alan, 'help');
  const ts = Math.floor(Date.now() / 1000);
  return post(desk, req, { timestamp: ts, signature: sign(req.body, ts, secret) });
}

describe('rotating the signing secret (SLACK_SIGNING_SECRET_PREVIOUS)', () => {
  it('requests signed with the new secret or the one being rotated out are both handled', async () => {
    for (const secret of [SIGNING_SECRET, PREVIOUS]) {
      const since = slack.mark();
      expect((await helpSignedWith(secret)).status).toBe(200);
      await slack.waitFor('response_url', '/access', since);
    }
  });

  it('any other secret is still refused (401), and nothing answers it', async () => {
    const since = slack.mark();
    const res = await helpSignedWith('some-other-secret');
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ ok: false, error: 'invalid_signature' });
    await desk.system.background.idle();
    expect(slack.calls.slice(since)).toEqual([]);
  });

  it('the previous secret alone is a configuration error', async () => {
    const { loadConfig } = await import('../../src/config.ts');
    expect(() =>
      loadConfig({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET_PREVIOUS: PREVIOUS }),
    ).toThrow(/SLACK_SIGNING_SECRET_PREVIOUS: give the new SLACK_SIGNING_SECRET with it/);
  });
});
