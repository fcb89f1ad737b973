/**
 * Writes the lifecycle diagrams (from the machines) and the rule table (from the rule registry)
 * into README.md (`npm run diagrams`); with `--check`, writes nothing and exits 1 naming every
 * stale block.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { replaceBetweenMarkers, staleDiagrams } from './mermaid.ts';
import { readmeBlocks } from './readme-blocks.ts';

const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));

function main(check: boolean): number {
  const readme = readFileSync(readmePath, 'utf8');
  if (check) {
    const stale = staleDiagrams(readme, readmeBlocks);
    for (const name of stale) {
      console.error(`README.md: the ${name} block is stale; run \`npm run diagrams\`.`);
    }
    return stale.length > 0 ? 1 : 0;
  }
  let next = readme;
  for (const [name, block] of Object.entries(readmeBlocks)) {
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
