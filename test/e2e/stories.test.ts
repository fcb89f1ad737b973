import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Accessdesk } from '../../src/server.ts';
import { ARTIFACTS, describeInBrowser, launchChromium } from '../support/browser.ts';
import { useTestDatabase } from '../support/db.ts';
import { smallTenantFile, startDesk } from './support.ts';

/**
 * "Try accessdesk without a Slack workspace": one story per kind of user, in the browser, against
 * the real server and its local workspace. The stories run in order and share one request.
 */
const db = useTestDatabase('e2e/stories');

// From the repo's tenant.yaml: Alan (Account Executive) reports to Ada; Grace is a Global admin.
const EMPLOYEE = 'U0ALAN';
const MANAGER = 'U0ADA';
const ADMIN = 'U0GRACE';
// Ada, Alan and Katherine hold Dynamics 365 Sales: 3 of 4 seats used, one left for the new hire.
const SALES_SEATS = 4;
const NEW_HIRE = { first: 'Nina', last: 'Newhire', email: 'nina.newhire@example.org' };

describeInBrowser('accessdesk in the local workspace, one story per user', () => {
  let desk: Accessdesk;
  let browser: Browser;
  let page: Page;
  let requestId = '';

  beforeAll(async () => {
    desk = await startDesk(db, smallTenantFile({ D365_SALES: SALES_SEATS }));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (err) => console.error('page error:', err));
  });
  afterAll(async () => {
    await browser?.close();
    await desk?.stop();
  });

  const shot = (name: string) =>
    page.screenshot({ path: `${ARTIFACTS}/e2e-${name}.png`, fullPage: true });
  const messages = () => page.getByTestId('message-list');
  const become = async (user: string) => {
    await page.getByTestId('identity-switch').selectOption(user);
  };
  const command = async (text: string) => {
    await page.getByTestId('command-input').fill(text);
    await page.getByTestId('command-input').press('Enter');
  };

  it('shows a newcomer the workspace page', async () => {
    await page.goto(`${desk.url}/`);
    await page.getByTestId('identity-switch').waitFor();
    await page.getByTestId('channel-access-approvals').waitFor();
    await shot('0-first-screen');
  });

  it('an employee requests an account for a new hire and gets a request id by DM', async () => {
    await become(EMPLOYEE);
    await page.getByTestId('dm-accessdesk').click();
    await command('/access request');

    const modal = page.getByTestId('modal');
    await expect.poll(() => modal.getByTestId('modal-title').textContent()).toBe('Request access');
    const field = (id: string) => modal.locator(`[data-action-id="${id}"]`);
    await field('first_name').fill(NEW_HIRE.first);
    await field('last_name').fill(NEW_HIRE.last);
    await field('email').fill(NEW_HIRE.email);
    await field('job_title').fill('Sales Development Rep');
    await field('manager').selectOption(MANAGER);
    await field('sku').selectOption('D365_SALES');
    await field('environment').selectOption('sales-prod');
    // The environment dispatches an action; the bot rebuilds the modal with its business units.
    await expect
      .poll(() => field('business_unit').locator('option').allTextContents())
      .toContain('Sales EMEA');
    await field('business_unit').selectOption('sales');
    await expect
      .poll(() => field('security_roles').locator('option').allTextContents())
      .toEqual(expect.arrayContaining(['Salesperson', 'Sales Manager']));
    await field('security_roles').selectOption(['Salesperson']);
    await field('access_mode').selectOption('read_write');
    await field('justification').fill('Nina joins the EMEA sales team on Monday.');
    await shot('1-employee-modal');
    await page.getByTestId('modal-submit').click();
    await expect.poll(() => modal.count()).toBe(0);

    await expect
      .poll(() => messages().textContent())
      .toMatch(/Your request \S+ for Nina Newhire was sent to the Global admins\./);
    requestId = /Your request (\S+) for Nina/.exec((await messages().textContent()) ?? '')![1]!;
    expect(requestId).toBeTruthy();
    await desk.system.background.idle();
    await shot('1-employee-dm');
  });

  it('a Global admin approves it, watching the seat count before and after', async () => {
    await become(ADMIN);
    await page.getByTestId('channel-access-approvals').click();
    const card = page.getByTestId('message').filter({ hasText: `request ${requestId}` });
    await card.first().waitFor();
    expect(await card.textContent()).toContain(`3/${SALES_SEATS} used, 1 free`);

    await command('/access seats');
    const seats = page.locator('[data-testid="message"][data-ephemeral="true"]');
    await expect.poll(() => seats.last().textContent()).toContain('Seats');
    expect((await seats.last().textContent())?.replace(/\s+/g, ' ')).toMatch(
      new RegExp(`Dynamics 365 Sales Enterprise ${SALES_SEATS} 3 0 1`),
    );

    await card.locator('[data-action-id="approve_request"]').click();
    await desk.system.background.idle();
    await expect.poll(() => card.locator('[data-action-id="approve_request"]').count()).toBe(0);
    await expect.poll(() => card.textContent()).toContain('Grace Hopper');
    await expect.poll(() => card.textContent()).toContain('Status: ✉️ invited');
    expect(await card.textContent()).toContain(
      `${SALES_SEATS}/${SALES_SEATS} used, 1 held by invitations, no free seat`,
    );

    await command('/access seats');
    await expect
      .poll(async () => (await seats.last().textContent())?.replace(/\s+/g, ' '))
      .toMatch(new RegExp(`Dynamics 365 Sales Enterprise ${SALES_SEATS} ${SALES_SEATS} 1 0`));
    expect(await seats.count()).toBe(2);
    await page.setViewportSize({ width: 1280, height: 1500 });
    await shot('2-admin-approved');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('the invitee, not in Slack, accepts with the one-time link the requester received', async () => {
    await become(EMPLOYEE);
    await page.getByTestId('dm-accessdesk').click();
    // The new hire is not in Slack: the requester gets the link to pass on, with no Accept button.
    const invitation = page.getByTestId('message').filter({ hasText: 'is ready' });
    await invitation.first().waitFor();
    expect(await invitation.locator('[data-action-id="accept_invitation"]').count()).toBe(0);
    const [invitee] = await Promise.all([
      page.context().waitForEvent('page'),
      invitation.locator('a[href*="/invitations/"]').first().click(),
    ]);
    await invitee.waitForLoadState();
    const link = invitee.url();
    expect(link).toMatch(
      new RegExp(`^${desk.url.replace('127.0.0.1', 'localhost')}/invitations/[\\w-]+$`),
    );
    await invitee.setViewportSize({ width: 900, height: 600 });
    await expect.poll(() => invitee.locator('h1').textContent()).toBe('Your access is ready');
    expect(await invitee.locator('body').textContent()).toContain(NEW_HIRE.email);
    await invitee.getByRole('button', { name: 'Accept invitation' }).click();
    await expect.poll(() => invitee.locator('h1').textContent()).toBe('Invitation accepted');
    await invitee.screenshot({ path: `${ARTIFACTS}/e2e-3-invitee-accepted.png` });
    await desk.system.background.idle();

    // The link works once.
    await invitee.goto(link!);
    expect(await invitee.locator('h1').textContent()).toBe('This invitation cannot be used');
    await invitee.close();
    expect((await desk.system.queries.find(requestId))?.status).toBe('accepted');
  });

  it("the employee's manager sees the request accepted in App Home", async () => {
    await become(MANAGER);
    await page.getByTestId('app-home-tab').click();
    const home = page.getByTestId('app-home');
    await expect.poll(() => home.textContent()).toContain(requestId);
    expect(await home.textContent()).toContain(NEW_HIRE.email);
    expect(await home.textContent()).toContain('Status: 🎉 accepted');
    await shot('4-manager-home');
  });
});
