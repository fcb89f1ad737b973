import { describe, expect, it } from 'vitest';
import type { Directory } from '../../src/lifecycle/ports.ts';
import {
  submitOffboarding,
  submitOnboarding,
  submitRoleChange,
} from '../../src/lifecycle/submit.ts';
import { TenantDirectory } from '../../src/lifecycle/tenant-directory.ts';
import { useTestDatabase } from '../support/db.ts';
import { GLOBAL_ADMINS, salesTenantYaml } from '../support/sales-tenant.ts';
import { type DirectoryMethod, interceptDirectory } from './directories.ts';
import { buildSystem, newHire, resetDatabase } from './support.ts';

const db = useTestDatabase('lifecycle/offboarding');

const SKU = 'D365_SALES';
const GRACE = 'grace@contoso.example';
const LINUS = 'linus@contoso.example';
const ADA = 'ada@contoso.example';
const LEASE_MS = 60_000;

/** Ada holds everything an offboarding takes away: a seat, a group, an admin role. */
const yaml = (admins = GLOBAL_ADMINS()) =>
  salesTenantYaml(3, [
    ...admins,
    '{ email: ada@contoso.example, firstName: Ada, lastName: Lovelace, slackId: U0ADA, managerEmail: grace@contoso.example, adminRoles: [Billing admin], licenses: [D365_SALES], environments: [{ id: sales-prod, businessUnit: sales, roles: [Salesperson] }] }',
  ]);

/** The directory's writes an offboarding makes, in order (one call each on a clean run). */
const WRITES: DirectoryMethod[] = [
  'setSignInAllowed',
  'removeFromSecurityGroup',
  'revokeAdminRoles',
  'releaseAccountSeat',
];

/** Counts the writes, and throws a plain Error (a crash) before the first call of `crashAt`. */
function countingDirectory(inner: Directory, calls: DirectoryMethod[], crashAt?: DirectoryMethod) {
  let crashed = false;
  return interceptDirectory(inner, async (method, call) => {
    if (method === crashAt && !crashed) {
      crashed = true;
      throw new Error(`simulated crash before ${method}`);
    }
    const result = await call();
    if (WRITES.includes(method)) calls.push(method);
    return result;
  });
}

async function adaEnds(tenant: Awaited<ReturnType<typeof buildSystem>>['tenant']) {
  const account = await tenant.accountByEmail(ADA);
  expect(account?.signInAllowed).toBe(false);
  expect(account?.adminRoles).toEqual([]);
  expect(account?.deletedAt ?? null).toBeNull(); // E5: the account stays
  expect(await tenant.seatsOf(account!._id)).toEqual([]);
  expect(await tenant.groupsOf(account!._id)).not.toContain('sg-sales-prod');
  expect(await tenant.seatSummary(SKU)).toMatchObject({ assigned: 0, held: 0, free: 3 });
}

const STEP_STATES = [
  'closing.blockingSignIn',
  'closing.leavingGroups',
  'closing.revokingAdminRoles',
  'closing.releasingSeats',
  'closing.cancellingRequests',
  'closing.tellingManager',
  'offboarded',
];

