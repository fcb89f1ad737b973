import type { TestProject } from 'vitest/node';
import { connectMongo, describeEngine } from '../../src/db/connect.ts';
import { startEmbeddedReplSet } from '../../src/db/embedded.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

/**
 * A one-member replica set of real mongods for the whole run, as production runs on (or
 * $MONGODB_URI); each test file takes its own database.
 */
export default async function setup(project: TestProject) {
  let uri = process.env.MONGODB_URI;
  let stop = async () => {};
  let origin = 'MONGODB_URI';
  if (!uri) {
    const embedded = await startEmbeddedReplSet(1);
    uri = embedded.uri;
    stop = embedded.stop;
    origin = `embedded one-member replica set, mongod from ${embedded.binary.source} (${embedded.binary.path})`;
  }
  const probe = await connectMongo(uri);
  const engine = await describeEngine(probe);
  await probe.close();
  console.log(`[accessdesk tests] database engine: ${engine.name} ${engine.version} — ${origin}`);
  console.log(`[accessdesk tests] node ${process.version} — ${process.execPath}`);
  project.provide('mongoUri', uri);
  return stop;
}
