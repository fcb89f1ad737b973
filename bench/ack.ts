/**
 * Ack latency of accessdesk's Slack endpoint, next to a bare node:http server that only checks
 * the signature. Prints figures; it is not a test. Loopback only, bounded in count and time.
 *
 *   npx tsx bench/ack.ts [--rate 200] [--seconds 10] [--kind approve|help|home]
 *
 * Uses $MONGODB_URI when set, else starts an embedded mongod. "Slack" runs in a child process:
 * the load generator and a Web API / response_url stub answering `{ ok: true, ts, channel }` to
 * anything, so the servers measured do not share their event loop with the client.
 */

import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { verifySlackRequest } from '@slack/bolt';
import { loadConfig } from '../src/config.ts';
import { startEmbeddedMongo } from '../src/db/embedded.ts';
import { connectMongo, describeEngine } from '../src/db/index.ts';
import { submitOnboarding } from '../src/lifecycle/submit.ts';
import { startAccessdesk } from '../src/server.ts';
import { GLOBAL_ADMINS, salesTenantYaml } from '../test/support/sales-tenant.ts';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '10' },
    kind: { type: 'string', default: 'approve' },
    slack: { type: 'boolean', default: false },
    secret: { type: 'string', default: '' },
  },
});
const RATE = Math.min(Math.max(Number(args.rate), 1), 2000);
const SECONDS = Math.min(Math.max(Number(args.seconds), 1), 60);
const KIND = args.kind as 'approve' | 'help' | 'home';
if (!['approve', 'help', 'home'].includes(KIND)) throw new Error(`--kind: approve, help or home`);
const TOTAL = Math.min(Math.round(RATE * SECONDS), 20_000);
const REQUEST_TIMEOUT_MS = 10_000;
const SECRET = args.secret || randomBytes(16).toString('hex');

