import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ARTIFACTS, describeInBrowser, launchChromium } from '../support/browser.ts';
import { APPROVALS, startTestBot } from './test-bot.ts';

type Bot = Awaited<ReturnType<typeof startTestBot>>;

describeInBrowser('the local workspace page in a browser', () => {
  let bot: Bot;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    bot = await startTestBot();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => console.error('page error:', err));
  });
  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
  });

  const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}/workspace-${name}.png` });

  it('takes an employee from /access request through the modal to an approval card', async () => {
    await page.goto(`${bot.base}/`);
    await page.getByTestId('identity-switch').selectOption('U0EMPLOYEE');
    await page.getByTestId('channel-access-approvals').click();
    await page.getByTestId('command-input').fill('/access request');
    await page.getByTestId('command-input').press('Enter');

    const modal = page.getByTestId('modal');
    await expect.poll(() => modal.getByTestId('modal-title').textContent()).toBe('Request access');
    await modal.locator('[data-action-id="env_select"]').selectOption('prod');
    // The bot answers the block_actions with views.update: the business units follow.
    await expect
      .poll(() => modal.locator('[data-action-id="bu_select"] option').allTextContents())
      .toContain('Service');
    await modal.locator('[data-action-id="bu_select"]').selectOption('Sales');
    await modal.locator('[data-action-id="roles_select"]').selectOption(['sales-rep', 'viewer']);
    await modal.locator('[data-action-id="manager_select"]').selectOption('U0MANAGER');
    await modal.locator('[data-action-id="reason_input"]').fill('no');
    await page.getByTestId('modal-submit').click();
    await expect
      .poll(() =>
        modal.locator('[data-block-id="reason"] [data-testid="block-error"]').textContent(),
      )
      .toBe('Tell us a bit more (5+ chars)');
    await shot('modal-errors');

    await modal.locator('[data-action-id="reason_input"]').fill('Quarterly sales review');
    await page.getByTestId('modal-submit').click();
    await expect.poll(() => page.getByTestId('modal').count()).toBe(0);

    const card = page.getByTestId('message').filter({ hasText: 'Access request' });
    await expect.poll(() => card.count()).toBe(1);
    expect(await card.locator('strong').first().textContent()).toBe('@Erin Employee');
    expect(await card.textContent()).toContain('@Mo Manager');
    expect(await card.locator('code').textContent()).toBe('Quarterly sales review');
    await shot('approval-card');

    await page.getByTestId('dm-accessdesk').click();
    await expect
      .poll(() => page.getByTestId('message-list').textContent())
      .toContain('Your request was sent to #access-approvals.');
  });

  it('lets the Global admin approve with the button and shows the ephemeral reply to them only', async () => {
    await page.getByTestId('identity-switch').selectOption('U0GADMIN');
    await page.getByTestId('channel-access-approvals').click();
    const approve = page.locator('[data-block-id="decision"] [data-action-id="approve"]');
    await expect.poll(() => approve.count()).toBe(1);
    await approve.click();
    await expect
      .poll(() => page.getByTestId('message-list').textContent())
      .toContain('Approved by @Gita Admin');
    const ephemeral = page.locator('[data-testid="message"][data-ephemeral="true"]');
    await expect.poll(() => ephemeral.textContent()).toContain('You approved req-1.');
    expect(await ephemeral.getByTestId('ephemeral-label').textContent()).toContain(
      'Only visible to you',
    );
    await shot('approved');

    await page.getByTestId('identity-switch').selectOption('U0MANAGER');
    await page.getByTestId('channel-access-approvals').click();
    await expect
      .poll(() => page.getByTestId('message-list').textContent())
      .toContain('Approved by @Gita Admin');
    expect(await page.locator('[data-testid="message"][data-ephemeral="true"]').count()).toBe(0);
    expect(bot.workspace.stateFor('U0MANAGER').messages[APPROVALS]).toHaveLength(1);
  });

  it('opens App Home, renders what the bot published and sends its buttons', async () => {
    await page.getByTestId('app-home-tab').click();
    const home = page.getByTestId('app-home');
    await expect.poll(() => home.textContent()).toContain('Your access');
    expect(await home.textContent()).toContain('Hello @Mo Manager, you have 1 open request.');
    const before = bot.seen.actions.length;
    await home.locator('[data-action-id="home_refresh"]').click();
    await expect.poll(() => bot.seen.actions.length).toBe(before + 1);
    expect(bot.seen.actions.at(-1)).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0MANAGER' },
      container: { type: 'view' },
      view: { type: 'home' },
    });
    await shot('app-home');
  });
});
