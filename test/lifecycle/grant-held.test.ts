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

describe('a revocation held by A2, tried again on its schedule', () => {
  it(`A2: ${RETRIES} refused tries leave the request's size bounded: the history shows the hold once, the tries are counted`, async () => {
    await resetDatabase(db.connection);
    const b = await buildSystem(db.connection, {
      yaml: salesTenantYaml(3, [
        ...GLOBAL_ADMINS(),
        '{ email: ada@contoso.example, firstName: Ada, lastName: Lovelace, slackId: U0ADA }',
      ]),
      grantWarnings: [],
    });
    const { lifecycle, store, scheduler, background } = b.system;
    const request = await submitGrant(lifecycle, ADA, ADA, {
      grant: 'admin_roles',
      adminRoles: ['Global admin'],
      durationMs: HOUR,
      justification: 'incident',
    });
    await lifecycle.act(request._id, GRACE, { type: 'approver.approved' });
    await lifecycle.act(request._id, LINUS, { type: 'approver.approved' });
    await background.idle();
    // Ada is about to be the last Global admin: her grant's end is held (A2).
    for (const email of [GRACE, LINUS]) {
      const account = await b.tenant.accountByEmail(email);
      await b.tenant.revokeAdminRole(account!._id, 'Global admin');
    }
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
});
