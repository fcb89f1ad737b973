import type { Connection } from 'mongoose';
import type { Clock } from '../clock.ts';
import type { Deadlines } from '../config.ts';
import { defaultLogger, type Logger } from '../log.ts';
import { lifecycleObserver } from '../observability/lifecycle-observer.ts';
import type { TenantService } from '../tenant/tenant.service.ts';
import { AuditTrail } from './audit.ts';
import { Background, reportToLog } from './background.ts';
import { type BatchNotifier, BulkImports, silentBatchNotifier } from './bulk.service.ts';
import { BatchProgress } from './bulk-progress.ts';
import { EffectRunner } from './effect-runner.ts';
import { createEffects, failureHandler } from './effects.ts';
import { MongoGrantSources } from './grant-sources.ts';
import { Leases } from './lease.ts';
import { Lifecycle } from './lifecycle.service.ts';
import { requestMachines } from './machines.ts';
import { MongoRequestStore } from './mongo-request-store.ts';
import type { Directory, Notifier } from './ports.ts';
import { RequestQueries } from './request.queries.ts';
import { Scheduler } from './scheduler.ts';
import { SeatQueue } from './seat-queue.ts';
import { TenantDirectory, TenantPeople } from './tenant-directory.ts';

export type { BatchNotifier } from './bulk.service.ts';
export { Lifecycle, type SendOutcome } from './lifecycle.service.ts';
export type { Directory, Notifier, People } from './ports.ts';
export type { RequestDoc } from './request.model.ts';
export {
  submitExtension,
  submitGrant,
  submitOffboarding,
  submitOnboarding,
  submitRoleChange,
} from './submit.ts';

/** The lifecycle with its store, queries, effect runner, seat queue and scheduler. */
export interface LifecycleSystem {
  lifecycle: Lifecycle;
  store: MongoRequestStore;
  queries: RequestQueries;
  audit: AuditTrail;
  background: Background;
  runner: EffectRunner;
  seats: SeatQueue;
  scheduler: Scheduler;
  directory: Directory;
  /** Bulk onboarding's batches and rows. */
  bulk: BulkImports;
  grants: MongoGrantSources;
}

/**
 * Wires the lifecycle over the tenant, each piece given what it needs through its constructor;
 * `directory` replaces the built-in one (Graph, tests).
 */
export function createLifecycleSystem(options: {
  connection: Connection;
  clock: Clock;
  tenant: TenantService;
  notifier: Notifier;
  deadlines: Deadlines;
  publicUrl: string;
  directory?: Directory;
  /** Bulk onboarding's progress message and results file (default: tells no one). */
  batchNotifier?: BatchNotifier;
  leaseMs?: number;
  /** How long before a time-bound grant ends it is announced (default 24 h and 1 h). */
  grantWarnings?: number[];
  /** How long a leaver's account is kept before it is deleted; none: kept (the default). */
  deleteAfter?: number | undefined;
  onError?: (error: unknown, context: string) => void;
  /** Tests: called after each write of a bulk onboarding's chunk (a throw is a crash there). */
  bulkAfterWrite?: (step: string) => void | Promise<void>;
  /** Where the lifecycle's lines go (default: stdout). */
  logger?: Logger;
}): LifecycleSystem {
  const { connection, clock } = options;
  const onError = options.onError ?? reportToLog;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const directory = options.directory ?? new TenantDirectory(options.tenant);
  const people = new TenantPeople(options.tenant);
  const store = new MongoRequestStore(connection, clock);
  const grants = new MongoGrantSources(connection, clock);
  const audit = new AuditTrail(connection, clock);
  const background = new Background(onError);
  const machines = requestMachines;
  // The lifecycle starts the effects its saves queue; the runner's effects send the events that
  // follow them to the lifecycle. The runner is built below, before anything is sent.
  let runner: EffectRunner | undefined;
  const lifecycle = new Lifecycle({
    store,
    machines,
    audit,
    clock,
    people,
    deadlines: options.deadlines,
    effectLeaseMs: leaseMs,
    observer: lifecycleObserver(options.logger ?? defaultLogger, machines, clock),
    effects: {
      run: (id, queued) => background.track(runner!.run(id, false, queued), `effects of ${id}`),
    },
  });
  const bulk = new BulkImports(connection, clock, directory);
  const batchNotifier = options.batchNotifier ?? silentBatchNotifier;
  const progress = new BatchProgress(bulk, batchNotifier, background);
  const seats = new SeatQueue(store, lifecycle, machines, directory, new Leases(connection, clock));
  const effects = createEffects({
    lifecycle,
    store,
    clock,
    directory,
    notifier: options.notifier,
    people,
    seats,
    invitationTtl: options.deadlines.invitationTtl,
    publicUrl: options.publicUrl,
    bulk: {
      imports: bulk,
      progress,
      notifier: batchNotifier,
      chunk: {
        requests: store,
        audit,
        decisionDeadlines: options.deadlines,
        rows: bulk.rows,
        afterWrite: options.bulkAfterWrite,
      },
    },
    grants,
    grantWarnings: options.grantWarnings ?? [24 * 3_600_000, 3_600_000],
    deleteAfter: options.deleteAfter,
  });
  runner = new EffectRunner(store, effects, failureHandler(lifecycle), clock, onError, leaseMs);
  const scheduler = new Scheduler(store, lifecycle, runner, seats, clock, onError, leaseMs);
  const queries = new RequestQueries(store, machines);
  return {
    lifecycle,
    store,
    queries,
    audit,
    background,
    runner,
    seats,
    scheduler,
    directory,
    bulk,
    grants,
  };
}