const TENANT = salesTenantYaml(10, [
  GLOBAL_ADMINS()[0]!,
  '{ email: ada@contoso.example, firstName: Ada, lastName: Lovelace, slackId: U0ADA, managerEmail: grace@contoso.example }',
]);

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(`http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
    }),
  );

/** Slack's Web API and response_urls, as far as accessdesk needs: every call succeeds. */
function slackStub(): { server: Server; calls: () => number } {
  let calls = 0;
  let ts = 1_700_000_000;
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    calls++;
    const channel = new URLSearchParams(body).get('channel') ?? 'C0APPROVALS';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        ok: true,
        ts: `${ts++}.000100`,
        channel,
        user_id: 'U0ACCESSDESK',
        bot_id: 'B0ACCESSDESK',
        team_id: 'T0BENCH',
      }),
    );
  });
  return { server, calls: () => calls };
}

/** The floor: a node:http server that only verifies the signature. */
function bareServer(): Server {
  return createServer(async (req, res) => {
    const body = await readBody(req);
    try {
      verifySlackRequest({
        signingSecret: SECRET,
        body,
        headers: {
          'x-slack-signature': String(req.headers['x-slack-signature']),
          'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
        },
      });
      res.writeHead(200).end();
    } catch {
      res.writeHead(401).end();
    }
  });
}

/** The i-th request body of the chosen kind. */
function bodyFor(i: number, requestId: string, stubUrl: string) {
  if (KIND === 'home') {
    return {
      type: 'application/json',
      body: JSON.stringify({
        type: 'event_callback',
        team_id: 'T0BENCH',
        api_app_id: 'A0BENCH',
        event_id: `Ev${i}`,
        event_time: Math.floor(Date.now() / 1000),
        event: {
          type: 'app_home_opened',
          user: 'U0ADA',
          tab: 'home',
          channel: 'D0',
          event_ts: '1',
        },
      }),
    };
  }
  const form: Record<string, string> =
    KIND === 'help'
      ? {
          team_id: 'T0BENCH',
          user_id: 'U0ADA',
          channel_id: 'D0',
          command: '/access',
          text: 'help',
          api_app_id: 'A0BENCH',
          response_url: `${stubUrl}/respond/${i}`,
          trigger_id: `t${i}`,
        }
      : {
          payload: JSON.stringify({
            type: 'block_actions',
            api_app_id: 'A0BENCH',
            user: { id: 'U0GRACE' },
            team: { id: 'T0BENCH' },
            trigger_id: `t${i}`,
            response_url: `${stubUrl}/respond/${i}`,
            channel: { id: 'C0APPROVALS' },
            container: { type: 'message', message_ts: '1.1', channel_id: 'C0APPROVALS' },
            message: { ts: '1.1' },
            actions: [
              { type: 'button', action_id: 'approve_request', block_id: 'b', value: requestId },
            ],
          }),
        };
  return {
    type: 'application/x-www-form-urlencoded',
    body: new URLSearchParams(form).toString(),
  };
}

interface Run {
  latencies: number[];
  failures: number;
  elapsedMs: number;
  maxLagMs: number;
}

/** Sends TOTAL signed requests to `url` at RATE per second (open loop), timing each to its reply. */
async function drive(url: string, bodies: Array<{ type: string; body: string }>): Promise<Run> {
  const latencies: number[] = [];
  let failures = 0;
  let maxLagMs = 0;
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < bodies.length; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    maxLagMs = Math.max(maxLagMs, performance.now() - due);
    const { type, body } = bodies[i]!;
    const ts = Math.floor(Date.now() / 1000);
    const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
    const sent = performance.now();
    inFlight.push(
      fetch(`${url}/slack/events`, {
        method: 'POST',
        headers: {
          'content-type': type,
          'x-slack-request-timestamp': String(ts),
          'x-slack-signature': signature,
        },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      })
        .then(async (res) => {
          await res.arrayBuffer();
          if (res.status === 200) latencies.push(performance.now() - sent);
          else failures++;
        })
        .catch(() => {
          failures++;
        }),
    );
  }
  await Promise.all(inFlight);
  return { latencies, failures, elapsedMs: performance.now() - start, maxLagMs };
}

const pct = (sorted: number[], p: number) =>
  sorted.length
    ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
    : NaN;

function figures(name: string, run: Run, cpu: NodeJS.CpuUsage) {
  const sorted = [...run.latencies].sort((a, b) => a - b);
  const throughput = (run.latencies.length / run.elapsedMs) * 1000;
  const p50 = pct(sorted, 50);
  const p99 = pct(sorted, 99);
  console.log(
    `${name.padEnd(24)} ok ${String(run.latencies.length).padStart(6)}  failed ${String(run.failures).padStart(4)}  ` +
      `p50 ${p50.toFixed(2).padStart(7)} ms  p99 ${p99.toFixed(2).padStart(7)} ms  max ${(sorted.at(-1) ?? NaN).toFixed(2).padStart(7)} ms  ` +
      `throughput ${throughput.toFixed(1).padStart(7)}/s  server CPU ${((cpu.user + cpu.system) / 1000 / Math.max(1, run.latencies.length)).toFixed(2)} ms/req  (sender lag max ${run.maxLagMs.toFixed(1)} ms)`,
  );
  return { p50, p99, throughput };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'accessdesk-bench-'));
  const tenantFile = join(dir, 'tenant.yaml');
  writeFileSync(tenantFile, TENANT);
  const embedded = process.env.MONGODB_URI ? undefined : await startEmbeddedMongo();
  const uri = process.env.MONGODB_URI ?? embedded!.uri;
  const connection = await connectMongo(uri, `bench_ack_${Date.now()}`);
  const engine = await describeEngine(connection);
  const slack = startSlack();
  const stubUrl = await slack.ask('url');
  const bare = bareServer();
  const bareUrl = await listen(bare);
  const logs: string[] = [];
  const desk = await startAccessdesk(
    loadConfig({
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_API_URL: `${stubUrl}/api/`,
      PORT: '0',
      ACCESSDESK_TENANT_FILE: tenantFile,
      ACCESSDESK_DATA_DIR: dir,
    }),
    {
      sweep: false,
      log: (line) => logs.push(line),
      database: { connection, engine, origin: 'bench', close: async () => {} },
    },
  );
  try {
    // A request that is already decided: every Approve click is refused (and audited).
    const { lifecycle, background } = desk.system;
    const request = await submitOnboarding(lifecycle, 'ada@contoso.example', {
      firstName: 'Bench',
      lastName: 'Mark',
      email: 'bench@example.org',
      sku: 'D365_SALES',
      environment: 'sales-prod',
      businessUnit: 'sales',
      securityRoles: ['Salesperson'],
      accessMode: 'read_write',
      adminRoles: [],
      justification: 'bench',
    });
    await lifecycle.act(request._id, 'grace@contoso.example', {
      type: 'approver.denied',
      reason: 'bench',
    });
    await background.idle();

    console.log(
      `accessdesk ack bench — ${KIND} × ${TOTAL} at ${RATE}/s for ${SECONDS} s, loopback; ` +
        `${engine.name} ${engine.version} (${embedded ? 'embedded' : 'MONGODB_URI'}); node ${process.version}`,
    );
    // Warm both up (JIT, connections) before measuring.
    await slack.ask(`warm ${bareUrl} ${request._id}`);
    await slack.ask(`warm ${desk.url} ${request._id}`);
    await background.idle();

    const [one, five] = loadavg();
    console.log(
      `load average before: ${one!.toFixed(2)} / ${five!.toFixed(2)} on ${cpus().length} CPUs`,
    );
    let cpu = process.cpuUsage();
    const bareResult: Run = JSON.parse(await slack.ask(`drive ${bareUrl} ${request._id}`));
    const bareRun = figures('bare signature check', bareResult, process.cpuUsage(cpu));
    cpu = process.cpuUsage();
    const deskResult: Run = JSON.parse(await slack.ask(`drive ${desk.url} ${request._id}`));
    const settleStart = performance.now();
    // The CPU of the work the interactions started counts too: listeners run on after the ack
    // (and are not tracked by idle()), so wait until Slack stops hearing from accessdesk.
    const quietBy = performance.now() + 30_000;
    for (let last = -1, now = Number(await slack.ask('calls')); now !== last; ) {
      if (performance.now() > quietBy) break;
      await new Promise((r) => setTimeout(r, 1000));
      await background.idle();
      [last, now] = [now, Number(await slack.ask('calls'))];
    }
    const deskRun = figures('accessdesk /slack/events', deskResult, process.cpuUsage(cpu));
    console.log(`load average after: ${loadavg()[0]!.toFixed(2)}`);
    const ratio = deskRun.throughput / bareRun.throughput;
    console.log(
      `throughput ratio accessdesk/bare ${ratio.toFixed(3)} (goal ≥ 0.5: ${ratio >= 0.5 ? 'met' : 'NOT met'}); ` +
        `accessdesk p99 ${deskRun.p99.toFixed(2)} ms (goal ≤ 25 ms at 200/s: ${deskRun.p99 <= 25 ? 'met' : 'NOT met'})`,
    );
    console.log(
      `work after the acks settled in ${(performance.now() - settleStart).toFixed(0)} ms; ` +
        `Slack stub served ${await slack.ask('calls')} calls; ${logs.length} log lines${logs.length ? ` (first: ${logs[0]})` : ''}`,
    );
  } finally {
    await desk.stop();
    await connection.dropDatabase().catch(() => {});
    await connection.close();
    await embedded?.stop();
    slack.stop();
    bare.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The child process playing Slack: line commands on stdin, one answer line each on stdout. */
function startSlack() {
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      '--slack',
      '--secret',
      SECRET,
      '--rate',
      String(RATE),
      '--seconds',
      String(SECONDS),
      '--kind',
      KIND,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  return {
    ask(command: string): Promise<string> {
      return new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin!.write(`${command}\n`);
      });
    },
    stop() {
      child.stdin!.end();
      child.kill();
    },
  };
}

/** Child side: serve the stub, and drive load when asked. */
async function slackProcess() {
  const stub = slackStub();
  const stubUrl = await listen(stub.server);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, url = '', requestId = ''] = line.trim().split(' ');
    if (command === 'url') say(stubUrl);
    else if (command === 'calls') say(String(stub.calls()));
    else if (command === 'warm' || command === 'drive') {
      const count = command === 'warm' ? Math.min(50, TOTAL) : TOTAL;
      const bodies = Array.from({ length: count }, (_, i) => bodyFor(i, requestId, stubUrl));
      say(JSON.stringify(await drive(url, bodies)));
    }
  }
  stub.server.close();
  process.exit(0);
}

(args.slack ? slackProcess() : main()).then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
