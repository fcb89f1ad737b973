import { describe, expect, it } from 'vitest';
import { createEffects, hashToken } from '../../src/lifecycle/effects.ts';
import { submitOnboarding } from '../../src/lifecycle/submit.ts';
import { TenantPeople } from '../../src/lifecycle/tenant-directory.ts';
import { useTestDatabase } from '../support/db.ts';
import { verifyPassword } from '../support/passwords.ts';
import { buildSystem, DEADLINES, newHire } from './support.ts';

const db = useTestDatabase('lifecycle/onboarding-flow');

describe('an onboarding request from request to acceptance', () => {
  it('P1/P2/L4: approved → provisioned → invited holds a seat; accepting assigns it', async () => {
    const { system, tenant, notifier, errors } = await buildSystem(db.connection, { seats: 3 });
    const { lifecycle, store, background, audit } = system;
    const request = await submitOnboarding(lifecycle, 'ada@contoso.example', newHire(1));
    await background.idle();
    expect((await store.get(request._id)).status).toBe('requested.awaitingApproval');
    expect(notifier.count('notifyApprovers', request._id)).toBe(1);

    const approved = await lifecycle.act(request._id, 'grace@contoso.example', {
      type: 'approver.approved',
    });
    expect(approved.kind).toBe('transitioned');
    await background.idle();

    const invited = await store.get(request._id);
    expect({ status: invited.status, errors }).toEqual({ status: 'invited', errors: [] });
    expect(invited.context.upn).toBe('katherine.johnson1@contoso.example');
    expect(invited.invitation?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await tenant.seatSummary('D365_SALES')).toMatchObject({ held: 1, assigned: 0, free: 2 });
    expect(notifier.invitations).toHaveLength(1);

    const accepted = await lifecycle.act(request._id, 'katherine1@example.org', {
      type: 'invitee.accepted',
    });
    expect(accepted.kind).toBe('transitioned');
    await background.idle();
    expect((await store.get(request._id)).status).toBe('accepted');
    expect(await tenant.seatSummary('D365_SALES')).toMatchObject({ held: 0, assigned: 1, free: 2 });
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it('refuses a decision by a non-admin and by the requester, changing nothing', async () => {
    const { system } = await buildSystem(db.connection, { seats: 3 });
    const { lifecycle, store, background, audit } = system;
    const request = await submitOnboarding(lifecycle, 'grace@contoso.example', newHire(2));
    const byEmployee = await lifecycle.act(request._id, 'ada@contoso.example', {
      type: 'approver.approved',
    });
    expect(byEmployee).toMatchObject({ kind: 'refused', reason: 'not_global_admin' });
    const byRequester = await lifecycle.act(request._id, 'grace@contoso.example', {
      type: 'approver.approved',
    });
    expect(byRequester).toMatchObject({ kind: 'refused', reason: 'own_request' });
    await background.idle();
    expect((await store.get(request._id)).status).toBe('requested.awaitingApproval');
    const trail = await audit.forRequest(request._id);
    expect(trail.filter((e) => e.action.startsWith('refused:'))).toHaveLength(2);
  });
});

describe('an invitation accepted too late', () => {
  it('L4: accepting after the invitation expired is refused, even before the sweep ran', async () => {
    const { system, tenant, clock } = await buildSystem(db.connection, { seats: 3 });
    const { lifecycle, store, background } = system;
    const request = await submitOnboarding(lifecycle, 'ada@contoso.example', newHire(9));
    await lifecycle.act(request._id, 'grace@contoso.example', { type: 'approver.approved' });
    await background.idle();
    expect((await store.get(request._id)).status).toBe('invited');

    clock.advance(14 * 86_400_000 + 1000);
    const late = await lifecycle.act(request._id, 'katherine9@example.org', {
      type: 'invitee.accepted',
    });
    expect(late).toMatchObject({ kind: 'refused', reason: 'invitation_expired' });
    await background.idle();
    expect((await store.get(request._id)).status).toBe('invited');

    await system.scheduler.sweep();
    await background.idle();
    expect((await store.get(request._id)).status).toBe('expired');
    expect(await tenant.seatHolder('D365_SALES', request._id)).toBeUndefined();
  });
});

describe('a failed onboarding', () => {
  it('P1/L1: takes back what it gave the account it created and releases the seat', async () => {
    const { system, tenant } = await buildSystem(db.connection, { seats: 3 });
    const { lifecycle, store, background } = system;
    // A role of another business unit (S3) fails the environment step, after the account exists.
    const request = await submitOnboarding(
      lifecycle,
      'ada@contoso.example',
      newHire(10, { securityRoles: ['Basic User'], adminRoles: ['Billing admin'] }),
    );
    await lifecycle.act(request._id, 'grace@contoso.example', { type: 'approver.approved' });
    await background.idle();
    const failed = await store.get(request._id);
    expect(failed.status).toBe('failed');
    expect(failed.failure?.undone).toEqual(
      expect.arrayContaining([
        'revoked Billing admin',
        'blocked sign-in of the account it created',
      ]),
    );
    const account = await tenant.accountByEmail('katherine10@example.org');
    expect(account).toMatchObject({ signInAllowed: false, adminRoles: [] });
    expect(await tenant.seatHolder('D365_SALES', request._id)).toBeUndefined();
  });
});

describe('a late second run of the invitation', () => {
  it('T2/L4: after the request is invited, the link and password it delivers are the ones that work', async () => {
    const { system, tenant, notifier, clock } = await buildSystem(db.connection, { seats: 3 });
    const { lifecycle, store, background } = system;
    const request = await submitOnboarding(lifecycle, 'ada@contoso.example', newHire('late'));
    await lifecycle.act(request._id, 'grace@contoso.example', { type: 'approver.approved' });
    await background.idle();
    const invited = await store.get(request._id);
    expect(invited.status).toBe('invited');

    // A runner that took the item over after its lease passed delivers a second invitation.
    const effects = createEffects({
      lifecycle,
      store,
      clock,
      directory: system.directory,
      notifier,
      people: new TenantPeople(tenant),
      seats: system.seats,
      invitationTtl: DEADLINES.invitationTtl,
      publicUrl: 'http://localhost:3000',
      grants: system.grants,
      grantWarnings: [],
    });
    const item = {
      key: 'issueInvitation:late',
      effect: 'issueInvitation',
      status: 'pending' as const,
      attempts: 1,
    };
    await effects.issueInvitation!(invited, item, [item.key]);
    await background.idle();

    const sent = notifier.invitations.filter((i) => i.requestId === request._id);
    expect(sent).toHaveLength(2);
    const token = sent[1]!.delivery.acceptUrl.split('/').pop()!;
    const after = await store.get(request._id);
    expect(after.status).toBe('invited');
    expect(after.invitation?.tokenHash).toBe(hashToken(token));
    // L4: the second delivery keeps the first one's expiry.
    expect(sent[1]!.delivery.expiresAt).toEqual(sent[0]!.delivery.expiresAt);
    const account = await tenant.models.Account.findById(after.context.accountId).lean();
    expect(await verifyPassword(sent[1]!.delivery.temporaryPassword, account!.passwordHash!)).toBe(
      true,
    );
  });
});
