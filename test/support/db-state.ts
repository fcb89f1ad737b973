import type { Connection } from 'mongoose';

/** Collections a refused attempt may write to: the audit trail and its head. */
const AUDIT = new Set(['audit', 'audit_head']);

/** The database's content, collection by collection (mongod's own dbHash), less the audit trail. */
export async function contentHash(connection: Connection): Promise<Record<string, string>> {
  const result = await connection.db!.command({ dbHash: 1 });
  const hashes = result.collections as Record<string, string>;
  return Object.fromEntries(Object.entries(hashes).filter(([name]) => !AUDIT.has(name)));
}

/** The highest audit sequence number written so far (0 when none). */
export async function auditSeq(connection: Connection): Promise<number> {
  const last = await connection.db!.collection('audit').findOne({}, { sort: { seq: -1 } });
  return (last?.seq as number | undefined) ?? 0;
}

/** Audit entries written after `seq` that record something other than a refused attempt. */
export async function nonRefusalsSince(connection: Connection, seq: number): Promise<unknown[]> {
  return connection
    .db!.collection('audit')
    .find({ seq: { $gt: seq }, action: { $not: /^refused:/ } })
    .toArray();
}
