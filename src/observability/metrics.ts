import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus metrics (prom-client). Counters and histograms are module-wide, as
 * prom-client intends: each instance reports its own and Prometheus sums them. The gauges are
 * computed from the database at scrape time (`deskGauges`).
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'accessdesk_' });

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Requests submitted, by kind. */
export const requestsSubmitted = new Counter({
  name: 'accessdesk_requests_submitted_total',
  help: 'Requests submitted, by kind',
  labelNames: ['kind'] as const,
  registers: [registry],
});

/** Requests that reached an end state, by kind and end state. */
export const requestsEnded = new Counter({
  name: 'accessdesk_requests_ended_total',
  help: 'Requests that reached an end state, by kind and end state',
  labelNames: ['kind', 'state'] as const,
  registers: [registry],
});

/** Refusals: of a person's attempt (the machine's reason) or of a Slack call at the edge. */
export const refusals = new Counter({
  name: 'accessdesk_refusals_total',
  help: 'Refused attempts and Slack calls, by reason',
  labelNames: ['reason'] as const,
  registers: [registry],
});

/** From a Slack call's arrival to its answer (the ack), by payload type. */
export const ackSeconds = new Histogram({
  name: 'accessdesk_ack_seconds',
  help: 'Time from a Slack call arriving to its acknowledgement, by payload type',
  labelNames: ['type'] as const,
  buckets: SECONDS,
  registers: [registry],
});

/** From approval to access in place (provisioned, applied, offboarded), by kind. */
export const decisionToProvisioned = new Histogram({
  name: 'accessdesk_decision_to_provisioned_seconds',
  help: 'Time from a request being approved to its access being in place, by kind',
  labelNames: ['kind'] as const,
  buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 1800, 3600, 86_400],
  registers: [registry],
});

/** How long each effect ran, by effect and outcome (done, retry, failed, crashed). */
export const effectSeconds = new Histogram({
  name: 'accessdesk_effect_seconds',
  help: "Each effect's duration, by effect and outcome",
  labelNames: ['effect', 'outcome'] as const,
  buckets: SECONDS,
  registers: [registry],
});

/** Slack Web API calls that failed (after the client's own retries). */
export const slackApiErrors = new Counter({
  name: 'accessdesk_slack_api_errors_total',
  help: 'Slack Web API calls that failed, by where they were made',
  labelNames: ['kind'] as const,
  registers: [registry],
});

/** Slack Web API attempts the client retried. */
export const slackApiRetries = new Counter({
  name: 'accessdesk_slack_api_retries_total',
  help: 'Slack Web API attempts that failed and were retried',
  registers: [registry],
});

/** Directory (Microsoft Graph, Dataverse) calls that failed, by reason. */
export const directoryApiErrors = new Counter({
  name: 'accessdesk_directory_api_errors_total',
  help: 'Directory API calls that failed, by reason',
  labelNames: ['reason'] as const,
  registers: [registry],
});

/** Directory calls retried (throttled or unreachable). */
export const directoryApiRetries = new Counter({
  name: 'accessdesk_directory_api_retries_total',
  help: 'Directory API calls retried after throttling',
  registers: [registry],
});

/** Audit entries the sink delivered (acknowledged by it). */
export const auditDelivered = new Counter({
  name: 'accessdesk_audit_entries_delivered_total',
  help: 'Audit entries delivered to the audit sink',
  registers: [registry],
});

/** What the gauges read at scrape time, each a bounded indexed query or the seat counters. */
export interface GaugeSources {
  /** Requests with effects still to run. */
  outboxDepth(): Promise<number>;
  /** Requests with a deadline that has passed and not been fired. */
  deadlinesDue(): Promise<number>;
  /** Per SKU: requests waiting for a seat. */
  waitingForSeat(): Promise<Record<string, number>>;
  /** Per SKU, from its counter document: seats in use (held or assigned), held, free. */
  seats(): Promise<Array<{ skuId: string; used: number; held: number; free: number }>>;
}

/** The gauges of one running accessdesk, read from its database when scraped. */
export function deskGauges(sources: GaugeSources): Registry {
  const gauges = new Registry();
  new Gauge({
    name: 'accessdesk_outbox_depth',
    help: 'Requests with effects still to run',
    registers: [gauges],
    async collect() {
      this.set(await sources.outboxDepth());
    },
  });
  new Gauge({
    name: 'accessdesk_deadlines_due',
    help: 'Requests whose next deadline has passed',
    registers: [gauges],
    async collect() {
      this.set(await sources.deadlinesDue());
    },
  });
  new Gauge({
    name: 'accessdesk_requests_waiting_for_seat',
    help: 'Approved requests waiting for a seat, by SKU',
    labelNames: ['sku'] as const,
    registers: [gauges],
    async collect() {
      for (const [sku, n] of Object.entries(await sources.waitingForSeat())) this.set({ sku }, n);
    },
  });
  new Gauge({
    name: 'accessdesk_seats',
    help: 'Seats per SKU: used (held or assigned), held by invitations, free',
    labelNames: ['sku', 'state'] as const,
    registers: [gauges],
    async collect() {
      for (const s of await sources.seats()) {
        this.set({ sku: s.skuId, state: 'used' }, s.used);
        this.set({ sku: s.skuId, state: 'held' }, s.held);
        this.set({ sku: s.skuId, state: 'free' }, s.free);
      }
    },
  });
  return gauges;
}

/** The Prometheus text of the process metrics and `gauges`. */
export async function scrape(gauges: Registry): Promise<{ type: string; text: string }> {
  const merged = Registry.merge([registry, gauges]);
  return { type: merged.contentType, text: await merged.metrics() };
}

/** Whether `error` (or one inside an AggregateError) came from the Slack Web API client. */
export function isSlackError(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isSlackError);
  return String((error as { code?: unknown } | undefined)?.code).startsWith('slack_webapi');
}

/** `port` with each method's Slack Web API failures counted (`kind`), then rethrown. */
export function countingSlackErrors<T extends object>(port: T, kind: string): T {
  const counted = {} as Record<string, unknown>;
  for (const [name, method] of Object.entries(port)) {
    counted[name] = async (...args: unknown[]) => {
      try {
        return await (method as (...a: unknown[]) => Promise<unknown>)(...args);
      } catch (error) {
        if (isSlackError(error)) slackApiErrors.inc({ kind });
        throw error;
      }
    };
  }
  return counted as T;
}
