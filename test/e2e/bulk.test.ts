import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Accessdesk } from '../../src/server.ts';
import { ARTIFACTS, describeInBrowser } from '../support/browser.ts';
import { useTestDatabase } from '../support/db.ts';
import { openWorkspace, personOn, smallTenantFile, startDesk } from './support.ts';

/**
 * Bulk onboarding in the local workspace, in the browser: the requester picks a CSV in
 * `/access import`'s modal (a real file chooser; the workspace hands the bot `files: [{ id }]`
 * and serves the file to it through files.info and url_private), a Global admin approves the one
 * card, and the requester gets the progress message and the private results file.
 */
const db = useTestDatabase('e2e/bulk');

const REQUESTER = 'U0ADA';
const ADMIN = 'U0GRACE';
const HEADER =
  'email,first_name,last_name,job_title,department,manager_email,sku,environment,business_unit,security_roles,access_mode';
const row = (n: number, department: string, roles = 'Salesperson') =>
  `hire${n}@example.org,Hire,Number${n},Analyst,${department},margaret@contoso.example,D365_SALES,sales-prod,sales,${roles},read_write`;

describeInBrowser('bulk onboarding in the local workspace', () => {
  let desk: Accessdesk;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    desk = await startDesk(db, smallTenantFile({ D365_SALES: 10 }));
    ({ browser, page } = await openWorkspace(desk));
  });
  afterAll(async () => {
    await browser?.close();
    await desk?.stop();
  });

  const shot = (name: string) =>
    page.screenshot({ path: `${ARTIFACTS}/e2e-bulk-${name}.png`, fullPage: true });
  const modal = () => page.getByTestId('modal');
  const become = (user: string) => personOn(page).become(user);
  const command = (text: string) => personOn(page).command(text);
  const requests = () => desk.system.store.requests.countDocuments();

  /** As the requester, in their DM: `/access import`, choose `csv` as `name`, submit. */
  async function importFile(name: string, csv: string) {
    await become(REQUESTER);
    await page.getByTestId('dm-accessdesk').click();
    await command('/access import');
    await expect
      .poll(() => modal().getByTestId('modal-title').textContent())
      .toBe('Bulk onboarding');
    const chooser = modal().locator('input[type="file"][data-action-id="csv_file"]');
    expect(await chooser.getAttribute('accept')).toBe('.csv');
    await chooser.setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await expect
      .poll(() => modal().getByTestId('file-status').textContent())
      .toBe(`Uploaded ${name}`);
    await page.getByTestId('modal-submit').click();
    await desk.system.background.idle();
  }

  it('a CSV with one bad row: the modal names its line, column and problem; nothing is queued', async () => {
    await importFile(
      'one-bad-row.csv',
      `${HEADER}\n${row(1, 'Sales')}\n${row(2, 'Sales', 'Astronaut')}\n`,
    );
    await expect
      .poll(() => modal().textContent())
      .toContain('1 problem in 2 rows; nothing was sent.');
    expect(await modal().textContent()).toContain(
      'line 3, security_roles: Not roles of Sales (S3): Astronaut.',
    );
    await shot('1-bad-row');
    await page.getByTestId('modal-close').click();
    await expect.poll(() => modal().count()).toBe(0);
    const dm = page.getByTestId('message').filter({ hasText: 'nothing was sent' });
    await expect.poll(() => dm.count()).toBe(1);
    expect(await requests()).toBe(0);

    await become(ADMIN);
    await page.getByTestId('channel-access-approvals').click();
    await expect
      .poll(() => page.getByTestId('message-list').textContent())
      .toContain('No messages yet');
  });

  it('a good CSV gives one card; the approval shows progress and ends with the results file, no password in it (T2)', async () => {
    await importFile(
      'new-hires.csv',
      `${HEADER}\n${row(1, 'Sales')}\n${row(2, 'Sales')}\n${row(3, 'Marketing')}\n`,
    );
    await expect.poll(() => modal().textContent()).toContain('was sent to the Global admins');
    const requestId = /REQ-[A-Z0-9]{8}/.exec((await modal().textContent()) ?? '')?.[0] ?? '';
    expect(requestId).not.toBe('');
    await page.getByTestId('modal-close').click();
    expect(await requests()).toBe(1);

    await become(ADMIN);
    await page.getByTestId('channel-access-approvals').click();
    const cards = page.getByTestId('message');
    await expect.poll(() => cards.count()).toBe(1);
    const card = cards.filter({ hasText: requestId });
    expect(await card.textContent()).toContain('Onboard 3 people: Sales 2, Marketing 1');
    expect(await card.textContent()).toContain('Needs 3 Dynamics 365 Sales Enterprise seats');
    await shot('2-card');
    await card.locator('[data-action-id="approve_request"]').click();
    await expect.poll(() => card.locator('[data-action-id="approve_request"]').count()).toBe(0);
    await expect
      .poll(async () => {
        await desk.system.background.idle();
        return (await desk.system.queries.find(requestId))?.status;
      })
      .toBe('completed');

    // The requester's DM: one progress message, edited in place, then the results file.
    await become(REQUESTER);
    await page.getByTestId('dm-accessdesk').click();
    const progress = page.getByTestId('message').filter({ hasText: 'provisioned' });
    await expect.poll(() => progress.count()).toBe(1);
    await expect
      .poll(() => progress.textContent())
      .toContain('provisioned 3/3, invited 3, waiting for a seat 0');
    expect(await progress.textContent()).toContain(`Bulk onboarding ${requestId}`);
    expect(await progress.textContent()).toContain('(edited)');

    const file = page.getByTestId('file');
    await expect.poll(() => file.count()).toBe(1);
    expect(await file.textContent()).toContain(`Bulk onboarding ${requestId}: results`);
    await shot('3-results');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      file.getByTestId('file-download').click(),
    ]);
    const results = await readFile((await download.path())!, 'utf8');
    expect(results).toContain('line,email,user_name,status,invitation_link');
    for (const n of [1, 2, 3]) expect(results).toContain(`hire.number${n}@contoso.example`);
    const links = results.match(/\/invitations\/[A-Za-z0-9_-]{43}/g) ?? [];
    expect(new Set(links).size).toBe(3);
    expect(results).not.toMatch(/password/i);

    // T2: the invitee opens their link; it shows the temporary password once, on request.
    const line = results.split('\n').find((l) => l.includes('hire.number1@contoso.example'));
    const link = /https?:\/\/[^,\s]+\/invitations\/[\w-]{43}/.exec(line ?? '')?.[0] ?? '';
    expect(link).not.toBe('');
    const invitee = await browser.newPage();
    await invitee.goto(link);
    await invitee.getByRole('button', { name: 'Show my user name and temporary password' }).click();
    await expect.poll(() => invitee.locator('body').textContent()).toMatch(/Temporary password/);
    expect(await invitee.locator('body').textContent()).toContain('hire.number1@contoso.example');
    await invitee.goBack();
    await invitee.reload();
    await invitee.getByRole('button', { name: 'Show my user name and temporary password' }).click();
    await expect
      .poll(() => invitee.locator('h1').textContent())
      .toBe('Your sign-in details were already shown');
    expect(await invitee.locator('body').textContent()).not.toMatch(/Temporary password/);
    await invitee.close();

    // Private: the admin's view of the workspace shows no results file anywhere.
    await become(ADMIN);
    await page.getByTestId('channel-access-approvals').click();
    await expect.poll(() => page.getByTestId('message').count()).toBe(1);
    expect(await page.getByTestId('file').count()).toBe(0);
  });
});
