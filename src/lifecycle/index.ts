import type { Connection } from 'mongoose';
import type { Clock } from '../clock.ts';
import type { Deadlines } from '../config.ts';
import type { TenantService } from '../tenant/tenant.service.ts';
import { EffectRunner } from './effect-runner.ts';
import { createEffects, failureHandler } from './effects.ts';
import { Leases } from './lease.ts';
import { Lifecycle } from './lifecycle.service.ts';
import type { Directory, Notifier } from './ports.ts';
import { Scheduler } from './scheduler.ts';
import { SeatQueue } from './seat-queue.ts';
import { TenantDirectory, TenantPeople } from './tenant-directory.ts';

export { Lifecycle, type SendOutcome } from './lifecycle.service.ts';
export type { Directory, Notifier, People } from './ports.ts';
export type { RequestDoc } from './request.model.ts';

/** The lifecycle with its effect runner, seat queue and scheduler, wired together. */
export interface LifecycleSystem {
  lifecycle: Lifecycle;
  runner: EffectRunner;
  seats: SeatQueue;
  scheduler: Scheduler;
  directory: Directory;
}

/** Wires the lifecycle over the tenant; `directory` replaces the built-in one (Graph, tests). */
export function createLifecycleSystem(options: {
  connection: Connection;
  clock: Clock;
  tenant: TenantService;
  notifier: Notifier;
  deadlines: Deadlines;
  publicUrl: string;
  directory?: Directory;
  leaseMs?: number;
  onError?: (error: unknown, context: string) => void;
}): LifecycleSystem {
  const directory = options.directory ?? new TenantDirectory(options.tenant);
  const people = new TenantPeople(options.tenant);
  const lifecycle = new Lifecycle({
    connection: options.connection,
    clock: options.clock,
    directory,
    notifier: options.notifier,
    people,
    deadlines: options.deadlines,
    publicUrl: options.publicUrl,
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const seats = new SeatQueue(lifecycle, directory, new Leases(options.connection, options.clock));
  const effects = createEffects({
    lifecycle,
    directory,
    notifier: options.notifier,
    people,
    seats,
    invitationTtl: options.deadlines.invitationTtl,
    publicUrl: options.publicUrl,
  });
  const runner = new EffectRunner(lifecycle, effects, failureHandler(lifecycle), options.leaseMs);
  const scheduler = new Scheduler(lifecycle, runner, seats, options.clock, options.leaseMs);
  return { lifecycle, runner, seats, scheduler, directory };
}
