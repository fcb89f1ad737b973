import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scanProduction, unreachableEnforcers, unusedRuleExports } from '../scripts/rules.ts';
import { RULES } from '../src/rule-registry/index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every rule of DOMAIN.md, in its order. */
const RULE_IDS = [
  ...['T1', 'T2', 'T3', 'T4', 'T5', 'T6'],
  ...['L1', 'L2', 'L3', 'L4', 'L5', 'L6'],
  ...['A1', 'A2', 'A3', 'A4', 'A5'],
  ...['S1', 'S2', 'S3', 'S4', 'S5', 'S6'],
  ...['E1', 'E2', 'E3', 'E4', 'E5', 'E6'],
  ...['M1', 'M2', 'M3', 'M4', 'M5'],
  ...['P1', 'P2', 'P3'],
];

/** Rule IDs named at the start of a test title: `it('L4: …')`, `it('A3/M2–M4: …')`. */
function ruleIdsInTestTitles(): Set<string> {
  const dir = join(ROOT, 'test');
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter(
    (f) => f.endsWith('.test.ts') && !f.endsWith('rule-registry.test.ts'),
  );
  const ids = new Set<string>();
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const match of text.matchAll(/\bit(?:\.each\([^)]*\))?\(\s*[`'"]([A-Z]\d[^:`'"]*):/g)) {
      for (const part of match[1]!.split('/')) {
        const range = /^([A-Z])(\d)[–-]([A-Z])(\d)$/.exec(part);
        if (range) {
          for (let n = Number(range[2]); n <= Number(range[4]); n++) ids.add(`${range[1]}${n}`);
        } else ids.add(part);
      }
    }
  }
  return ids;
}

/** A throwaway repository tree: `files` maps paths to their text. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'rule-registry-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, dirname(path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  for (const dir of ['src', 'flows', 'machines']) mkdirSync(join(root, dir), { recursive: true });
  return root;
}

describe('the rule registry', () => {
  it('lists every rule of DOMAIN.md once, in order, each with code that enforces it', () => {
    expect(RULES.map((r) => r.id)).toEqual(RULE_IDS);
    for (const rule of RULES) expect(rule.enforcedBy.length, rule.id).toBeGreaterThan(0);
  });

  it('lists only functions that other production code uses', () => {
    expect(unreachableEnforcers(ROOT, RULES, scanProduction(ROOT))).toEqual([]);
  });

  it('leaves no export of a *.rules.ts file that production code does not use', () => {
    expect(unusedRuleExports(ROOT, scanProduction(ROOT))).toEqual([]);
  });

  it('has a test named by each rule ID', () => {
    const named = ruleIdsInTestTitles();
    expect(RULE_IDS.filter((id) => !named.has(id))).toEqual([]);
  });

  it('catches a listed function only tests use, a missing one, and an unused rule export', () => {
    const root = tree({
      'src/seat.rules.ts': [
        'export function hasFreeSeat(free: number) { return free > 0; }',
        'export function freesSeat() { return true; }',
        'export const LIMIT = 7;',
        'export function within(n: number) { return n <= LIMIT; }',
      ].join('\n'),
      'src/ledger.ts': [
        "import { hasFreeSeat, within } from './seat.rules.ts';",
        'export class Ledger {',
        '  take(free: number) { return hasFreeSeat(free) && within(free); }',
        '  audit() { return []; }',
        '}',
      ].join('\n'),
      'src/main.ts': "import { Ledger } from './ledger.ts';\nnew Ledger().take(1);\n",
      'test/ledger.test.ts': "import { freesSeat } from '../src/seat.rules.ts';\nfreesSeat();\n",
    });
    const rules = [
      {
        id: 'L3',
        what: 'no free seat, no assignment',
        enforcedBy: [
          { file: 'src/seat.rules.ts', symbols: ['hasFreeSeat', 'freesSeat', 'gone'] },
          { file: 'src/ledger.ts', symbols: ['take', 'audit'] },
          { file: 'src/missing.ts', symbols: ['x'] },
        ],
      },
    ];

    const files = scanProduction(root);

    expect(unreachableEnforcers(root, rules, files)).toEqual([
      'L3: freesSeat (src/seat.rules.ts) is used by no other production file',
      'L3: src/seat.rules.ts declares no gone',
      'L3: audit (src/ledger.ts) is used by no other production file',
      'L3: src/missing.ts is not a production file',
    ]);
    // LIMIT is used inside its own file by a function that is used: that counts.
    expect(unusedRuleExports(root, files)).toEqual(['src/seat.rules.ts: freesSeat']);
  });
});
