import { describe, expect, it } from 'vitest';
import { browserSkipReason, CHROMIUM } from '../support/browser.ts';

describe('the browser tests on a machine without chromium', () => {
  it('are skipped with a reason naming /usr/bin/chromium and how to install it', () => {
    const reason = browserSkipReason({ chromiumInstalled: false, ci: false });
    expect(CHROMIUM).toBe('/usr/bin/chromium');
    expect(reason).toContain('/usr/bin/chromium is missing');
    expect(reason).toContain('apt-get install chromium');
  });

  it('fail in CI instead of skipping', () => {
    expect(browserSkipReason({ chromiumInstalled: false, ci: true })).toBeUndefined();
  });

  it('run where chromium is installed', () => {
    expect(browserSkipReason({ chromiumInstalled: true, ci: false })).toBeUndefined();
  });
});
