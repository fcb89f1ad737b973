import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Flows ack, parse, make one call and render (issue 10): who may see a request, who may change
 * seat counts, whether a change re-enables someone and whether an invitation still works are
 * decided in src/. This reads the handlers and fails when one of those decisions comes back.
 */
const FLOWS = fileURLToPath(new URL('../../flows/', import.meta.url));
const handlers = (readdirSync(FLOWS, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.ts') && !f.startsWith('blocks') && f !== 'deps.ts')
  .map((f) => [f, readFileSync(join(FLOWS, f), 'utf8')] as const);

const DECISIONS: Array<[string, RegExp]> = [
  ['who is a Global admin', /\.isGlobalAdmin\(/],
  ['who reports to whom', /\.reportsOf\(/],
  ['whether an invitation has expired', /expiresAt\)?\s*[<>]=?/],
  ['whether a change re-enables someone', /change\s*===\s*'enable'/],
  ['which request states a person may act in', /\.status\s*===|status\.startsWith\(/],
];

describe('flows decide nothing', () => {
  it('reads the handlers it checks', () => {
    expect(handlers.map(([f]) => f)).toEqual(
      expect.arrayContaining(['command/index.ts', 'home/index.ts', 'invitation/index.ts']),
    );
  });

  it.each(DECISIONS)('no handler decides %s', (_, pattern) => {
    const found = handlers.filter(([, text]) => pattern.test(text)).map(([f]) => f);
    expect(found).toEqual([]);
  });
});
