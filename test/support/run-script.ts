import { spawn } from 'node:child_process';

/** Runs a `scripts/` file under tsx against database `dbName` of `uri`; its output, both streams. */
export function runScript(
  script: string,
  db: { uri: string; dbName: string },
  args: string[],
): Promise<{ code: number | null; out: string }> {
  const uri = new URL(db.uri);
  uri.pathname = `/${db.dbName}`;
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, MONGODB_URI: uri.toString() },
  });
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  child.stderr.on('data', (c) => {
    out += c;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}
