import { describe, expect, it } from 'vitest';
import { submitGrant } from '../../src/lifecycle/submit.ts';
import { useTestDatabase } from '../support/db.ts';
import { GLOBAL_ADMINS, salesTenantYaml } from '../support/sales-tenant.ts';
import { buildSystem, resetDatabase } from './support.ts';

const db = useTestDatabase('lifecycle/grant-held');

const GRACE = 'grace@contoso.example';
const LINUS = 'linus@contoso.example';
const ADA = 'ada@contoso.example';
const HOUR = 3_600_000;
const RETRIES = 1_000;

/** The stored request's size in BSON, as mongod measures it. */
async function storedSize(id: string): Promise<number> {
  const [row] = await db.connection
    .collection('requests')
    .aggregate<{ size: number }>([
      { $match: { _id: id } },
      { $project: { size: { $bsonSize: '$$ROOT' } } },
    ])
    .toArray();
  return row!.size;
}

/**
 * Ada's hour of Global admin, approved by Grace and Linus, who then lose the role: Ada is about
 * to be the last Global admin, so her grant's end will be held (A2).
 */
async function lastGlobalAdminsGrant() {
  await resetDatabase(db.connection);
  const b = await buildSystem(db.connection, {
    yaml: salesTenantYaml(3, [
      ...GLOBAL_ADMINS(),
      '{ email: ada@contoso.example, firstName: Ada, lastName: Lovelace, slackId: U0ADA }',
    ]),
    grantWarnings: [],
  });
  const { lifecycle, background } = b.system;
  const request = await submitGrant(lifecycle, ADA, ADA, {
    grant: 'admin_roles',
    adminRoles: ['Global admin'],
    durationMs: HOUR,
    justification: 'incident',
  });
  await lifecycle.act(request._id, GRACE, { type: 'approver.approved' });
  await lifecycle.act(request._id, LINUS, { type: 'approver.approved' });
  await background.idle();
  for (const email of [GRACE, LINUS]) {
    const account = await b.tenant.accountByEmail(email);
    await b.tenant.revokeAdminRole(account!._id, 'Global admin');
  }
  return { b, request };
}

describe('a revocation held by A2, tried again on its schedule', () => {
  it(`A2: ${RETRIES} refused tries leave the request's size bounded: the history shows the hold once, the tries are counted`, async () => {
    const { b, request } = await lastGlobalAdminsGrant();
    const { store, scheduler, background } = b.system;
    const tryAgain = async () => {
      b.clock.set(new Date((await store.get(request._id)).nextDeadlineAt!));
      await scheduler.sweep();
      await background.idle();
    };
    await tryAgain(); // the end: held
    const held = await store.get(request._id);
    expect(held.status).toBe('held');
    expect(held.context.heldTries).toBe(1);
    const history = held.history.map((h) => [h.from, h.to]);
    expect(history.at(-1)).toEqual(['ending', 'held']);
    const sizeHeld = await storedSize(request._id);

    for (let i = 0; i < RETRIES; i++) await tryAgain();
    const after = await store.get(request._id);
    expect(after.status).toBe('held');
    expect(after.history.map((h) => [h.from, h.to])).toEqual(history);
    expect(after.context.heldTries).toBe(RETRIES + 1);
    expect(after.context.heldLastTriedAt).toBe(b.clock.now().toISOString());
    expect(after.outbox).toEqual([]);
    expect(after.deadlines.map((d) => d.kind)).toEqual(['grantEnd']);
    // The counter's digits are all that may grow; the document stays a few kilobytes.
    expect(await storedSize(request._id)).toBeLessThanOrEqual(sizeHeld + 16);
    expect(await storedSize(request._id)).toBeLessThan(8 * 1024);
    // The Global admins were told once, at the start of the hold, not on every try.
    expect(b.notifier.grantNotices.filter((n) => n.notice.kind === 'held')).toHaveLength(1);
    expect(b.errors).toEqual([]);

    // Another Global admin again: the next try revokes, and the history shows the hold's end.
    const grace = await b.tenant.accountByEmail(GRACE);
    await b.tenant.grantAdminRole(grace!._id, 'Global admin');
    await tryAgain();
    const ended = await store.get(request._id);
    expect(ended.status).toBe('ended');
    expect(ended.history.map((h) => [h.from, h.to, h.event])).toEqual([
      ...history.map(([from, to], i) => [from, to, held.history[i]!.event]),
      ['held', 'ended', 'grant.revoked'],
    ]);
    expect((await b.tenant.accountByEmail(ADA))?.adminRoles).not.toContain('Global admin');
    expect(await b.system.audit.verify()).toMatchObject({ ok: true });
  }, 300_000);

  it('A2: the next try planned while the sweep that fired the end is still marking it is kept (not marked fired)', async () => {
    const { b, request } = await lastGlobalAdminsGrant();
    const { lifecycle, store, scheduler, background } = b.system;
    // The order a loaded machine can take: the hold's next try (a new grantEnd deadline) is
    // saved before the sweep marks the grantEnd it fired. The sweep's send waits for it here.
    const send = lifecycle.send.bind(lifecycle);
    lifecycle.send = async (id, event, options) => {
      const outcome = await send(id, event, options);
      if (event.type !== 'timer.grantEnded') return outcome;
      for (let i = 0; i < 500; i++) {
        const doc = await store.get(id);
        if (doc.status === 'held' && doc.deadlines.some((d) => !d.fired)) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return outcome;
    };
    const end = (await store.get(request._id)).nextDeadlineAt!;
    b.clock.set(new Date(end));
    await scheduler.sweep();
    await background.idle();

    const held = await store.get(request._id);
    expect(held.status).toBe('held');
    const [next] = held.deadlines;
    expect(held.deadlines).toHaveLength(1);
    expect(next).toMatchObject({ kind: 'grantEnd', fired: false });
    expect(new Date(next!.at).getTime()).toBeGreaterThan(new Date(end).getTime());
    expect(held.nextDeadlineAt).toEqual(new Date(next!.at));

    // …so the next try happens: another Global admin again, and it revokes.
    lifecycle.send = send;
    const grace = await b.tenant.accountByEmail(GRACE);
    await b.tenant.grantAdminRole(grace!._id, 'Global admin');
    b.clock.set(new Date(held.nextDeadlineAt!));
    await scheduler.sweep();
    await background.idle();
    expect((await store.get(request._id)).status).toBe('ended');
    expect(b.errors).toEqual([]);
  });
});