describe('offboarding a leaver', () => {
  it.each([
    { crashAt: 'setSignInAllowed' as const, between: 'the approval and blocking sign-in' },
    { crashAt: 'removeFromSecurityGroup' as const, between: 'blocking sign-in and leaving groups' },
    { crashAt: 'revokeAdminRoles' as const, between: 'leaving groups and revoking admin roles' },
    { crashAt: 'releaseAccountSeat' as const, between: 'revoking admin roles and releasing seats' },
    { crashAt: 'requests' as const, between: 'releasing seats and cancelling open requests' },
    { crashAt: 'manager' as const, between: 'cancelling open requests and telling the manager' },
  ])(
    'T4/E2/A2/T5/L6/E5: a crash between $between: after a restart each step ran once',
    async ({ crashAt }) => {
      await resetDatabase(db.connection);
      const calls: DirectoryMethod[] = [];
      const { system, tenant, clock, notifier, errors, rebuild } = await buildSystem(
        db.connection,
        {
          yaml: yaml(),
          directory: (d) =>
            countingDirectory(
              d,
              calls,
              crashAt === 'manager' || crashAt === 'requests' ? undefined : crashAt,
            ),
        },
      );
      if (crashAt === 'requests') {
        // The process dies as the step starts reading the leaver's open requests.
        const list = system.store.list.bind(system.store);
        let crashed = false;
        system.store.list = async (query, order, limit) => {
          if (query.involving && !crashed) {
            crashed = true;
            throw new Error('simulated crash before cancelOpenRequests');
          }
          return list(query, order, limit);
        };
      }
      if (crashAt === 'manager') {
        const tell = notifier.tellManager.bind(notifier);
        let crashed = false;
        notifier.tellManager = async (r, m) => {
          if (r.status === 'closing.tellingManager' && !crashed) {
            crashed = true;
            throw new Error('simulated crash before tellManager');
          }
          return tell(r, m);
        };
      }
      // Ada's own open request (as requester) and one about her (as subject) end with her.
      const mine = await submitRoleChange(system.lifecycle, ADA, LINUS, {
        change: 'admin_roles_grant',
        adminRoles: ['Billing admin'],
        justification: 'cover',
      });
      const hers = await submitRoleChange(system.lifecycle, LINUS, ADA, {
        change: 'access_mode',
        environment: 'sales-prod',
        accessMode: 'administrative',
        justification: 'moves',
      });
      const request = await submitOffboarding(system.lifecycle, tenantPeople(tenant), LINUS, ADA, {
        effectiveAt: clock.now().toISOString(),
        managerEmail: GRACE,
      });
      await system.background.idle();
      expect(notifier.managerNotices).toEqual([
        { requestId: request._id, manager: GRACE, status: 'requested.awaitingApproval' },
      ]);
      await system.lifecycle.act(request._id, GRACE, { type: 'approver.approved' });
      await system.background.idle();
      const crashedIn = { manager: 'tellManager', requests: 'cancelOpenRequests' } as const;
      expect(errors.map((e) => (e as Error).message)).toEqual([
        `simulated crash before ${crashAt === 'manager' || crashAt === 'requests' ? crashedIn[crashAt] : crashAt}`,
      ]);
      const crashed = await system.store.get(request._id);
      expect(crashed.status).toMatch(/^closing\./);

      const restarted = rebuild(countingDirectory(new TenantDirectory(tenant), calls));
      clock.advance(LEASE_MS + 1000);
      await restarted.scheduler.sweep();
      await restarted.background.idle();
      expect(errors).toHaveLength(1);

      const done = await restarted.store.get(request._id);
      expect(done.status).toBe('offboarded');
      expect(done.history.map((h) => h.to)).toEqual([
        'requested.awaitingApproval',
        'approved.scheduled',
        ...STEP_STATES,
      ]);
      expect(calls).toEqual(WRITES);
      await adaEnds(tenant);
      for (const id of [mine._id, hers._id]) {
        const other = await restarted.store.get(id);
        expect(other.status).toBe('cancelled');
        expect(other.context.endReason).toBe(`${ADA} left (offboarding ${request._id})`);
        expect(other.history.filter((h) => h.event === 'system.cancelled')).toHaveLength(1);
      }
      expect(notifier.managerNotices.map((n) => n.status)).toEqual([
        'requested.awaitingApproval',
        'closing.tellingManager',
      ]);
      expect(await restarted.audit.verify()).toMatchObject({ ok: true });
    },
  );

  it('A2: offboarding the last Global admin is refused at submission, before any step', async () => {
    await resetDatabase(db.connection);
    const calls: DirectoryMethod[] = [];
    const { system, tenant } = await buildSystem(db.connection, {
      yaml: yaml(GLOBAL_ADMINS().slice(0, 1)),
      directory: (d) => countingDirectory(d, calls),
    });
    await expect(
      submitOffboarding(system.lifecycle, tenantPeople(tenant), ADA, GRACE, {
        effectiveAt: new Date().toISOString(),
      }),
    ).rejects.toMatchObject({ code: 'last_global_admin', details: { rule: 'A2' } });
    expect(await system.store.requests.countDocuments()).toBe(0);
    expect(calls).toEqual([]);
    expect((await tenant.accountByEmail(GRACE))?.signInAllowed).toBe(true);
  });

  it('a future effective date is a stored deadline: nothing closes before it, the sweep at it does', async () => {
    await resetDatabase(db.connection);
    const { system, tenant, clock } = await buildSystem(db.connection, { yaml: yaml() });
    const at = new Date(clock.now().getTime() + 3 * 86_400_000);
    const request = await submitOffboarding(system.lifecycle, tenantPeople(tenant), LINUS, ADA, {
      effectiveAt: at.toISOString(),
    });
    await system.lifecycle.act(request._id, GRACE, { type: 'approver.approved' });
    await system.background.idle();
    const scheduled = await system.store.get(request._id);
    expect(scheduled.status).toBe('approved.scheduled');
    expect(scheduled.deadlines).toEqual([
      { kind: 'effectiveDate', at, event: 'timer.effectiveDateReached', fired: false },
    ]);
    expect(scheduled.nextDeadlineAt).toEqual(at);
    clock.advance(86_400_000);
    await system.scheduler.sweep();
    await system.background.idle();
    expect((await system.store.get(request._id)).status).toBe('approved.scheduled');
    expect((await tenant.accountByEmail(ADA))?.signInAllowed).toBe(true);

    clock.advance(2 * 86_400_000);
    await system.scheduler.sweep();
    await system.background.idle();
    expect((await system.store.get(request._id)).status).toBe('offboarded');
    await adaEnds(tenant);
  });

  it('the requester cancels a scheduled offboarding before its date; nothing is closed', async () => {
    await resetDatabase(db.connection);
    const { system, tenant, clock } = await buildSystem(db.connection, { yaml: yaml() });
    const at = new Date(clock.now().getTime() + 86_400_000);
    const request = await submitOffboarding(system.lifecycle, tenantPeople(tenant), LINUS, ADA, {
      effectiveAt: at.toISOString(),
    });
    await system.lifecycle.act(request._id, GRACE, { type: 'approver.approved' });
    await system.background.idle();
    const refused = await system.lifecycle.act(request._id, ADA, { type: 'requester.cancelled' });
    expect(refused.kind).toBe('refused');
    const cancelled = await system.lifecycle.act(request._id, LINUS, {
      type: 'requester.cancelled',
    });
    expect(cancelled.kind).toBe('transitioned');
    expect((await system.store.get(request._id)).deadlines).toEqual([]);
    clock.advance(2 * 86_400_000);
    await system.scheduler.sweep();
    await system.background.idle();
    expect((await system.store.get(request._id)).status).toBe('cancelled');
    expect((await tenant.accountByEmail(ADA))?.signInAllowed).toBe(true);
  });
});

