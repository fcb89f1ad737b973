import mongoose, { type Connection } from 'mongoose';

/** What answered on the other end of the connection, for logs and the test banner. */
export interface EngineInfo {
  name: 'MongoDB' | 'FerretDB';
  version: string;
}

/** Opens a dedicated mongoose connection (never the global one) to `uri`, database `dbName`. */
export async function connectMongo(uri: string, dbName?: string): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    ...(dbName ? { dbName } : {}),
    serverSelectionTimeoutMS: 10_000,
    autoIndex: true,
    // The driver's defaults, stated so a URI cannot turn them off: a write or read interrupted
    // by a change of primary is tried once more on the new one (README, the MongoDB it needs).
    retryWrites: true,
    retryReads: true,
  });
  await connection.asPromise();
  return connection;
}

/** Asks the server what it is: FerretDB announces itself in buildInfo. */
export async function describeEngine(connection: Connection): Promise<EngineInfo> {
  const db = connection.db;
  if (!db) throw new Error('connection has no database yet');
  const info = await db.admin().command({ buildInfo: 1 });
  const isFerret = Object.keys(info).some((key) => key.toLowerCase().includes('ferretdb'));
  return {
    name: isFerret ? 'FerretDB' : 'MongoDB',
    version: String(isFerret ? (info.ferretdbVersion ?? info.version) : info.version),
  };
}
