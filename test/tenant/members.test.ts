import { mongo } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { NonInteractivePlaces } from '../../src/tenant/non-interactive.service.ts';
import { rawOf } from '../../src/tenant/tenant.model.ts';
import { TenantService } from '../../src/tenant/tenant.service.ts';
import { onboard, smallConfig, useTenant } from './helpers.ts';

const t = useTenant('tenant/members');
const SALES = { _id: 'sales-prod', name: 'Sales (production)' };

async function setup(limit = 7, seats = 10) {
  const config = smallConfig();
  config.environments.find((e) => e.id === 'sales-prod')!.nonInteractiveLimit = limit;
  config.skus.find((s) => s.id === 'D365_SALES')!.seats = seats;
  await t.service.applyConfig(config);
}

const sizeOf = async (collection: 'environments' | 'groups', id: string) => {
  const doc = await t.db.connection.db!.collection(collection).findOne({ _id: id as never });
  return mongo.BSON.calculateObjectSize(doc!);
};

describe('members, one document each', () => {
  it('M3/E4: 300 non-interactive places and 300 group members leave the environment and group documents as small as before', async () => {
    await setup(1000);
    const envBefore = await sizeOf('environments', 'sales-prod');
    const groupBefore = await sizeOf('groups', 'sg-sales-prod');
    const places = new NonInteractivePlaces(t.service.models, t.clock);
    for (let i = 0; i < 300; i++) {
      await places.take(SALES, `acc-${i}`);
      await t.service.addToGroup('sg-sales-prod', `acc-${i}`);
    }
    expect(await sizeOf('environments', 'sales-prod')).toBe(envBefore);
    expect(await sizeOf('groups', 'sg-sales-prod')).toBe(groupBefore);
    expect(await rawOf(t.service.models.NonInteractivePlace).countDocuments()).toBe(300);
    expect(await rawOf(t.service.models.GroupMember).countDocuments()).toBe(300);
    const env = await rawOf(t.service.models.Environment).findOne({ _id: 'sales-prod' });
    expect(env).toMatchObject({ nonInteractiveFree: 700, nonInteractiveInflight: [] });
    expect((await t.service.enablement('sales-prod', 'acc-7')).reasons).not.toContain(
      'E1: not a direct member of security group sg-sales-prod',
    );
  });

  it('M3: ten takes of the same account at once take one place; a release gives it back once', async () => {
    await setup(3);
    const places = new NonInteractivePlaces(t.service.models, t.clock);
    await Promise.all(Array.from({ length: 10 }, () => places.take(SALES, 'acc-same')));
    const env = () => rawOf(t.service.models.Environment).findOne({ _id: 'sales-prod' });
    expect(await env()).toMatchObject({ nonInteractiveFree: 2, nonInteractiveInflight: [] });
    const released = await Promise.all(
      Array.from({ length: 5 }, () => places.release('sales-prod', 'acc-same')),
    );
    expect(released.filter(Boolean)).toHaveLength(1);
    expect(await env()).toMatchObject({ nonInteractiveFree: 3, nonInteractiveInflight: [] });
    expect(await places.verify()).toEqual([]);
  });

  it('M3: 40 takes at once against 5 free places leave exactly 5 taken', async () => {
    await setup(5);
    const places = new NonInteractivePlaces(t.service.models, t.clock);
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => places.take(SALES, `acc-${i}`)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({
        code: ErrorCode.NonInteractiveLimit,
        rule: 'M3',
      });
    }
    expect(await places.holders('sales-prod')).toHaveLength(5);
    expect(await places.verify()).toEqual([]);
  });

  for (const step of ['take:counter', 'take:place', 'release:lock', 'release:place']) {
    it(`M3: a crash after ${step}, then recovery, leaves the counter exact`, async () => {
      await setup(2);
      const a = await onboard(t.service, 'Bot', 'Crash');
      if (step.startsWith('release')) {
        await t.service.setAccessMode('sales-prod', a._id, 'non_interactive');
      }
      const crashing = new TenantService(t.db.connection, t.clock, {
        places: {
          afterWrite: (s) => {
            if (s === step) throw new Error(`crash after ${s}`);
          },
        },
      });
      const mode = step.startsWith('take') ? 'non_interactive' : 'read_write';
      await expect(crashing.setAccessMode('sales-prod', a._id, mode)).rejects.toThrow(/crash/);
      expect(await t.service.verifyNonInteractive()).toHaveLength(1); // the entry in flight
      expect(await t.service.recoverNonInteractive(0)).toBe(1);
      expect(await t.service.verifyNonInteractive()).toEqual([]);
      // Rolled forward: the take holds its place, the release gave it back.
      const holders = await t.service.nonInteractiveHolders('sales-prod');
      expect(holders).toEqual(step.startsWith('take') ? [a._id] : []);
      // Retrying the operation finishes it without counting twice.
      await t.service.setAccessMode('sales-prod', a._id, mode);
      expect(await t.service.verifyNonInteractive()).toEqual([]);
      const env = await rawOf(t.service.models.Environment).findOne({ _id: 'sales-prod' });
      expect(env!.nonInteractiveFree).toBe(step.startsWith('take') ? 1 : 2);
    });
  }

  it('M3: a take meeting the stale entry of a stopped take of the same account finishes it first', async () => {
    await setup(2);
    const crash = () => {
      throw new Error('crash');
    };
    const stopped = new NonInteractivePlaces(t.service.models, t.clock, {
      leaseMs: 50,
      afterWrite: crash,
    });
    await expect(stopped.take(SALES, 'acc-1')).rejects.toThrow('crash');
    await new Promise((resolve) => setTimeout(resolve, 60));
    const places = new NonInteractivePlaces(t.service.models, t.clock, { leaseMs: 50 });
    await places.take(SALES, 'acc-1');
    await places.take(SALES, 'acc-2');
    expect(await places.holders('sales-prod')).toEqual(['acc-1', 'acc-2']);
    expect(await places.verify()).toEqual([]);
    await expect(places.take(SALES, 'acc-3')).rejects.toMatchObject({ rule: 'M3' });
  });

  it('E4/M3: arrays of the first model are moved to documents when the tenant file is applied', async () => {
    await setup(7);
    await rawOf(t.service.models.Group).updateOne(
      { _id: 'sg-sales-prod' },
      { $set: { members: ['acc-old-1', 'acc-old-2'] } },
    );
    await rawOf(t.service.models.Environment).updateOne(
      { _id: 'sales-prod' },
      { $set: { nonInteractive: ['acc-old-1'], nonInteractiveFree: 6 } },
    );
    await setup(7);
    await setup(7); // idempotent
    expect(await t.service.groupsOf('acc-old-2')).toEqual(['sg-sales-prod']);
    expect(await t.service.nonInteractiveHolders('sales-prod')).toEqual(['acc-old-1']);
    const group = await rawOf(t.service.models.Group).findOne({ _id: 'sg-sales-prod' });
    expect(group).not.toHaveProperty('members');
    expect(await t.service.verifyNonInteractive()).toEqual([]);
  });
});
