import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { staleDiagrams } from '../../scripts/mermaid.ts';
import { readmeBlocks } from '../../scripts/readme-blocks.ts';

describe('README.md', () => {
  it('shows the lifecycles and the rule table as the machines and the rule registry are now', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

    expect(Object.keys(readmeBlocks)).toEqual([
      'onboarding',
      'role-change',
      'offboarding',
      'bulk-onboarding',
      'bulk-member',
      'grant',
      'rules',
    ]);
    expect(staleDiagrams(readme, readmeBlocks)).toEqual([]);
  });
});
