import { mkdir } from 'node:fs/promises';
import { MongoMemoryServer } from 'mongodb-memory-server';
import { type ResolvedBinary, resolveMongodBinary } from './mongod-binary.ts';

/** A mongod this process started; `stop()` ends it (and keeps data when it has a dbPath). */
export interface EmbeddedMongo {
  uri: string;
  binary: ResolvedBinary;
  stop(): Promise<void>;
}

/**
 * Starts a real mongod with mongodb-memory-server. With `dbPath` the data survives restarts
 * (`npm start`); without it the data is thrown away (tests).
 */
export async function startEmbeddedMongo(
  options: { dbPath?: string } = {},
): Promise<EmbeddedMongo> {
  const binary = await resolveMongodBinary();
  if (options.dbPath) await mkdir(options.dbPath, { recursive: true });
  const server = await MongoMemoryServer.create({
    binary: { systemBinary: binary.path, version: binary.version },
    instance: {
      // mongodb-memory-server picks ephemeralForTest below 7.0, which mongod 6 rejects.
      storageEngine: 'wiredTiger',
      ip: '127.0.0.1',
      ...(options.dbPath ? { dbPath: options.dbPath } : {}),
    },
  });
  return {
    uri: server.getUri(),
    binary,
    stop: async () => {
      await server.stop({ doCleanup: !options.dbPath, force: false });
    },
  };
}
