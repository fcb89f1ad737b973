import { describe, expect, it } from 'vitest';
import { submitOnboarding, submitRoleChange } from '../../src/lifecycle/submit.ts';
import { useTestDatabase } from '../support/db.ts';
import { buildSystem, newHire } from './support.ts';

const db = useTestDatabase('lifecycle/decisions');

const GRACE = 'grace@contoso.example';
const LINUS = 'linus@contoso.example';
const ADA = 'ada@contoso.example';
const approve = { type: 'approver.approved' };
/** Every test shares the file's tenant; plenty of seats so none waits for one. */
const build = () => buildSystem(db.connection, { seats: 50 });

describe('two Global admins deciding the same request', () => {
  it('A2: both approve at once: one transition wins, the other is told who decided', async () => {
    const { system } = await build();
    const { lifecycle, store, background, audit } = system;
    // Ten requests, each approved by Grace and Linus at the same moment.
    const requests = await Promise.all(
      Array.from({ length: 10 }, (_, i) => submitOnboarding(lifecycle, ADA, newHire(100 + i))),
    );
    await background.idle();
    const pairs = await Promise.all(
      requests.map((r) =>
        Promise.all([lifecycle.act(r._id, GRACE, approve), lifecycle.act(r._id, LINUS, approve)]),
      ),
    );
    await background.idle();

    for (const [index, outcomes] of pairs.entries()) {
      const id = requests[index]!._id;
      expect(outcomes.map((o) => o.kind).sort()).toEqual(['ignored', 'transitioned']);
      const winner = outcomes.findIndex((o) => o.kind === 'transitioned');
      const loser = outcomes[1 - winner]!;
      const winnerEmail = [GRACE, LINUS][winner];
      expect(loser).toMatchObject({ kind: 'ignored', reason: 'already_decided' });
      // The loser's outcome carries the stored request, so it can be told who decided.
      expect(loser.request.context.decidedBy).toBe(winnerEmail);

      const stored = await store.get(id);
      expect(stored.status).toBe('invited');
      expect(stored.context.decidedBy).toBe(winnerEmail);
      expect(stored.context.approvals).toEqual([{ by: winnerEmail }]);
      expect(stored.history.filter((h) => h.event === 'approver.approved')).toHaveLength(1);
      const trail = await audit.forRequest(id);
      expect(trail.filter((e) => e.action === 'approver.approved')).toEqual([
        expect.objectContaining({ actor: winnerEmail, from: 'requested.awaitingApproval' }),
      ]);
      expect(trail.filter((e) => e.action === 'refused:approver.approved')).toEqual([
        expect.objectContaining({ actor: [LINUS, GRACE][winner], reason: 'already decided' }),
      ]);
    }
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it('A2: an approval racing a denial: exactly one decision is stored', async () => {
    const { system } = await build();
    const { lifecycle, store, background } = system;
    const request = await submitOnboarding(lifecycle, ADA, newHire(2));
    const outcomes = await Promise.all([
      lifecycle.act(request._id, GRACE, approve),
      lifecycle.act(request._id, LINUS, { type: 'approver.denied', reason: 'budget' }),
    ]);
    await background.idle();
    expect(outcomes.filter((o) => o.kind === 'transitioned')).toHaveLength(1);
    const stored = await store.get(request._id);
    const decider = outcomes[0]!.kind === 'transitioned' ? GRACE : LINUS;
    expect(stored.context.decidedBy).toBe(decider);
    expect(stored.status).toBe(decider === GRACE ? 'invited' : 'denied');
  });
});

describe('refused attempts change nothing and are audited', () => {
  it('A2: a person who is not a Global admin cannot approve or deny', async () => {
    const { system } = await build();
    const { lifecycle, store, background, audit } = system;
    const request = await submitOnboarding(lifecycle, GRACE, newHire(3));
    await background.idle();
    const before = await store.get(request._id);

    expect(await lifecycle.act(request._id, ADA, approve)).toMatchObject({
      kind: 'refused',
      reason: 'not_global_admin',
    });
    expect(
      await lifecycle.act(request._id, ADA, { type: 'approver.denied', reason: 'no' }),
    ).toMatchObject({ kind: 'refused', reason: 'not_global_admin' });
    await background.idle();

    const after = await store.get(request._id);
    expect(after).toMatchObject({ status: 'requested.awaitingApproval', version: before.version });
    const refused = (await audit.forRequest(request._id)).filter((e) =>
      e.action.startsWith('refused:'),
    );
    expect(refused.map((e) => [e.actor, e.action, e.reason])).toEqual([
      [ADA, 'refused:approver.approved', 'not_global_admin'],
      [ADA, 'refused:approver.denied', 'not_global_admin'],
    ]);
  });

  it('A2: the role is read at the click: a Global admin demoted after the card was posted is refused', async () => {
    const { system, tenant } = await build();
    const { lifecycle, store, background } = system;
    const request = await submitOnboarding(lifecycle, ADA, newHire(4));
    await background.idle();
    const linus = await tenant.accountByEmail(LINUS);
    await tenant.grantAdminRole((await tenant.accountByEmail(ADA))!._id, 'Global admin');
    await tenant.revokeAdminRole(linus!._id, 'Global admin');

    expect(await lifecycle.act(request._id, LINUS, approve)).toMatchObject({
      kind: 'refused',
      reason: 'not_global_admin',
    });
    expect((await store.get(request._id)).status).toBe('requested.awaitingApproval');
    // The tenant file does not restore runtime role changes: put the admins back for later tests.
    await tenant.grantAdminRole(linus!._id, 'Global admin');
    await tenant.revokeAdminRole((await tenant.accountByEmail(ADA))!._id, 'Global admin');
  });

  it('a Global admin cannot decide their own request, nor one about themselves', async () => {
    const { system } = await build();
    const { lifecycle, store, background, audit } = system;
    const own = await submitOnboarding(lifecycle, GRACE, newHire(5));
    expect(await lifecycle.act(own._id, GRACE, approve)).toMatchObject({
      kind: 'refused',
      reason: 'own_request',
    });
    const aboutLinus = await submitRoleChange(lifecycle, ADA, LINUS, {
      change: 'admin_roles_grant',
      adminRoles: ['Billing admin'],
      justification: 'invoices',
    });
    expect(
      await lifecycle.act(aboutLinus._id, LINUS, { type: 'approver.denied', reason: 'x' }),
    ).toMatchObject({ kind: 'refused', reason: 'own_request' });
    await background.idle();
    expect((await store.get(own._id)).status).toBe('requested.awaitingApproval');
    expect((await store.get(aboutLinus._id)).status).toBe('requested.awaitingApproval');
    const audited = [
      ...(await audit.forRequest(own._id)),
      ...(await audit.forRequest(aboutLinus._id)),
    ].filter((e) => e.reason === 'own_request');
    expect(audited.map((e) => e.actor)).toEqual([GRACE, LINUS]);
  });

  it('A2: granting Global admin takes two distinct Global admins; the same one twice is refused', async () => {
    const { system, tenant } = await build();
    const { lifecycle, store, background, audit } = system;
    const request = await submitOnboarding(
      lifecycle,
      ADA,
      newHire(6, { adminRoles: ['Global admin'] }),
    );

    const first = await lifecycle.act(request._id, GRACE, approve);
    expect(first).toMatchObject({ kind: 'transitioned', to: 'requested.awaitingSecondApproval' });
    const again = await lifecycle.act(request._id, GRACE, approve);
    expect(again).toMatchObject({ kind: 'refused', reason: 'same_approver_twice' });
    await background.idle();
    const waiting = await store.get(request._id);
    expect(waiting.status).toBe('requested.awaitingSecondApproval');
    expect(waiting.context.approvals).toEqual([{ by: GRACE }]);
    expect(waiting.context.decidedBy).toBeUndefined();

    const second = await lifecycle.act(request._id, LINUS, approve);
    expect(second).toMatchObject({ kind: 'transitioned', to: 'approved.waitingForSeat' });
    await background.idle();
    const invited = await store.get(request._id);
    expect(invited.status).toBe('invited');
    expect(invited.context.approvals).toEqual([{ by: GRACE }, { by: LINUS }]);
    expect(invited.context.decidedBy).toBe(LINUS);
    const account = await tenant.accountByEmail(newHire(6).email);
    expect(account?.adminRoles).toContain('Global admin');

    const trail = await audit.forRequest(request._id);
    expect(trail.filter((e) => e.reason === 'same_approver_twice')).toEqual([
      expect.objectContaining({ actor: GRACE, action: 'refused:approver.approved' }),
    ]);
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it('only the requester cancels and only the invitee accepts', async () => {
    const { system } = await build();
    const { lifecycle, store, background, audit } = system;
    const request = await submitOnboarding(lifecycle, ADA, newHire(7));
    expect(await lifecycle.act(request._id, GRACE, { type: 'requester.cancelled' })).toMatchObject({
      kind: 'refused',
      reason: 'not_requester',
    });
    await lifecycle.act(request._id, GRACE, approve);
    await background.idle();
    expect(await lifecycle.act(request._id, ADA, { type: 'invitee.accepted' })).toMatchObject({
      kind: 'refused',
      reason: 'not_invitee',
    });
    const reasons = (await audit.forRequest(request._id))
      .filter((e) => e.action.startsWith('refused:'))
      .map((e) => e.reason);
    expect(reasons).toEqual(['not_requester', 'not_invitee']);
    expect((await store.get(request._id)).status).toBe('invited');
  });
});

describe('writes to one request in one process', () => {
  it('are queued, not raced: an approval right after submitting loses no compare-and-set to the effects', async () => {
    const { system } = await build();
    const { lifecycle, store, background } = system;
    const cas = store.compareAndSet.bind(store);
    let lost = 0;
    let won = 0;
    store.compareAndSet = async (...args) => {
      const saved = await cas(...args);
      if (saved) won++;
      else lost++;
      return saved;
    };
    // Approve each request the moment it exists, while its first effects are still settling.
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const request = await submitOnboarding(lifecycle, ADA, newHire(300 + i));
        return lifecycle.act(request._id, GRACE, approve);
      }),
    );
    await background.idle();
    expect(outcomes.map((o) => o.kind)).toEqual(Array(10).fill('transitioned'));
    expect(won).toBeGreaterThan(10 * 5);
    expect(lost).toBe(0);
  });
});
