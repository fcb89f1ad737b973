import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import type { Accessdesk } from '../../src/server.ts';
import { ARTIFACTS, describeInBrowser, launchChromium } from '../support/browser.ts';
import { useTestDatabase } from '../support/db.ts';
import { smallTenantFile, startDesk } from './support.ts';

/**
 * Issue 13's stories in the local workspace, in the browser, against the real server: a
 * time-bound grant with its warning and an extension, and a leaver with a future date. Time is a
 * fake clock the test moves; the scheduler's sweep runs where the service would run it.
 */
const db = useTestDatabase('e2e/lifecycles');

// From the repo's tenant.yaml: Alan reports to Ada; Grace and Linus are Global admins.
const EMPLOYEE = 'U0ALAN';
const MANAGER = 'U0ADA';
const ADMIN = 'U0GRACE';
const SECOND_ADMIN = 'U0LINUS';
const MIN = 60_000;

describeInBrowser('time-bound access and a leaver in the local workspace', () => {
  let desk: Accessdesk;
  let browser: Browser;
  let page: Page;
  const clock = new ManualClock();

  beforeAll(async () => {
    desk = await startDesk(db, smallTenantFile({}), {
      clock,
      env: { ACCESSDESK_GRANT_WARNINGS: '30m' },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (err) => console.error('page error:', err));
    await page.goto(`${desk.url}/`);
    await page.getByTestId('identity-switch').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await desk?.stop();
  });

  const shot = (name: string) =>
    page.screenshot({ path: `${ARTIFACTS}/e2e-13-${name}.png`, fullPage: true });
  const messages = () => page.getByTestId('message-list');
  const become = (user: string) => page.getByTestId('identity-switch').selectOption(user);
  const command = async (text: string) => {
    await page.getByTestId('command-input').fill(text);
    await page.getByTestId('command-input').press('Enter');
  };
  const idle = () => desk.system.background.idle();
  /** Time passes and the scheduler sweeps, as the service does on its cadence. */
  const timePasses = async (ms: number) => {
    clock.advance(ms);
    await desk.system.scheduler.sweep();
    await idle();
  };
  const lastId = async (pattern: RegExp) =>
    pattern.exec((await messages().textContent()) ?? '')?.[1];
  const approveIn = async (admin: string, requestId: string) => {
    await become(admin);
    await page.getByTestId('channel-access-approvals').click();
    const card = page.getByTestId('message').filter({ hasText: requestId });
    await card.first().waitFor();
    await card.first().locator('[data-action-id="approve_request"]').click();
    await idle();
    await expect
      .poll(() => card.first().locator('[data-action-id="approve_request"]').count())
      .toBe(0);
    return card.first();
  };

  it('an employee asks for Billing admin for 1 hour; a Global admin approves it', async () => {
    await become(EMPLOYEE);
    await page.getByTestId('dm-accessdesk').click();
    await command('/access change');
    const modal = page.getByTestId('modal');
    const field = (id: string) => modal.locator(`[data-action-id="${id}"]`);
    await field('subject_user').selectOption(EMPLOYEE);
    await field('change_kind').selectOption('admin_roles_grant');
    await expect.poll(() => field('duration').count()).toBe(1);
    await field('admin_roles').selectOption(['Billing admin']);
    await field('duration').selectOption('1h');
    await field('justification').fill('Quarter close: invoices this afternoon.');
    await shot('1-grant-modal');
    await page.getByTestId('modal-submit').click();
    await expect.poll(() => modal.count()).toBe(0);
    await expect.poll(() => messages().textContent()).toMatch(/Your change request REQ-\w+/);
    const id = (await lastId(/Your change request (REQ-\w+)/))!;
    await idle();

    const card = await approveIn(ADMIN, id);
    await expect.poll(() => card.textContent()).toContain('granted');
    expect((await desk.tenant.accountByEmail('alan@contoso.example'))?.adminRoles).toContain(
      'Billing admin',
    );
  });

  it('30 minutes before the end the employee is warned and extends; the access never lapses', async () => {
    await timePasses(30 * MIN);
    await become(EMPLOYEE);
    await page.getByTestId('dm-accessdesk').click();
    const warning = page.getByTestId('message').filter({ hasText: 'ends in 30 min' });
    await warning.first().waitFor();
    await shot('2-warning');
    await warning.first().locator('[data-action-id="extend_grant"]').click();
    await idle();
    await expect.poll(() => messages().textContent()).toMatch(/Your extension REQ-\w+ of REQ-\w+/);
    const extension = (await lastId(/Your extension (REQ-\w+)/))!;

    const card = await approveIn(SECOND_ADMIN, extension);
    expect(await card.textContent()).toContain('Extension of');
    await timePasses(31 * MIN); // the first hour is over
    expect((await desk.tenant.accountByEmail('alan@contoso.example'))?.adminRoles).toContain(
      'Billing admin',
    );

    // Ada, Alan's manager, sees his time-bound access in App Home.
    await become(MANAGER);
    await page.getByTestId('app-home-tab').click();
    const home = page.getByTestId('app-home');
    await expect.poll(() => home.textContent()).toContain('Time-bound access');
    expect(await home.textContent()).toContain('Alan Turing has Billing admin');
    await shot('3-manager-home');

    await timePasses(60 * MIN); // the extension is over too
    expect((await desk.tenant.accountByEmail('alan@contoso.example'))?.adminRoles).not.toContain(
      'Billing admin',
    );
  });

  it('a leaver with a future date: asked, approved, scheduled, closed on the day', async () => {
    const day = new Date(clock.now().getTime() + 2 * 24 * 60 * MIN).toISOString().slice(0, 10);
    await become(MANAGER);
    await page.getByTestId('dm-accessdesk').click();
    await command(`/access offboard <@${EMPLOYEE}> ${day}`);
    await expect
      .poll(() => messages().textContent())
      .toMatch(
        new RegExp(
          `Your offboarding request REQ-\\w+ for alan@contoso.example \\(effective ${day}\\)`,
        ),
      );
    const id = (await lastId(/Your offboarding request (REQ-\w+)/))!;
    await idle();
    const card = await approveIn(ADMIN, id);
    await expect.poll(() => card.textContent()).toContain('scheduled');
    await shot('4-leaver-scheduled');
    expect((await desk.tenant.accountByEmail('alan@contoso.example'))?.signInAllowed).toBe(true);

    clock.set(new Date(`${day}T00:00:00Z`));
    await desk.system.scheduler.sweep();
    await idle();
    await expect.poll(() => card.textContent()).toContain('offboarded');
    const account = await desk.tenant.accountByEmail('alan@contoso.example');
    expect(account?.signInAllowed).toBe(false);
    expect(account?.deletedAt ?? null).toBeNull();
  });
});
