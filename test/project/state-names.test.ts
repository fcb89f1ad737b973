import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RequestKind } from '../../src/lifecycle/kinds.ts';
import { requestMachines } from '../../src/lifecycle/machines.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCANNED = ['src', 'flows', 'test', 'bench', 'scripts'];

function* typescriptFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* typescriptFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/** Every request kind (the `satisfies` fails the typecheck when one is missing). */
const KINDS = Object.keys({
  onboarding: 1,
  role_change: 1,
  offboarding: 1,
  time_bound_grant: 1,
  bulk_onboarding: 1,
  bulk_member: 1,
} satisfies Record<RequestKind, 1>) as RequestKind[];

/** Every parent state of any request machine: the names a prefix test on a status would use. */
function parentStates(): string[] {
  const parents = new Set<string>();
  for (const kind of KINDS) {
    for (const status of requestMachines.statuses(kind)) {
      const parts = status.split('.');
      for (let i = 1; i < parts.length; i++) parents.add(parts.slice(0, i).join('.'));
    }
  }
  return [...parents];
}

describe('where a request is, outside machines/', () => {
  it('is never found by testing the text of a status for a state name (tags and the machine say it)', () => {
    const parents = parentStates();
    expect(parents).toEqual(expect.arrayContaining(['requested', 'approved']));
    const pattern = new RegExp(`startsWith\\(\\s*['"\`](${parents.join('|')})\\b`);
    const found: string[] = [];
    for (const dir of SCANNED) {
      for (const file of typescriptFiles(join(ROOT, dir))) {
        const lines = readFileSync(file, 'utf8').split('\n');
        lines.forEach((line, i) => {
          if (pattern.test(line)) found.push(`${relative(ROOT, file)}:${i + 1}`);
        });
      }
    }
    expect(found).toEqual([]);
  });
});
