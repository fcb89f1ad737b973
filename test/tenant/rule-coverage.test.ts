import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

/** Every rule of DOMAIN.md; each must name at least one test that asserts it. */
const RULE_IDS = [
  ...['T1', 'T2', 'T3', 'T4', 'T5', 'T6'],
  ...['L1', 'L2', 'L3', 'L4', 'L5', 'L6'],
  ...['A1', 'A2', 'A3', 'A4', 'A5'],
  ...['S1', 'S2', 'S3', 'S4', 'S5', 'S6'],
  ...['E1', 'E2', 'E3', 'E4', 'E5', 'E6'],
  ...['M1', 'M2', 'M3', 'M4', 'M5'],
  ...['P1', 'P2', 'P3'],
];

describe('rule coverage', () => {
  it('names each of the 37 rule IDs in the title of at least one test', async () => {
    expect(RULE_IDS).toHaveLength(37);
    const dir = new URL('../', import.meta.url);
    const files = (await readdir(dir, { recursive: true })).filter(
      (f) => f.endsWith('.test.ts') && !f.endsWith('rule-coverage.test.ts'),
    );
    const titles: Record<string, string[]> = {};
    for (const file of files) {
      const text = await readFile(new URL(file, dir), 'utf8');
      for (const match of text.matchAll(
        /\bit\(\s*[`'"]([A-Z]\d(?:\/[A-Z]\d(?:[–-][A-Z]\d)?)*):/g,
      )) {
        for (const id of match[1]!.split('/')) titles[id] = [...(titles[id] ?? []), file];
      }
    }
    const missing = RULE_IDS.filter((id) => !titles[id]);
    expect(missing).toEqual([]);
  });
});
