import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { App } from '@slack/bolt';
import {
  invitationRoutes,
  lateSlackNotifiers,
  registerFlows,
  screenSlackPayload,
} from '../flows/index.ts';
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';
import type { Config } from './config.ts';
import { type Database, openDatabase } from './db/index.ts';
import { freePort } from './free-port.ts';
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
import { boltLogger, createLogger, type Logger } from './log.ts';
import type { AuditStreamer } from './observability/audit-stream.ts';
import { countingSlackErrors, observability, slackApiRetries } from './observability/index.ts';
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
  /** This desk's logger (JSON lines). */
  logger: Logger;
  /** The audit stream to ACCESSDESK_AUDIT_SINK, when one is set. */
  auditStream: AuditStreamer | undefined;
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
  /** The logger (default: JSON lines at ACCESSDESK_LOG_LEVEL, to `log` or stdout). */
  logger?: Logger;
  /** Where the default logger writes its JSON lines (tests collect them). */
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
  const logger =
    options.logger ??
    createLogger({ level: config.log.level, ...(options.log ? { sink: options.log } : {}) });
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
  for (const warning of warnings) logger.warn(`tenant: ${warning}`);
  // Seat and M3 changes a stopped process left in flight, past their lease, are finished first.
  await tenant.recoverSeats();
  await tenant.recoverNonInteractive();
  const sync = graph
    ? directorySync(graph, { connection: database.connection, tenant: tenantConfig, clock })
    : undefined;
  if (sync) await firstSync(sync, logger);

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
    retryConfig: {
      retries: 2,
      factor: 2,
      minTimeout: 500,
      maxTimeout: 2000,
      onFailedAttempt: () => slackApiRetries.inc(),
    },
    timeout: 10_000,
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    ...(local ? { slackApiUrl: `http://127.0.0.1:${config.port}/api/` } : {}),
  };

  // Lifecycle first: the flows' routes need it; the notifier needs the app's client.
  const slack = lateSlackNotifiers(config.approvalsChannel, clock);
  const system = createLifecycleSystem({
    connection: database.connection,
    clock,
    tenant,
    notifier: countingSlackErrors(slack.notifier, 'notifier'),
    batchNotifier: slack.batchNotifier,
    logger,
    grantWarnings: config.grantWarnings,
    deleteAfter: config.deleteAfter,
    deadlines: config.deadlines,
    leaseMs: config.effectLease,
    publicUrl: config.publicUrl,
    onError: (error, context) =>
      logger.error(`${context}: ${error instanceof Error ? error.message : String(error)}`),
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
      manages: (manager, person) => tenant.manages(manager, person),
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
  const observed = observability({ config, database, system, tenant, clock, logger });
  const customRoutes = [
    ...observed.routes,
    ...invitationRoutes(deps),
    ...(workspace?.routes ?? []),
  ];
  const socketMode = !!config.slack.appToken;
  const app = new App({
    token: botToken,
    logger: boltLogger(logger),
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
            previousSigningSecret: config.slack.previousSigningSecret,
            customRoutes,
            screen: screenSlackPayload,
            logger,
          }),
        }),
    ...(local
      ? { botId: 'B0LOCALBOT', botUserId: 'U0ACCESSDESK', tokenVerificationEnabled: false }
      : {}),
  });
  slack.bind(app.client, deps.tenant);
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
  registerFlows(app, deps, logger);

  const started = await app.start(config.port);
  const server = (
    started && typeof (started as Server).address === 'function' ? started : undefined
  ) as Server | undefined;
  const address = server?.address();
  const boundPort = address && typeof address === 'object' ? address.port : config.port;
  const url = `http://127.0.0.1:${boundPort}`;
  workspace?.setUrls({ eventsUrl: `${url}/slack/events` });
  if (local) clientOptions.slackApiUrl = `${url}/api/`;
  observed.start();
  system.background.track(system.runner.recoverAll(), 'outbox recovery at start');
  if (options.sweep !== false) system.scheduler.start(config.sweepEvery);
  // …and then on the sweep's cadence (a take also finishes any stale one it meets on its way).
  const seatRecovery =
    options.sweep === false
      ? undefined
      : setInterval(() => {
          Promise.all([tenant.recoverSeats(), tenant.recoverNonInteractive()]).catch((error) =>
            logger.error(`seat recovery: ${error instanceof Error ? error.message : error}`),
          );
        }, config.sweepEvery);
  seatRecovery?.unref();
  const stopSync =
    sync && options.sweep !== false ? scheduleSync(sync, config.syncEvery, logger) : undefined;
  return {
    app,
    server,
    url,
    database,
    tenant,
    system,
    workspace,
    logger,
    auditStream: observed.auditStream,
    sync,
    signingSecret,
    stop: async () => {
      clearInterval(seatRecovery);
      stopSync?.();
      await sync?.settled();
      await observed.stop();
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
