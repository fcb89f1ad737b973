import { createHash } from 'node:crypto';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, inject } from 'vitest';
import { connectMongo } from '../../src/db/connect.ts';

/**
 * Gives the calling test file a database of its own on the run's real mongod, dropped at the end.
 * Call at the top level of a test file; read `.connection` inside tests.
 */
export function useTestDatabase(label = new Error().stack?.split('\n')[2] ?? 'test') {
  const dbName = `t_${createHash('sha1').update(label).digest('hex').slice(0, 16)}`;
  const handle = {
    connection: undefined as unknown as Connection,
    uri: '',
    dbName,
  };
  beforeAll(async () => {
    handle.uri = inject('mongoUri');
    handle.connection = await connectMongo(handle.uri, dbName);
    await handle.connection.dropDatabase();
  });
  afterAll(async () => {
    await handle.connection?.dropDatabase();
    await handle.connection?.close();
  });
  return handle;
}
