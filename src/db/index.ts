import type { Connection } from 'mongoose';
import { connectMongo, describeEngine, type EngineInfo } from './connect.ts';
import { startEmbeddedMongo } from './embedded.ts';

export { connectMongo, describeEngine, type EngineInfo } from './connect.ts';

/** An open database and how to close it (and the embedded mongod, when we started one). */
export interface Database {
  connection: Connection;
  engine: EngineInfo;
  /** `MONGODB_URI` or `embedded mongod <version> (<binary source>)`. */
  origin: string;
  close(): Promise<void>;
}

/** Connects to `uri` when given; otherwise starts an embedded mongod (persistent with `dataDir`). */
export async function openDatabase(options: {
  uri?: string | undefined;
  dataDir?: string | undefined;
  dbName?: string | undefined;
}): Promise<Database> {
  if (options.uri) {
    const connection = await connectMongo(options.uri, options.dbName);
    return {
      connection,
      engine: await describeEngine(connection),
      origin: 'MONGODB_URI',
      close: () => connection.close(),
    };
  }
  const embedded = await startEmbeddedMongo(options.dataDir ? { dbPath: options.dataDir } : {});
  const connection = await connectMongo(embedded.uri, options.dbName ?? 'accessdesk');
  return {
    connection,
    engine: await describeEngine(connection),
    origin: `embedded mongod (${embedded.binary.source}: ${embedded.binary.path})`,
    close: async () => {
      await connection.close();
      await embedded.stop();
    },
  };
}
