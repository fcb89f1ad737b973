import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parse, stringify } from 'yaml';
import type { Clock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { describeEngine } from '../../src/db/index.ts';
import { type Accessdesk, startAccessdesk } from '../../src/server.ts';
import { launchChromium } from '../support/browser.ts';
import type { useTestDatabase } from '../support/db.ts';

/** The repo's tenant.yaml with fewer Dynamics 365 Sales seats, so the count is easy to read. */
export function smallTenantFile(seats: Record<string, number>): string {
  const tenant = parse(readFileSync('tenant.yaml', 'utf8')) as {
    skus: { id: string; seats: number }[];
  };
  for (const sku of tenant.skus) if (sku.id in seats) sku.seats = seats[sku.id]!;
  const dir = mkdtempSync(join(tmpdir(), 'accessdesk-e2e-'));
  const file = join(dir, 'tenant.yaml');
  writeFileSync(file, stringify(tenant));
  return file;
}

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The real server (no SLACK_* → local workspace) over the test's mongod. With `PORT=0` the
 * public URL (response_urls, invitation links) would say `localhost:0`, so a free port is
 * chosen first and passed as both PORT and PUBLIC_URL.
 */
export async function startDesk(
  db: ReturnType<typeof useTestDatabase>,
  tenantFile: string,
  options: { clock?: Clock; env?: Record<string, string> } = {},
): Promise<Accessdesk> {
  const port = String(await freePort());
  const env = {
    PORT: port,
    PUBLIC_URL: `http://localhost:${port}`,
    ACCESSDESK_TENANT_FILE: tenantFile,
    ...options.env,
  };
  return startAccessdesk(loadConfig(env), {
    database: {
      connection: db.connection,
      engine: await describeEngine(db.connection),
      origin: 'test',
      close: async () => {},
    },
    sweep: false,
    log: () => {},
    ...(options.clock ? { clock: options.clock } : {}),
  });
}

/** Chromium on the desk's local workspace page, ready (page errors go to the test's output). */
export async function openWorkspace(desk: Accessdesk): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (err) => console.error('page error:', err));
  await page.goto(`${desk.url}/`);
  await page.getByTestId('identity-switch').waitFor();
  return { browser, page };
}

/** What anyone does on the page: choose who they are, type a slash command. */
export function personOn(page: Page) {
  return {
    become: async (user: string) => {
      await page.getByTestId('identity-switch').selectOption(user);
    },
    command: async (text: string) => {
      await page.getByTestId('command-input').fill(text);
      await page.getByTestId('command-input').press('Enter');
    },
  };
}
