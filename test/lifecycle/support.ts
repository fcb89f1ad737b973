import type { Connection } from 'mongoose';
import { ManualClock } from '../../src/clock.ts';
import type { Deadlines } from '../../src/config.ts';
import { createLifecycleSystem } from '../../src/lifecycle/index.ts';
import type {
  Directory,
  GrantNotice,
  InvitationDelivery,
  Notifier,
} from '../../src/lifecycle/ports.ts';
import type { OnboardingDetails, RequestDoc } from '../../src/lifecycle/request.model.ts';
import { createLogger } from '../../src/log.ts';
import { TenantService } from '../../src/tenant/tenant.service.ts';
import { parseTenantConfig } from '../../src/tenant/tenant-file.ts';
import { GLOBAL_ADMINS, salesTenantYaml } from '../support/sales-tenant.ts';

/** A small tenant: one SKU with `seats` seats, one Dynamics environment, three people. */
export function tenantYaml(seats = 5): string {
  return salesTenantYaml(seats, [
    ...GLOBAL_ADMINS(),
    '{ email: ada@contoso.example, firstName: Ada, lastName: Lovelace, slackId: U0ADA, managerEmail: grace@contoso.example }',
  ]);
}

export const DEADLINES: Deadlines = {
  invitationTtl: 14 * 86_400_000,
  reminderAfter: 24 * 3_600_000,
  escalateAfter: 72 * 3_600_000,
  requestTtl: 7 * 86_400_000,
};

/** A Notifier that remembers what it was asked to say (it stands in for Slack, not the DB). */
export class RecordingNotifier implements Notifier {
  readonly calls: Array<{ kind: string; requestId: string; status: string }> = [];
  readonly invitations: Array<{ requestId: string; delivery: InvitationDelivery }> = [];
  async notifyApprovers(r: RequestDoc) {
    this.calls.push({ kind: 'notifyApprovers', requestId: r._id, status: r.status });
    return { channel: 'C0APPROVALS', ts: `${Date.now()}.000100` };
  }
  async requestChanged(r: RequestDoc) {
    this.calls.push({ kind: 'requestChanged', requestId: r._id, status: r.status });
  }
  async remindApprovers(r: RequestDoc) {
    this.calls.push({ kind: 'remindApprovers', requestId: r._id, status: r.status });
  }
  async escalateToGlobalAdmins(r: RequestDoc) {
    this.calls.push({ kind: 'escalateToGlobalAdmins', requestId: r._id, status: r.status });
  }
  async deliverInvitation(r: RequestDoc, delivery: InvitationDelivery) {
    this.invitations.push({ requestId: r._id, delivery });
    this.calls.push({ kind: 'deliverInvitation', requestId: r._id, status: r.status });
  }
  readonly managerNotices: Array<{ requestId: string; manager: string; status: string }> = [];
  async tellManager(r: RequestDoc, manager: string) {
    this.managerNotices.push({ requestId: r._id, manager, status: r.status });
    this.calls.push({ kind: 'tellManager', requestId: r._id, status: r.status });
  }
  readonly grantNotices: Array<{ requestId: string; notice: GrantNotice; at: Date }> = [];
  constructor(private readonly clock?: { now(): Date }) {}
  async grantNotice(r: RequestDoc, notice: GrantNotice) {
    this.grantNotices.push({ requestId: r._id, notice, at: this.clock?.now() ?? new Date() });
    this.calls.push({ kind: `grant:${notice.kind}`, requestId: r._id, status: r.status });
  }
  count(kind: string, requestId?: string) {
    return this.calls.filter((c) => c.kind === kind && (!requestId || c.requestId === requestId))
      .length;
  }
}

/** A fresh tenant and lifecycle on `connection` (the test file's own database). */
export async function buildSystem(
  connection: Connection,
  options: {
    seats?: number;
    clock?: ManualClock;
    directory?: (d: Directory) => Directory;
    yaml?: string;
    grantWarnings?: number[];
    deleteAfter?: number;
  } = {},
) {
  const clock = options.clock ?? new ManualClock();
  const tenant = new TenantService(connection, clock);
  await tenant.applyConfig(
    parseTenantConfig(options.yaml ?? tenantYaml(options.seats), 'test tenant'),
  );
  const notifier = new RecordingNotifier(clock);
  const errors: unknown[] = [];
  const build = (directory?: Directory) =>
    createLifecycleSystem({
      connection,
      clock,
      tenant,
      notifier,
      deadlines: DEADLINES,
      publicUrl: 'http://localhost:3000',
      leaseMs: 60_000,
      ...(options.grantWarnings ? { grantWarnings: options.grantWarnings } : {}),
      ...(options.deleteAfter ? { deleteAfter: options.deleteAfter } : {}),
      onError: (error) => errors.push(error),
      // Lines are written (their cost counts) but not shown.
      logger: createLogger({ sink: () => undefined }),
      ...(directory ? { directory } : {}),
    });
  let system = build();
  if (options.directory) system = build(options.directory(system.directory));
  return { clock, tenant, notifier, errors, system, rebuild: build };
}

/** An onboarding request's details for a new hire. */
export function newHire(
  n: number | string = 1,
  overrides: Partial<OnboardingDetails> = {},
): OnboardingDetails {
  return {
    firstName: 'Katherine',
    lastName: `Johnson${n}`,
    email: `katherine${n}@example.org`,
    jobTitle: 'Analyst',
    sku: 'D365_SALES',
    environment: 'sales-prod',
    businessUnit: 'sales',
    securityRoles: ['Salesperson'],
    accessMode: 'read_write',
    adminRoles: [],
    justification: 'joins the sales team',
    ...overrides,
  };
}

/**
 * Empties the test file's database mid-file. Dropping also drops the indexes of models already
 * compiled on the connection (the audit's unique `seq`, …), so they are built again here.
 */
export async function resetDatabase(connection: Connection): Promise<void> {
  await connection.dropDatabase();
  await Promise.all(Object.values(connection.models).map((model) => model.createIndexes()));
}