describe('ACCESSDESK_DELETE_AFTER', () => {
  it('T5/E5: with a retention period the kept account is deleted when it is over, not before', async () => {
    await resetDatabase(db.connection);
    const DAY = 86_400_000;
    const { system, tenant, clock } = await buildSystem(db.connection, {
      yaml: yaml(),
      deleteAfter: 30 * DAY,
    });
    const request = await submitOffboarding(system.lifecycle, tenantPeople(tenant), LINUS, ADA, {
      effectiveAt: clock.now().toISOString(),
    });
    await system.lifecycle.act(request._id, GRACE, { type: 'approver.approved' });
    await system.background.idle();
    const retained = await system.store.get(request._id);
    expect(retained.status).toBe('retained');
    expect(retained.deadlines.map((d) => d.kind)).toEqual(['retentionEnd']);
    clock.advance(29 * DAY);
    await system.scheduler.sweep();
    await system.background.idle();
    expect((await tenant.accountByEmail(ADA))?.deletedAt ?? null).toBeNull();
    clock.advance(DAY);
    await system.scheduler.sweep();
    await system.background.idle();
    expect((await system.store.get(request._id)).status).toBe('deleted');
    const deleted = await tenant.models.Account.findOne({ personEmail: ADA }).lean<{
      deletedAt?: Date;
    }>();
    expect(deleted?.deletedAt).toBeInstanceOf(Date);
  });
});

describe('a rehire', () => {
  it('E3/L1/E5: onboarding a leaver again enables the same account through a new invitation, never a second', async () => {
    await resetDatabase(db.connection);
    const { system, tenant, clock } = await buildSystem(db.connection, { yaml: yaml() });
    const before = await tenant.accountByEmail(ADA);
    const leaving = await submitOffboarding(system.lifecycle, tenantPeople(tenant), LINUS, ADA, {
      effectiveAt: clock.now().toISOString(),
    });
    await system.lifecycle.act(leaving._id, GRACE, { type: 'approver.approved' });
    await system.background.idle();
    expect((await system.store.get(leaving._id)).status).toBe('offboarded');

    const rehire = await submitOnboarding(
      system.lifecycle,
      GRACE,
      newHire('R', { firstName: 'Ada', lastName: 'Lovelace', email: ADA }),
    );
    await system.lifecycle.act(rehire._id, LINUS, { type: 'approver.approved' });
    await system.background.idle();
    const invited = await system.store.get(rehire._id);
    expect(invited.status).toBe('invited');
    expect(invited.context.accountId).toBe(before!._id);
    await system.lifecycle.act(rehire._id, ADA, { type: 'invitee.accepted' });
    await system.background.idle();
    expect((await system.store.get(rehire._id)).status).toBe('accepted');

    expect(await tenant.models.Account.countDocuments({ personEmail: ADA })).toBe(1);
    const after = await tenant.accountByEmail(ADA);
    expect(after?._id).toBe(before!._id);
    expect(after?.signInAllowed).toBe(true);
    expect((await tenant.seatsOf(after!._id)).map((s) => s.skuId)).toEqual([SKU]);
    expect(await tenant.groupsOf(after!._id)).toContain('sg-sales-prod');
  });
});

/** The Global admins as the submit check reads them (the tenant, now). */
function tenantPeople(tenant: Awaited<ReturnType<typeof buildSystem>>['tenant']) {
  return { globalAdmins: async () => (await tenant.globalAdmins()).map((a) => a.personEmail) };
}
