import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { App, type CustomRoute } from '@slack/bolt';
import {
  invitationRoutes,
  registerFlows,
  SlackBatchNotifier,
  SlackNotifier,
  screenSlackPayload,
} from '../flows/index.ts';
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';
import type { Config } from './config.ts';
import { type Database, openDatabase } from './db/index.ts';
import {
  assertGraphReady,
  type DirectorySync,
  directorySync,
  firstSync,
  graphDirectory,
  scheduleSync,
} from './graph/index.ts';
import { createLifecycleSystem, type LifecycleSystem } from './lifecycle/index.ts';
import type { Directory } from './lifecycle/ports.ts';
import { TenantDirectory } from './lifecycle/tenant-directory.ts';
import { RequestVisibility } from './lifecycle/visibility.ts';
import { boltLogger, boundedLog } from './log.ts';
import { EdgeReceiver } from './slack/edge-receiver.ts';
import { withDirectorySeats } from './tenant/directory-seats.ts';
import { TenantService } from './tenant/tenant.service.ts';
import { loadTenantFile } from './tenant/tenant-file.ts';
import { lookup } from './tenant-lookup.ts';
import { createLocalWorkspace, type LocalWorkspace } from './workspace/index.ts';

/** A running accessdesk: what tests, benches and `npm start` hold on to. */
export interface Accessdesk {
  app: App;
  server: Server | undefined;
  url: string;
  database: Database;
  tenant: TenantService;
  system: LifecycleSystem;
  workspace: LocalWorkspace | undefined;
  /** Graph mode: the directory sync (run at start and every ACCESSDESK_SYNC_EVERY). */
  sync: DirectorySync | undefined;
  /** The signing secret in force (generated for the local workspace). */
  signingSecret: string;
  stop(): Promise<void>;
}

/** What can be swapped in tests: the clock, the directory, the database. */
export interface StartOptions {
  clock?: Clock;
  directory?: (builtIn: Directory) => Directory;
  database?: Database;
  /** Sweep deadlines on a timer (default true). */
  sweep?: boolean;
  log?: (line: string) => void;
}

/**
 * Starts accessdesk: database, tenant file, lifecycle, and the Bolt app over HTTP (or Socket Mode
 * with SLACK_APP_TOKEN). With no Slack credentials it serves the local workspace on the same port.
 */
