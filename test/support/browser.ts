import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { describe } from 'vitest';

/** Debian's chromium, which the browser tests drive (browser downloads do not work everywhere). */
export const CHROMIUM = '/usr/bin/chromium';
/** Where the browser tests leave their screenshots. */
export const ARTIFACTS = 'test-artifacts';

/**
 * Why the browser tests cannot run here, or undefined when they run. In CI a missing chromium
 * is no reason: the tests run and fail, so CI never passes without them.
 */
export function browserSkipReason(
  machine = { chromiumInstalled: existsSync(CHROMIUM), ci: !!process.env.CI },
): string | undefined {
  if (machine.chromiumInstalled || machine.ci) return undefined;
  return `${CHROMIUM} is missing; install it with \`apt-get install chromium\` (Debian) to run them`;
}

/** describe() for tests that drive chromium: where it is missing they skip and print why. */
export function describeInBrowser(name: string, body: () => void): void {
  const reason = browserSkipReason();
  if (reason) console.warn(`[accessdesk tests] skipping "${name}": ${reason}`);
  describe.skipIf(reason !== undefined)(name, body);
}

/** A headless chromium; throws naming the missing binary rather than a Playwright stack. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}
