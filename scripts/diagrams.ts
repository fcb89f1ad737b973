/**
 * Writes the lifecycle diagrams (from the machines) and the rule table (from the rule registry)
 * into README.md (`npm run diagrams`); with `--check`, writes nothing and exits 1 naming every
 * stale block.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { onboardingMachine } from '../machines/onboarding.machine.ts';
import { roleChangeMachine } from '../machines/role-change.machine.ts';
import { RULES } from '../src/rule-registry.ts';
import { mermaidBlock, replaceBetweenMarkers, staleDiagrams, toMermaid } from './mermaid.ts';
import { ruleTable } from './rules.ts';

const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));

/** Each README diagram, by marker name, as it would be generated now. */
const diagramBlocks: Record<string, string> = {
  onboarding: withNote(mermaidBlock(toMermaid(onboardingMachine)), 'onboarding.machine.ts'),
  'role-change': withNote(mermaidBlock(toMermaid(roleChangeMachine)), 'role-change.machine.ts'),
  rules: [
    ruleTable(RULES),
    '',
    'Generated from `src/rule-registry.ts` by `npm run diagrams`. `test/rule-registry.test.ts` fails',
    'when a function listed here is used by no other production file (src/, flows/, machines/;',
    'tests do not count), when an export of a `*.rules.ts` file is used by no production code, or',
    "when no test title names a rule ID (`it('L4: …')`).",
  ].join('\n'),
};

/** Tells the reader where the diagram comes from and what it leaves out. */
function withNote(block: string, file: string): string {
  return [
    block,
    '',
    `Generated from \`machines/${file}\` by \`npm run diagrams\`. Attempts refused without a`,
    'change of state (not a Global admin, own request, same approver twice, not the requester or',
    'invitee) are not drawn.',
  ].join('\n');
}

function main(check: boolean): number {
  const readme = readFileSync(readmePath, 'utf8');
  if (check) {
    const stale = staleDiagrams(readme, diagramBlocks);
    for (const name of stale) {
      console.error(`README.md: the ${name} block is stale; run \`npm run diagrams\`.`);
    }
    return stale.length > 0 ? 1 : 0;
  }
  let next = readme;
  for (const [name, block] of Object.entries(diagramBlocks)) {
    next = replaceBetweenMarkers(next, name, block);
  }
  if (next !== readme) writeFileSync(readmePath, next);
  console.log(
    next === readme ? 'README.md diagrams are up to date.' : 'README.md diagrams written.',
  );
  return 0;
}

try {
  process.exitCode = main(process.argv.includes('--check'));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
