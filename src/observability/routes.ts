import type { CustomRoute } from '@slack/bolt';
import type { Registry } from 'prom-client';
import { scrape } from './metrics.ts';

/** What the probes ask of a running accessdesk. */
export interface Probes {
  /** Resolves when the database answers a ping. */
  ping(): Promise<unknown>;
  /** Whether this instance sweeps deadlines and the outbox (its scheduler runs). */
  schedulerRunning(): boolean;
  /** This desk's scrape-time gauges. */
  gauges: Registry;
}

/** How long /readyz waits for the database before it says "not ready". */
const PING_TIMEOUT_MS = 2000;

/**
 * `GET /healthz` (the process is alive), `GET /readyz` (the database answers a ping and this
 * instance runs its scheduler: 200, else 503) and `GET /metrics` (Prometheus text).
 */
export function observabilityRoutes(probes: Probes): CustomRoute[] {
  return [
    {
      path: '/healthz',
      method: 'GET',
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true }));
      },
    },
    {
      path: '/readyz',
      method: 'GET',
      handler: async (_req, res) => {
        const database = await answers(probes.ping());
        const scheduler = probes.schedulerRunning();
        const ok = database && scheduler;
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok, database, scheduler }));
      },
    },
    {
      path: '/metrics',
      method: 'GET',
      handler: async (_req, res) => {
        try {
          const { type, text } = await scrape(probes.gauges);
          res.writeHead(200, { 'content-type': type });
          res.end(text);
        } catch (error) {
          res.writeHead(503, { 'content-type': 'text/plain' });
          res.end(`metrics unavailable: ${(error as Error).message}\n`);
        }
      },
    },
  ];
}

/** Whether `ping` settles successfully within PING_TIMEOUT_MS. */
async function answers(ping: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
  });
  try {
    return await Promise.race([ping.then(() => true), late]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
