import { describe, expect, it } from 'vitest';
import { describeEngine } from '../../src/db/connect.ts';
import { useTestDatabase } from '../support/db.ts';

const db = useTestDatabase('db/engine');

describe('the test database', () => {
  it('is a real server that stores and reads back documents', async () => {
    const engine = await describeEngine(db.connection);
    expect(engine.version).toMatch(/^\d+\.\d+/);
    const things = db.connection.collection('things');
    await things.insertOne({ _id: 'a' as never, n: 1 });
    await things.updateOne({ _id: 'a' as never }, { $inc: { n: 1 } });
    expect(await things.findOne({ _id: 'a' as never })).toEqual({ _id: 'a', n: 2 });
  });

  it('is a replica set member, as every production MongoDB is (retryable writes need one)', async () => {
    const hello = await db.connection.db!.admin().command({ hello: 1 });
    expect(hello.setName).toEqual(expect.any(String));
    expect(hello.isWritablePrimary).toBe(true);
  });

  it('enforces unique indexes, which idempotency relies on', async () => {
    const things = db.connection.collection('unique_things');
    await things.createIndex({ key: 1 }, { unique: true });
    await things.insertOne({ key: 'k' });
    await expect(things.insertOne({ key: 'k' })).rejects.toMatchObject({ code: 11000 });
  });
});
