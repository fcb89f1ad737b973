import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the lock file', () => {
  it('is one `npm ci` accepts from a fresh clone, optional per-platform packages included', () => {
    // `npm ci --dry-run` runs npm's own package.json ↔ package-lock.json check and installs
    // nothing; a lock without, say, Biome's win32 package fails it with "Missing: … from lock file".
    const ci = spawnSync('npm', ['ci', '--dry-run', '--no-audit', '--no-fund'], {
      encoding: 'utf8',
    });
    expect(ci.stderr).not.toMatch(/Missing: .* from lock file/);
    expect(ci.status).toBe(0);
  });
});
