import { mkdir } from 'node:fs/promises';
import { MongoMemoryReplSet, MongoMemoryServer } from 'mongodb-memory-server';
import { type ResolvedBinary, resolveMongodBinary } from './mongod-binary.ts';

/** A mongod this process started; `stop()` ends it (and keeps data when it has a dbPath). */
export interface EmbeddedMongo {
  uri: string;
  binary: ResolvedBinary;
  stop(): Promise<void>;
}

/** A replica set this process started (tests): its members can be stepped down or stopped. */
export interface EmbeddedReplSet extends EmbeddedMongo {
  replSet: MongoMemoryReplSet;
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

/**
 * Starts a throw-away replica set of `members` real mongods (same binary as above), as production
 * MongoDB always is: the test suite runs on one member, the failover test on three. With
 * `testCommands` the members accept fail points (`configureFailPoint`), for tests only.
 */
export async function startEmbeddedReplSet(
  members = 1,
  { testCommands = false } = {},
): Promise<EmbeddedReplSet> {
  const binary = await resolveMongodBinary();
  const replSet = await MongoMemoryReplSet.create({
    binary: { systemBinary: binary.path, version: binary.version },
    replSet: {
      count: members,
      storageEngine: 'wiredTiger',
      ip: '127.0.0.1',
      ...(testCommands ? { args: ['--setParameter', 'enableTestCommands=1'] } : {}),
      // Elections within a few seconds on a loaded machine, not the 10 s default.
      configSettings: { electionTimeoutMillis: 2000, heartbeatIntervalMillis: 500 },
    },
  });
  await replSet.waitUntilRunning();
  return {
    uri: replSet.getUri(),
    binary,
    replSet,
    stop: async () => {
      // Each member is stopped with a `shutdown` command, whose connection closes under it;
      // mongodb-memory-server means to ignore that MongoNetworkError, but its filter expects
      // another wording of the message, so it prints it. Nothing else is silenced.
      const warn = console.warn;
      console.warn = (...args: unknown[]) => {
        if ((args[0] as Error | undefined)?.name !== 'MongoNetworkError') warn(...args);
      };
      try {
        await replSet.stop({ doCleanup: true, force: false });
      } finally {
        console.warn = warn;
      }
    },
  };
}
