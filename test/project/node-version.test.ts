import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The Node LTS line accessdesk runs on; the `node` package in package.json brings it. */
const SUPPORTED_MAJOR = 24;

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const major = (version: string) => Number(/(\d+)/.exec(version)?.[1]);

describe('the Node that runs accessdesk', () => {
  it(`npm start, the tests and CI run on a supported Node LTS (Node ${SUPPORTED_MAJOR})`, () => {
    expect(major(process.versions.node)).toBe(SUPPORTED_MAJOR);
    expect(process.release.lts, 'an LTS release has a codename').toEqual(expect.any(String));
    // npm puts node_modules/.bin first on PATH, so the project's binary, not the system's.
    expect(realpathSync(process.execPath)).toBe(realpathSync('node_modules/.bin/node'));
  });

  it('is the one `npm start` runs through tsx', () => {
    const tsx = spawnSync('npm', ['exec', '--', 'tsx', '-e', 'console.log(process.version)'], {
      encoding: 'utf8',
    });
    expect(tsx.stdout.trim()).toBe(process.version);
  });

  it('matches what package.json promises: engines, the node package and @types/node', () => {
    expect(major(pkg.engines.node)).toBe(SUPPORTED_MAJOR);
    expect(major(pkg.dependencies.node!)).toBe(SUPPORTED_MAJOR);
    expect(major(pkg.devDependencies['@types/node']!)).toBe(SUPPORTED_MAJOR);
  });
});
