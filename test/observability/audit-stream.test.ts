import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { describeEngine } from '../../src/db/index.ts';
import { stdoutSink, webhookSink } from '../../src/observability/audit-stream.ts';
import { type Accessdesk, startAccessdesk } from '../../src/server.ts';
import { smallTenantFile } from '../e2e/support.ts';
import { eventually } from '../slack/support.ts';
import { useTestDatabase } from '../support/db.ts';
import { WebhookStandIn } from './webhook-stand-in.ts';

/**
 * The audit trail streamed to a webhook stand-in on loopback (ACCESSDESK_AUDIT_SINK, plain http
 * allowed by its test flag): every entry once, in order, across a restart, an outage, and two
 * instances streaming from one database.
 */
const db = useTestDatabase('observability/audit-stream');
const SECRET = 'audit-sink-secret-for-tests';
const hook = new WebhookStandIn(SECRET);
const desks: Accessdesk[] = [];
let tenantFile = '';

beforeAll(async () => {
  await hook.start();
  tenantFile = smallTenantFile({});
});
afterAll(async () => {
  for (const desk of desks) await desk.stop();
  await hook.stop();
});

async function startInstance(): Promise<Accessdesk> {
  const config = loadConfig({
    PORT: '0',
    ACCESSDESK_TENANT_FILE: tenantFile,
    ACCESSDESK_AUDIT_SINK: hook.url,
    ACCESSDESK_AUDIT_SINK_SECRET: SECRET,
    ACCESSDESK_AUDIT_SINK_ALLOW_HTTP: '1',
    ACCESSDESK_AUDIT_SINK_EVERY: '1s',
  });
  const desk = await startAccessdesk(config, {
    sweep: false,
    log: () => {},
    database: {
      connection: db.connection,
      engine: await describeEngine(db.connection),
      origin: 'test',
      close: async () => {},
    },
  });
  desks.push(desk);
  return desk;
}

async function stopInstance(desk: Accessdesk): Promise<void> {
  await desk.stop();
  desks.splice(desks.indexOf(desk), 1);
}

/** `n` audit entries appended by `desk`'s trail, about requests named `REQ-<tag><i>`. */
async function appendEntries(desk: Accessdesk, tag: string, n: number): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      desk.system.audit.append({
        requestId: `REQ-${tag}${i}`,
        actor: 'grace@contoso.example',
        action: 'approver.approved',
        from: 'requested.awaitingApproval',
        to: 'approved.provisioning',
      }),
    ),
  );
}

/** Every entry 1..n arrived exactly once, in sequence order, each as stored. */
async function expectDeliveredOnce(desk: Accessdesk, n: number): Promise<void> {
  await eventually(() => expect(hook.received.length).toBeGreaterThanOrEqual(n), 20_000);
  expect(hook.received.map((e) => e.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  expect([...hook.counts().values()].every((c) => c === 1)).toBe(true);
  expect(hook.badSignatures).toBe(0);
  const stored = await desk.system.audit.entries.find().sort({ seq: 1 }).lean();
  expect(hook.received.map((e) => e.hash)).toEqual(stored.map((e) => e.hash));
  expect(await desk.auditStream!.acknowledged()).toBe(n);
}

describe('ACCESSDESK_AUDIT_SINK (a webhook)', () => {
  it('delivers every entry once, in order, signed, with the sequence numbers as idempotency key', async () => {
    const desk = await startInstance();
    await appendEntries(desk, 'A', 30);
    await expectDeliveredOnce(desk, 30);
    expect(hook.keys[0]).toMatch(/^1-\d+$/);
    expect(hook.received[0]).toEqual({
      seq: 1,
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      requestId: 'REQ-A0',
      actor: 'grace@contoso.example',
      action: 'approver.approved',
      from: 'requested.awaitingApproval',
      to: 'approved.provisioning',
      reason: null,
      prevHash: '0'.repeat(64),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('through an outage and a restart, resumes from the last acknowledged entry', async () => {
    const first = desks[0]!;
    hook.down = true;
    await appendEntries(first, 'B', 20);
    await eventually(() => expect(hook.refusedWhileDown).toBeGreaterThan(0), 20_000);
    // Stopped in the middle of the outage: nothing past 30 was acknowledged.
    await stopInstance(first);
    const restarted = await startInstance();
    expect(await restarted.auditStream!.acknowledged()).toBe(30);
    await appendEntries(restarted, 'C', 5);
    hook.down = false;
    await expectDeliveredOnce(restarted, 55);
  }, 60_000);

  it('two instances together deliver each entry once', async () => {
    const one = desks[0]!;
    const two = await startInstance();
    await Promise.all([appendEntries(one, 'D', 25), appendEntries(two, 'E', 25)]);
    await expectDeliveredOnce(two, 105);
    // Stopped, `one` hands the lease back and `two` streams what follows.
    await stopInstance(one);
    await appendEntries(two, 'F', 10);
    await expectDeliveredOnce(two, 115);
  }, 60_000);
});

describe('ACCESSDESK_AUDIT_SINK settings', () => {
  const env =
    (sink: string, extra: Record<string, string> = {}) =>
    () =>
      loadConfig({ ACCESSDESK_AUDIT_SINK: sink, ...extra });

  it('takes stdout, or an https URL with a secret', () => {
    expect(env('stdout')().auditSink).toEqual({ kind: 'stdout', everyMs: 2000 });
    expect(
      env('https://siem.example/hook', { ACCESSDESK_AUDIT_SINK_SECRET: 's' })().auditSink,
    ).toMatchObject({ kind: 'webhook', url: 'https://siem.example/hook', secret: 's' });
  });

  it('refuses plain http (unless to loopback with the test flag) and a URL without a secret', () => {
    expect(env('http://siem.example/hook', { ACCESSDESK_AUDIT_SINK_SECRET: 's' })).toThrow(
      /must be https/,
    );
    expect(env('http://127.0.0.1:9/hook', { ACCESSDESK_AUDIT_SINK_SECRET: 's' })).toThrow(
      /must be https/,
    );
    expect(env('https://siem.example/hook')).toThrow(/ACCESSDESK_AUDIT_SINK_SECRET: required/);
  });

  it('a batch signed with another secret is refused by the receiver and not retried at once', async () => {
    const refusedBefore = hook.badSignatures;
    const entry = {
      seq: 1,
      at: '2026-01-05T09:00:00.000Z',
      requestId: 'REQ-X',
      actor: 'a',
      action: 'x',
      from: null,
      to: null,
      reason: null,
      prevHash: 'p',
      hash: 'h',
    };
    const error = await webhookSink(hook.url, 'not-the-secret')
      .deliver([entry])
      .catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'AbortError', message: 'audit sink answered 401' });
    expect(hook.badSignatures).toBe(refusedBefore + 1);
  });

  it('stdout: one JSON line per entry, marked as the audit stream', async () => {
    let written = '';
    const sink = stdoutSink((text, done) => {
      written += text;
      done();
    });
    const entry = { seq: 7, at: '2026-01-05T09:00:00.000Z', requestId: 'REQ-X', actor: 'a' };
    await sink.deliver([
      { ...entry, action: 'x', from: null, to: null, reason: null, prevHash: 'p', hash: 'h' },
    ]);
    expect(
      written
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    ).toEqual([expect.objectContaining({ stream: 'audit', seq: 7, requestId: 'REQ-X' })]);
  });
});