export async function startAccessdesk(
  given: Config,
  options: StartOptions = {},
): Promise<Accessdesk> {
  // PORT=0 (tests, benches): take a free port now, so links handed out point at the real one.
  const port = given.port === 0 ? await freePort() : given.port;
  const config: Config = {
    ...given,
    port,
    publicUrl: given.publicUrlGiven ? given.publicUrl : `http://localhost:${port}`,
  };
  const log = boundedLog(options.log ?? ((line: string) => console.log(line)));
  const clock = options.clock ?? systemClock;
  const tenantConfig = await loadTenantFile(config.tenantFile);
  const directorySettings = config.directory;
  // Refused before anything starts: the tenant file must name what Graph needs.
  if (directorySettings.kind === 'graph') assertGraphReady(tenantConfig, config.tenantFile);
  const database =
    options.database ??
    (await openDatabase({ uri: config.mongodbUri, dataDir: resolve(config.dataDir) }));
  const tenant = new TenantService(database.connection, clock);
  // Graph mode: the subscription says how many seats there are (the last sync), not the file.
  const graph = directorySettings.kind === 'graph' ? directorySettings : undefined;
  const { warnings } = await tenant.applyConfig(
    graph ? await withDirectorySeats(database.connection, tenantConfig) : tenantConfig,
  );
  for (const warning of warnings) log(`[accessdesk] tenant: ${warning}`);
  // Seat changes a stopped process left in flight, past their lease, are finished before serving.
  await tenant.recoverSeats();
  const sync = graph
    ? directorySync(graph, { connection: database.connection, tenant: tenantConfig, clock })
    : undefined;
  if (sync) await firstSync(sync, log);

  const local = !config.slack.botToken;
  const signingSecret = config.slack.signingSecret ?? randomBytes(24).toString('hex');
  const botToken = config.slack.botToken ?? `xoxb-local-${randomBytes(12).toString('hex')}`;
  const workspace = local
    ? createLocalWorkspace({
        signingSecret,
        botToken,
        eventsUrl: `http://127.0.0.1:${config.port}/slack/events`,
        publicUrl: config.publicUrl,
        // In the tenant file's order: the page starts as its first person (README).
        people: tenantConfig.people.map((p) => ({
          slackId: p.slackId,
          name: `${p.firstName} ${p.lastName}`,
          email: p.email,
        })),
        channels: [{ id: config.approvalsChannel, name: 'access-approvals' }],
        botUserId: 'U0ACCESSDESK',
        teamId: 'T0LOCAL',
      })
    : undefined;
  const clientOptions = {
    // Slack's default retries a failing call for about 30 minutes. Ours give up within seconds:
    // what must happen (cards, DMs) runs from the durable outbox, which retries it later anyway.
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2000 },
    timeout: 10_000,
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    ...(local ? { slackApiUrl: `http://127.0.0.1:${config.port}/api/` } : {}),
  };

  let ready = false;
  const health: CustomRoute = {
    path: '/healthz',
    method: 'GET',
    handler: (_req, res) => {
      const ok = ready && database.connection.readyState === 1;
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok, engine: `${database.engine.name} ${database.engine.version}` }));
    },
  };
  // Lifecycle first: the flows' routes need it; the notifier needs the app's client.
  let notifier: SlackNotifier | undefined;
  let batchNotifier: SlackBatchNotifier | undefined;
  const system = createLifecycleSystem({
    connection: database.connection,
    clock,
    tenant,
    notifier: {
      notifyApprovers: (r) => notifier!.notifyApprovers(r),
      requestChanged: (r) => notifier!.requestChanged(r),
      remindApprovers: (r) => notifier!.remindApprovers(r),
      escalateToGlobalAdmins: (r, a) => notifier!.escalateToGlobalAdmins(r, a),
      deliverInvitation: (r, d) => notifier!.deliverInvitation(r, d),
      tellManager: (r, m) => notifier!.tellManager(r, m),
      grantNotice: (r, n) => notifier!.grantNotice(r, n),
    },
    batchNotifier: {
      batchProgress: (b, t, r) => batchNotifier!.batchProgress(b, t, r),
      batchResults: (b, f, c) => batchNotifier!.batchResults(b, f, c),
    },
    grantWarnings: config.grantWarnings,
    deleteAfter: config.deleteAfter,
    deadlines: config.deadlines,
    publicUrl: config.publicUrl,
    onError: (error, context) =>
      log(`[accessdesk] ${context}: ${error instanceof Error ? error.message : String(error)}`),
    directory: (options.directory ?? ((d: Directory) => d))(
      directorySettings.kind === 'graph'
        ? graphDirectory(directorySettings, {
            seats: new TenantDirectory(tenant),
            tenant: tenantConfig,
            connection: database.connection,
          })
        : new TenantDirectory(tenant),
    ),
  });
  const tenantLookup = lookup(tenant, clock);
  const deps = {
    lifecycle: system.lifecycle,
    requests: system.queries,
    visibility: new RequestVisibility(system.queries, {
      isGlobalAdmin: (email) => tenantLookup.isGlobalAdmin(email),
      reportsOf: async (email) => (await tenantLookup.reportsOf(email)).map((p) => p._id),
    }),
    seats: system.seats,
    background: system.background,
    clock,
    tenant: tenantLookup,
    ...(sync ? { drift: { lines: () => sync.drift.lines(environmentNames(tenantConfig)) } } : {}),
    approvalsChannel: config.approvalsChannel,
    publicUrl: config.publicUrl,
    bulk: system.bulk,
    grants: system.grants,
  };
  const customRoutes = [health, ...invitationRoutes(deps), ...(workspace?.routes ?? [])];
  const socketMode = !!config.slack.appToken;
  const app = new App({
    token: botToken,
    logger: boltLogger(log),
    clientOptions,
    ...(socketMode
      ? {
          socketMode: true,
          appToken: config.slack.appToken!,
          customRoutes,
          installerOptions: { port: config.port },
        }
      : {
          // Every HTTP request passes the edge first: signature, shape, then Bolt.
          receiver: new EdgeReceiver({
            signingSecret,
            customRoutes,
            screen: screenSlackPayload,
            log,
          }),
        }),
    ...(local
      ? { botId: 'B0LOCALBOT', botUserId: 'U0ACCESSDESK', tokenVerificationEnabled: false }
      : {}),
  });
  notifier = new SlackNotifier(app.client, deps.tenant, config.approvalsChannel, clock);
  batchNotifier = new SlackBatchNotifier(app.client, deps.tenant);
  // Listeners run on after their ack: track them so idle() and stop() wait for them too
  // (stop() closed the database under listeners still at work). Errors go to app.error().
  app.use(async ({ next }) => {
    const listeners = next();
    system.background.track(
      listeners.catch(() => undefined),
      'slack listener',
    );
    await listeners;
  });
  registerFlows(app, deps, log);

  const started = await app.start(config.port);
  const server = (
    started && typeof (started as Server).address === 'function' ? started : undefined
  ) as Server | undefined;
  const address = server?.address();
  const boundPort = address && typeof address === 'object' ? address.port : config.port;
  const url = `http://127.0.0.1:${boundPort}`;
  workspace?.setUrls({ eventsUrl: `${url}/slack/events` });
  if (local) clientOptions.slackApiUrl = `${url}/api/`;
  ready = true;
  system.background.track(system.runner.recoverAll(), 'outbox recovery at start');
  if (options.sweep !== false) system.scheduler.start(config.sweepEvery);
  // …and then on the sweep's cadence (a take also finishes any stale one it meets on its way).
  const seatRecovery =
    options.sweep === false
      ? undefined
      : setInterval(() => {
          tenant
            .recoverSeats()
            .catch((error) =>
              log(`[accessdesk] seat recovery: ${error instanceof Error ? error.message : error}`),
            );
        }, config.sweepEvery);
  seatRecovery?.unref();
  const stopSync =
    sync && options.sweep !== false ? scheduleSync(sync, config.syncEvery, log) : undefined;
  return {
    app,
    server,
    url,
    database,
    tenant,
    system,
    workspace,
    sync,
    signingSecret,
    stop: async () => {
      clearInterval(seatRecovery);
      stopSync?.();
      await sync?.settled();
      await system.scheduler.stop();
      await system.background.idle();
      workspace?.close();
      await app.stop();
      if (!options.database) await database.close();
    },
  };
}

/** Environment id → name, for the drift lines of App Home. */
function environmentNames(config: { environments: Array<{ id: string; name: string }> }) {
  return new Map(config.environments.map((e) => [e.id, e.name]));
}

/** A port nobody listens on right now (loopback). */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const found = address && typeof address === 'object' ? address.port : 0;
      probe.close(() => resolvePort(found));
    });
  });
}
