import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { freePort } from '../../src/free-port.ts';
import { eventually, SIGNING_SECRET, slackTenantYaml } from '../slack/support.ts';
import { startRoundRobinProxy } from './round-robin-proxy.ts';
import { SlackStandIn } from './slack-stand-in.ts';

const root = resolve(import.meta.dirname, '..', '..');

/** `uri` (one host or several, with options) pointed at database `dbName`. */
export function uriWithDatabase(uri: string, dbName: string): string {
  const [base, query] = uri.split('?') as [string, string | undefined];
  const hosts = base.replace(/^(mongodb(?:\+srv)?:\/\/[^/]+).*$/, '$1');
  return `${hosts}/${dbName}${query ? `?${query}` : ''}`;
}

/** A tenant file with the Slack tests' people and `seats` seats, in a fresh temporary folder. */
export function tenantFile(seats: number): string {
  const file = join(mkdtempSync(join(tmpdir(), 'accessdesk-scale-')), 'tenant.yaml');
  writeFileSync(file, slackTenantYaml(seats));
  return file;
}

/** An accessdesk process: `npm start`'s composition root (src/main.ts) on the project's Node. */
export interface Instance {
  url: string;
  child: ChildProcess;
  /** Everything it printed (stdout and stderr). */
  output: string[];
  exited: Promise<number | null>;
  /** kill -9: no shutdown, no cleanup, leases left as they were. */
  kill9(): Promise<void>;
  /** SIGTERM and wait: the way `npm start` is stopped. */
  stop(): Promise<void>;
}

/**
 * Starts src/main.ts in a child process with `env` (and only that, plus PATH and HOME), on a free
 * port, and waits (90 s at most) until its /healthz answers 200.
 */
export async function startInstance(env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (d) => output.push(String(d)));
  child.stderr?.on('data', (d) => output.push(String(d)));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const url = `http://127.0.0.1:${port}`;
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  await eventually(async () => {
    if (gone) throw new Error(`instance exited before it was ready:\n${output.join('')}`);
    const res = await fetch(`${url}/healthz`);
    if (res.status !== 200) throw new Error(`healthz ${res.status}`);
  }, 90_000).catch((error) => {
    child.kill('SIGKILL');
    throw new Error(`instance on ${url} not ready: ${error}\n${output.join('').slice(-2000)}`);
  });
  return {
    url,
    child,
    output,
    exited,
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (!gone) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The environment of an instance in HTTP mode against the Slack stand-in and `mongoUri`. */
export function httpModeEnv(options: {
  mongoUri: string;
  apiUrl: string;
  tenantFile: string;
  extra?: Record<string, string>;
}): Record<string, string> {
  return {
    MONGODB_URI: options.mongoUri,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: options.apiUrl,
    ACCESSDESK_TENANT_FILE: options.tenantFile,
    ACCESSDESK_APPROVALS_CHANNEL: 'C0APPROVALS',
    ...options.extra,
  };
}

/**
 * Two (or `count`) accessdesk processes on one database (`uri`, database `dbName`) behind a round-robin
 * proxy, with the Slack stand-in knowing `invitees`; `extra` is added to their environment.
 * `instances[i]` may be replaced (a restart); the proxy follows.
 */
export async function startCluster(options: {
  uri: string;
  dbName: string;
  invitees: Record<string, string>;
  seats: number;
  extra?: Record<string, string>;
  /** How many instances (default 2). */
  count?: number;
}) {
  const slack = await SlackStandIn.start(options.invitees);
  const env = httpModeEnv({
    mongoUri: uriWithDatabase(options.uri, options.dbName),
    apiUrl: slack.apiUrl,
    tenantFile: tenantFile(options.seats),
    ...(options.extra ? { extra: options.extra } : {}),
  });
  // One after the other: the first sets the database up (indexes, tenant), the second finds it.
  const instances = [await startInstance(env)];
  while (instances.length < (options.count ?? 2)) instances.push(await startInstance(env));
  const proxy = await startRoundRobinProxy(() => instances.map((i) => i.url));
  return {
    slack,
    env,
    instances,
    proxy,
    stop: async () => {
      await proxy.close();
      await Promise.all(instances.map((i) => i.stop()));
      await slack.close();
    },
  };
}

/** A running cluster: see `startCluster`. */
export type Cluster = Awaited<ReturnType<typeof startCluster>>;

/**
 * Starts a cluster on the test file's database before its tests (on the suite's replica set)
 * and stops it after them; read `.cluster` inside tests.
 */
export function useCluster(
  db: { dbName: string },
  options: { invitees: Record<string, string>; seats: number; extra?: Record<string, string> },
) {
  const handle = { cluster: undefined as unknown as Cluster };
  beforeAll(async () => {
    handle.cluster = await startCluster({ uri: inject('mongoUri'), dbName: db.dbName, ...options });
  }, 180_000);
  afterAll(() => handle.cluster?.stop(), 60_000);
  return handle;
}
