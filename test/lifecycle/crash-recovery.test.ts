import { describe, expect, it } from 'vitest';
import { hashToken } from '../../src/lifecycle/effects.ts';
import type { Directory } from '../../src/lifecycle/ports.ts';
import { submitOnboarding } from '../../src/lifecycle/submit.ts';
import { useTestDatabase } from '../support/db.ts';
import {
  crashingDirectory,
  type DirectoryMethod,
  recordingDirectory,
  stepByStep,
} from './directories.ts';
import { buildSystem, newHire, resetDatabase } from './support.ts';

const db = useTestDatabase('lifecycle/crash-recovery');

const SKU = 'D365_SALES';
const ADA = 'ada@contoso.example';
const LEASE_MS = 60_000;
/** An admin role that is not Global admin: one approval, and the grantAdminRoles step runs. */
const hire = (n: string) => newHire(n, { adminRoles: ['Billing admin'] });

/** The writing steps from approval to `invited`, in order (P1 then P2), for either path. */
const stepsWith = (environment: DirectoryMethod[]): DirectoryMethod[] => [
  'holdSeat', // the seat queue takes a seat for the request (L3)
  'createAccount', // T1
  'bindSeat', // the held seat goes to the new account (L1)
  'grantAdminRoles', // A2
  ...environment,
  'bindSeat', // the invitation holds the seat until it expires (L4)
  'issueTemporaryPassword', // T1/T2, then the invitation is delivered
];

/**
 * The built-in directory places a new account in its environment in one call; a directory
 * without that call (Graph) takes the four environment steps one at a time. Both are crashed.
 */
const PATHS = [
  {
    path: 'in one call',
    wrap: (d: Directory) => d,
    steps: stepsWith(['placeInEnvironment']), // E1, S3, S5, A1, A5, M1 checked in memory
  },
  {
    path: 'step by step',
    wrap: stepByStep,
    steps: stepsWith([
      'addToSecurityGroup', // E1
      'assignBusinessUnit', // S3
      'assignSecurityRoles', // S1
      'setAccessMode', // M1
    ]),
  },
];

describe.each(PATHS)(
  'a crash between any two provisioning steps ($path)',
  ({ wrap, steps: STEPS }) => {
    it('P1: a clean run calls the directory steps in this order', async () => {
      const trace: DirectoryMethod[] = [];
      const { system } = await buildSystem(db.connection, {
        directory: (d) => recordingDirectory(wrap(d), trace),
      });
      const request = await submitOnboarding(system.lifecycle, ADA, hire('trace'));
      await system.lifecycle.act(request._id, 'grace@contoso.example', {
        type: 'approver.approved',
      });
      await system.background.idle();
      expect((await system.store.get(request._id)).status).toBe('invited');
      expect(trace).toEqual(STEPS);
    });

    it.each([
      { n: 0, step: 'the approval', next: STEPS[0], crash: `simulated crash before ${STEPS[0]}` },
      ...STEPS.map((step, i) => ({
        n: i + 1,
        step,
        next: STEPS[i + 1] ?? 'delivering the invitation',
        crash: `simulated crash after ${step}`,
      })),
    ])(
      'P1/L1/T1: crash between $step and $next: after a restart the request completes exactly once',
      async ({ n, crash }) => {
        await resetDatabase(db.connection);
        const { system, clock, tenant, notifier, errors, rebuild } = await buildSystem(
          db.connection,
          {
            seats: 3,
            directory: (d) => crashingDirectory(wrap(d), n),
          },
        );
        const details = hire(String(n));
        const request = await submitOnboarding(system.lifecycle, ADA, details);
        await system.lifecycle.act(request._id, 'grace@contoso.example', {
          type: 'approver.approved',
        });
        await system.background.idle();

        // The process "died" right after the step: the request is stuck short of `invited`.
        expect(errors.map((e) => (e as Error).message)).toEqual([crash]);
        const crashed = await system.store.get(request._id);
        expect(crashed.status).not.toBe('invited');
        // The item the crash interrupted keeps its lease; items queued behind it may just wait.
        const leased = crashed.outbox.filter(
          (i) => i.status === 'pending' && i.leaseUntil && new Date(i.leaseUntil) > clock.now(),
        );
        expect(leased).toHaveLength(1);

        // Restart: a new system on the same database, with a directory that no longer crashes.
        const restarted = rebuild();
        // Before the lease passes, the new instance leaves the interrupted item alone.
        await restarted.runner.recoverAll();
        await restarted.background.idle();
        const early = await restarted.store.get(request._id);
        expect(early.status).toBe(crashed.status);
        expect(early.outbox.find((i) => i.key === leased[0]!.key)).toMatchObject({
          status: 'pending',
          attempts: leased[0]!.attempts,
        });
        clock.advance(LEASE_MS + 1000);
        await restarted.runner.recoverAll();
        await restarted.scheduler.sweep();
        await restarted.background.idle();
        expect(errors).toHaveLength(1);

        const done = await restarted.store.get(request._id);
        expect(done.status).toBe('invited');
        expect(done.history.map((h) => h.to)).toEqual([
          'requested.awaitingApproval',
          'approved.waitingForSeat',
          'approved.provisioning',
          'provisioned',
          'invited',
        ]);
        // Exactly once: one account, one seat held for this request, one invitation delivered.
        expect(await tenant.models.Account.countDocuments({ personEmail: details.email })).toBe(1);
        const holders = await tenant.models.SeatHolder.find({ sku: SKU, key: request._id }).lean();
        expect(holders).toHaveLength(1);
        expect(holders[0]).toMatchObject({ state: 'held', accountId: done.context.accountId });
        expect(await tenant.seatSummary(SKU)).toMatchObject({ held: 1, assigned: 0, free: 2 });
        expect(notifier.invitations.filter((i) => i.requestId === request._id)).toHaveLength(1);
        expect(done.invitation?.deliveredAt).toBeInstanceOf(Date);
        expect(done.outbox.filter((i) => i.status !== 'done')).toEqual([]);
        const account = await tenant.models.Account.findById(done.context.accountId).lean();
        expect(account?.adminRoles).toContain('Billing admin');

        // …and the invitation can be accepted: the held seat becomes the account's assigned seat.
        const accepted = await restarted.lifecycle.act(request._id, details.email, {
          type: 'invitee.accepted',
        });
        expect(accepted.kind).toBe('transitioned');
        await restarted.background.idle();
        expect((await restarted.store.get(request._id)).status).toBe('accepted');
        expect(await tenant.seatSummary(SKU)).toMatchObject({ held: 0, assigned: 1, free: 2 });
        expect(await restarted.audit.verify()).toMatchObject({ ok: true });
      },
    );
  },
);

