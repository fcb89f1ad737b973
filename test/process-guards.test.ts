import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Runs the guarded child process, failing the way `mode` says. */
function runChild(mode: 'reject' | 'throw') {
  const child = fileURLToPath(new URL('./support/guarded-child.ts', import.meta.url));
  const run = spawnSync(process.execPath, ['--import', 'tsx', child, mode], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: run.status, out: run.stdout };
}

describe('a stray failure in the process', () => {
  it('an unhandled rejection is logged with its context and the process carries on', () => {
    const { code, out } = runChild('reject');
    expect(out).toMatch(/unhandled rejection, carrying on: Error: a stray rejection \(at .+\)/);
    expect(out).toContain('still alive');
    expect(code).toBe(0);
  });

  it('an uncaught exception is logged and the process exits with code 1', () => {
    const { code, out } = runChild('throw');
    expect(out).toMatch(/uncaught exception, exiting .*Error: a stray exception/);
    expect(out).not.toContain('still alive');
    expect(code).toBe(1);
  });
});
