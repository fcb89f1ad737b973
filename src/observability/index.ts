import type { CustomRoute } from '@slack/bolt';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/index.ts';
import type { LifecycleSystem } from '../lifecycle/index.ts';
import { Leases } from '../lifecycle/lease.ts';
import { requestMachines } from '../lifecycle/machines.ts';
import type { Logger } from '../log.ts';
import type { TenantService } from '../tenant/tenant.service.ts';
import { AuditStreamer, stdoutSink, webhookSink } from './audit-stream.ts';
import { gaugeSources } from './gauge-sources.ts';
import { deskGauges } from './metrics.ts';
import { observabilityRoutes } from './routes.ts';

export { countingSlackErrors, slackApiRetries } from './metrics.ts';

/** The probes, metrics and audit stream of one running accessdesk. */
export interface Observability {
  routes: CustomRoute[];
  /** Streams the audit trail to ACCESSDESK_AUDIT_SINK, if set. */
  auditStream: AuditStreamer | undefined;
  start(): void;
  stop(): Promise<void>;
}

/** Wires /healthz, /readyz, /metrics and the audit stream over the desk's database. */
export function observability(options: {
  config: Config;
  database: Database;
  system: LifecycleSystem;
  tenant: TenantService;
  clock: Clock;
  logger: Logger;
}): Observability {
  const { config, database, system, tenant, clock, logger } = options;
  const gauges = deskGauges(
    gaugeSources({
      requests: system.store.requests,
      machines: requestMachines,
      clock,
      seatCounters: () => tenant.listSeatSummaries(),
    }),
  );
  const routes = observabilityRoutes({
    ping: async () => database.connection.db!.admin().ping(),
    schedulerRunning: () => system.scheduler.started,
    gauges,
  });
  const settings = config.auditSink;
  const auditStream = settings
    ? new AuditStreamer(
        database.connection,
        system.audit,
        settings.kind === 'stdout' ? stdoutSink() : webhookSink(settings.url, settings.secret),
        new Leases(database.connection, clock),
        logger,
      )
    : undefined;
  return {
    routes,
    auditStream,
    start: () => {
      if (settings) auditStream?.start(settings.everyMs);
    },
    stop: async () => {
      await auditStream?.stop();
    },
  };
}