describe('a crash after the invitation went out but before it was recorded', () => {
  it('T2/L4: the retry delivers a fresh invitation once more; only the newest link works', async () => {
    await resetDatabase(db.connection);
    const { system, clock, tenant, notifier, errors, rebuild } = await buildSystem(db.connection, {
      seats: 3,
    });
    // The Slack DM went out, then the process died before `invitation.issued` was saved.
    const deliver = notifier.deliverInvitation.bind(notifier);
    let crashed = false;
    notifier.deliverInvitation = async (request, delivery) => {
      await deliver(request, delivery);
      if (crashed) return;
      crashed = true;
      throw new Error('simulated crash after deliverInvitation');
    };
    const details = hire('dm');
    const request = await submitOnboarding(system.lifecycle, ADA, details);
    await system.lifecycle.act(request._id, 'grace@contoso.example', { type: 'approver.approved' });
    await system.background.idle();
    expect((await system.store.get(request._id)).status).toBe('provisioned');

    const restarted = rebuild();
    clock.advance(LEASE_MS + 1000);
    await restarted.scheduler.sweep();
    await restarted.background.idle();
    expect(errors).toHaveLength(1);

    // At-least-once delivery: the person got two messages, but the request stores one
    // invitation whose token is the second one, so the first link is dead (single-use token).
    const sent = notifier.invitations.filter((i) => i.requestId === request._id);
    expect(sent).toHaveLength(2);
    const done = await restarted.store.get(request._id);
    expect(done.status).toBe('invited');
    const tokenOf = (url: string) => url.split('/').pop()!;
    expect(done.invitation?.tokenHash).toBe(hashToken(tokenOf(sent[1]!.delivery.acceptUrl)));
    expect(done.invitation?.tokenHash).not.toBe(hashToken(tokenOf(sent[0]!.delivery.acceptUrl)));
    // Same expiry both times (L4: the 14 days run from the first issue, not the retry).
    expect(sent[1]!.delivery.expiresAt).toEqual(sent[0]!.delivery.expiresAt);
    expect(await tenant.models.Account.countDocuments({ personEmail: details.email })).toBe(1);
    expect(await tenant.seatSummary(SKU)).toMatchObject({ held: 1, assigned: 0, free: 2 });
  });
});
