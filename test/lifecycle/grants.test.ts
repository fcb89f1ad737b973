import { describe, expect, it } from 'vitest';
import type { Directory } from '../../src/lifecycle/ports.ts';
import type { GrantDetails } from '../../src/lifecycle/request.model.ts';
import { submitExtension, submitGrant, submitOffboarding } from '../../src/lifecycle/submit.ts';
import { TenantDirectory } from '../../src/lifecycle/tenant-directory.ts';
import { RequestVisibility } from '../../src/lifecycle/visibility.ts';
import { useTestDatabase } from '../support/db.ts';
import { GLOBAL_ADMINS, salesTenantYaml } from '../support/sales-tenant.ts';
import { type DirectoryMethod, interceptDirectory } from './directories.ts';
import { buildSystem, resetDatabase } from './support.ts';

const db = useTestDatabase('lifecycle/grants');

const GRACE = 'grace@contoso.example';
const LINUS = 'linus@contoso.example';
const ADA = 'ada@contoso.example';
const MIN = 60_000;
const HOUR = 60 * MIN;
const LEASE_MS = 60_000;
/** Warnings 30 and 10 minutes before the end (ACCESSDESK_GRANT_WARNINGS=30m,10m). */
const WARNINGS = [30 * MIN, 10 * MIN];

/** Ada reports to Grace and holds Salesperson in sales-prod (and `adaRoles`) without an end. */
const yaml = (adaRoles: string[] = []) =>
  salesTenantYaml(3, [
    ...GLOBAL_ADMINS(),
    `{ email: ada@contoso.example, firstName: Ada, lastName: Lovelace, slackId: U0ADA, managerEmail: grace@contoso.example, adminRoles: [${adaRoles.join(', ')}], licenses: [D365_SALES], environments: [{ id: sales-prod, businessUnit: sales, roles: [Salesperson] }] }`,
  ]);

const billingFor = (ms: number): GrantDetails => ({
  grant: 'admin_roles',
  adminRoles: ['Billing admin'],
  durationMs: ms,
  justification: 'quarter close',
});

/** Counts the directory's revocations; crashes (a plain Error) once on `crashOn`, if given. */
function countingDirectory(inner: Directory, calls: DirectoryMethod[], crashOn?: DirectoryMethod) {
  let crashed = false;
  return interceptDirectory(inner, async (method, call) => {
    if (method === crashOn && !crashed) {
      crashed = true;
      throw new Error(`simulated crash before ${method}`);
    }
    const result = await call();
    if (method === 'revokeAdminRoles' || method === 'releaseAccountSeat') calls.push(method);
    return result;
  });
}

async function setup(adaRoles: string[] = [], crashOn?: DirectoryMethod, warnings = WARNINGS) {
  await resetDatabase(db.connection);
  const calls: DirectoryMethod[] = [];
  const built = await buildSystem(db.connection, {
    yaml: yaml(adaRoles),
    grantWarnings: warnings,
    directory: (d) => countingDirectory(d, calls, crashOn),
  });
  const adminRoles = async () => (await built.tenant.accountByEmail(ADA))?.adminRoles ?? [];
  return { ...built, calls, adminRoles };
}

type Built = Awaited<ReturnType<typeof setup>>;

/** Moves the fake clock to `at` ms after `t0` and lets the scheduler and the effects run. */
async function at(b: Built, system: Built['system'], t0: number, ms: number) {
  b.clock.set(new Date(t0 + ms));
  await system.scheduler.sweep();
  await system.background.idle();
}

async function approvedGrant(b: Built, details: GrantDetails) {
  const request = await submitGrant(b.system.lifecycle, ADA, ADA, details);
  await b.system.lifecycle.act(request._id, GRACE, { type: 'approver.approved' });
  await b.system.background.idle();
  return b.system.store.get(request._id);
}

/** Linus offboards Ada today and Grace approves; the offboarding runs to its end. */
async function offboardAda(b: Built) {
  const offboarding = await submitOffboarding(
    b.system.lifecycle,
    { globalAdmins: async () => [GRACE, LINUS] },
    LINUS,
    ADA,
    { effectiveAt: b.clock.now().toISOString(), managerEmail: GRACE },
  );
  await b.system.lifecycle.act(offboarding._id, GRACE, { type: 'approver.approved' });
  await b.system.background.idle();
  expect((await b.system.store.get(offboarding._id)).status).toBe('offboarded');
  return offboarding;
}

describe('time-bound grants', () => {
  it('a 1 h grant starts when applied, warns at its configured times and is revoked at its end exactly once across a restart', async () => {
    const b = await setup([], 'revokeAdminRoles');
    const asked = await submitGrant(b.system.lifecycle, ADA, ADA, billingFor(HOUR));
    b.clock.advance(20 * MIN); // the clock starts at the approval, not at the asking
    await b.system.lifecycle.act(asked._id, GRACE, { type: 'approver.approved' });
    await b.system.background.idle();
    const t0 = b.clock.now().getTime();
    const active = await b.system.store.get(asked._id);
    expect(active.status).toBe('active');
    expect(active.context.endsAt).toBe(new Date(t0 + HOUR).toISOString());
    expect(active.deadlines.map((d) => [d.kind, new Date(d.at).getTime() - t0])).toEqual([
      ['grantEnd', HOUR],
      [`grantWarning:${30 * MIN}`, 30 * MIN],
      [`grantWarning:${10 * MIN}`, 50 * MIN],
    ]);
    expect(await b.adminRoles()).toContain('Billing admin');

    await at(b, b.system, t0, 29 * MIN);
    expect(b.notifier.grantNotices).toEqual([]);
    await at(b, b.system, t0, 30 * MIN);
    // A restart between the warnings: the rest are stored deadlines, not timers.
    const restarted = b.rebuild(
      countingDirectory(new TenantDirectory(b.tenant), b.calls, 'revokeAdminRoles'),
    );
    await at(b, restarted, t0, 49 * MIN);
    await at(b, restarted, t0, 50 * MIN);
    const warnings = b.notifier.grantNotices.filter((n) => n.notice.kind === 'ending');
    expect(warnings.map((w) => [w.at.getTime() - t0, w.notice.to])).toEqual([
      [30 * MIN, [ADA]],
      [50 * MIN, [ADA]],
    ]);
    expect(await b.adminRoles()).toContain('Billing admin');

    // The end: the revocation crashes once, the service restarts, and it runs again, once.
    await at(b, restarted, t0, HOUR);
    expect(b.errors.map((e) => (e as Error).message)).toEqual([
      'simulated crash before revokeAdminRoles',
    ]);
    expect((await restarted.store.get(asked._id)).status).toBe('ending');
    const again = b.rebuild(countingDirectory(new TenantDirectory(b.tenant), b.calls));
    await at(b, again, t0, HOUR + LEASE_MS + 1000);
    await at(b, again, t0, 2 * HOUR);
    const ended = await again.store.get(asked._id);
    expect(ended.status).toBe('ended');
    expect(ended.history.map((h) => h.to)).toEqual([
      'requested.awaitingApproval',
      'approved.applying',
      'active',
      'ending',
      'ended',
    ]);
    expect(b.calls).toEqual(['revokeAdminRoles']);
    expect(await b.adminRoles()).not.toContain('Billing admin');
    expect(b.notifier.grantNotices.filter((n) => n.notice.kind === 'ended')).toHaveLength(1);
    expect(await again.grants.running([ADA], 20)).toEqual([]);
    expect(await again.audit.verify()).toMatchObject({ ok: true });
  });

  it('a warning whose time passed while the warning effect waited for its retry is sent once, late, not skipped', async () => {
    const b = await setup([], undefined, [30 * MIN, 20 * MIN, 10 * MIN]);
    const asked = await submitGrant(b.system.lifecycle, ADA, ADA, billingFor(HOUR));
    await b.system.lifecycle.act(asked._id, GRACE, { type: 'approver.approved' });
    await b.system.background.idle();
    const t0 = b.clock.now().getTime();
    // The first warning crashes the process as it is sent.
    const send = b.notifier.grantNotice.bind(b.notifier);
    let crashed = false;
    b.notifier.grantNotice = async (r, notice) => {
      if (notice.kind === 'ending' && !crashed) {
        crashed = true;
        throw new Error('simulated crash while warning');
      }
      return send(r, notice);
    };
    await at(b, b.system, t0, 30 * MIN);
    expect(b.errors.map((e) => (e as Error).message)).toEqual(['simulated crash while warning']);
    expect(b.notifier.grantNotices).toEqual([]);
    // The service comes back after the 20 min warning's time (40 min) too.
    const restarted = b.rebuild(new TenantDirectory(b.tenant));
    await at(b, restarted, t0, 45 * MIN);
    await at(b, restarted, t0, 46 * MIN);
    await at(b, restarted, t0, 50 * MIN);
    await at(b, restarted, t0, 55 * MIN);
    const warnings = b.notifier.grantNotices.filter((n) => n.notice.kind === 'ending');
    expect(warnings.map((w) => w.at.getTime() - t0)).toEqual([45 * MIN, 45 * MIN, 50 * MIN]);
    const sent = await restarted.grants.get(ADA, 'admin:Billing admin', asked._id);
    expect(sent?.warned?.slice().sort((x, y) => x - y)).toEqual([10 * MIN, 20 * MIN, 30 * MIN]);
    await at(b, restarted, t0, HOUR);
    expect((await restarted.store.get(asked._id)).status).toBe('ended');
    expect(b.notifier.grantNotices.filter((n) => n.notice.kind === 'ending')).toHaveLength(3);
  });

  it('an extension approved before the end keeps the access with no gap, and ends where it says', async () => {
    const b = await setup();
    const original = await approvedGrant(b, billingFor(HOUR));
    const t0 = b.clock.now().getTime();
    await at(b, b.system, t0, 40 * MIN);
    const extension = await submitExtension(b.system.lifecycle, ADA, original);
    expect(extension.details).toMatchObject({
      extends: original._id,
      durationMs: HOUR,
      heldSince: new Date(t0).toISOString(),
    });
    await at(b, b.system, t0, 45 * MIN);
    await b.system.lifecycle.act(extension._id, GRACE, { type: 'approver.approved' });
    await b.system.background.idle();
    const extended = await b.system.store.get(extension._id);
    expect(extended.status).toBe('active');
    expect(extended.context.endsAt).toBe(new Date(t0 + 2 * HOUR).toISOString());

    await at(b, b.system, t0, HOUR);
    expect((await b.system.store.get(original._id)).status).toBe('ended');
    expect(await b.adminRoles()).toContain('Billing admin'); // no gap
    expect(b.calls).toEqual([]);

    await at(b, b.system, t0, 2 * HOUR);
    expect((await b.system.store.get(extension._id)).status).toBe('ended');
    expect(await b.adminRoles()).not.toContain('Billing admin');
    expect(b.calls).toEqual(['revokeAdminRoles']);
  });

  it('an extension approved after the end grants again, its clock starting then', async () => {
    const b = await setup();
    const original = await approvedGrant(b, billingFor(HOUR));
    const t0 = b.clock.now().getTime();
    await at(b, b.system, t0, 55 * MIN);
    const extension = await submitExtension(b.system.lifecycle, ADA, original);
    await at(b, b.system, t0, HOUR);
    expect(await b.adminRoles()).not.toContain('Billing admin');
    await at(b, b.system, t0, 70 * MIN);
    await b.system.lifecycle.act(extension._id, LINUS, { type: 'approver.approved' });
    await b.system.background.idle();
    expect(await b.adminRoles()).toContain('Billing admin');
    const active = await b.system.store.get(extension._id);
    expect(active.context.endsAt).toBe(new Date(t0 + 130 * MIN).toISOString());
  });

  it('A2: revoking a time-bound role the person also holds from an unlimited grant leaves it', async () => {
    const b = await setup(['Billing admin']);
    const grant = await approvedGrant(b, billingFor(HOUR));
    const roleGrant = await approvedGrant(b, {
      grant: 'security_roles',
      environment: 'sales-prod',
      securityRoles: ['Salesperson', 'Sales Manager'],
      durationMs: HOUR,
      justification: 'covering',
    });
    const t0 = b.clock.now().getTime();
    await at(b, b.system, t0, HOUR);
    expect((await b.system.store.get(grant._id)).status).toBe('ended');
    expect((await b.system.store.get(roleGrant._id)).status).toBe('ended');
    expect(await b.adminRoles()).toContain('Billing admin');
    expect(b.calls).toEqual([]);
    const account = await b.tenant.accountByEmail(ADA);
    const user = await b.tenant.models.EnvironmentUser.findById(`sales-prod:${account!._id}`).lean<{
      roles: string[];
    }>();
    expect(user?.roles).toEqual(['Salesperson']); // only what the grant alone gave went
  });

  it('a role also held from another open grant stays until that one ends too', async () => {
    const b = await setup();
    const short = await approvedGrant(b, billingFor(HOUR));
    const long = await approvedGrant(b, billingFor(3 * HOUR));
    const t0 = b.clock.now().getTime();
    await at(b, b.system, t0, HOUR);
    expect((await b.system.store.get(short._id)).status).toBe('ended');
    expect(await b.adminRoles()).toContain('Billing admin');
    await at(b, b.system, t0, 3 * HOUR);
    expect((await b.system.store.get(long._id)).status).toBe('ended');
    expect(await b.adminRoles()).not.toContain('Billing admin');
  });

  it('A2: a revocation that would leave no Global admin is held, the Global admins told, and tried again', async () => {
    const b = await setup();
    const request = await submitGrant(b.system.lifecycle, ADA, ADA, {
      grant: 'admin_roles',
      adminRoles: ['Global admin'],
      durationMs: HOUR,
      justification: 'incident',
    });
    await b.system.lifecycle.act(request._id, GRACE, { type: 'approver.approved' });
    await b.system.lifecycle.act(request._id, LINUS, { type: 'approver.approved' });
    await b.system.background.idle();
    const t0 = b.clock.now().getTime();
    const grace = await b.tenant.accountByEmail(GRACE);
    const linus = await b.tenant.accountByEmail(LINUS);
    await b.tenant.revokeAdminRole(grace!._id, 'Global admin');
    await b.tenant.revokeAdminRole(linus!._id, 'Global admin');

    await at(b, b.system, t0, HOUR);
    const held = await b.system.store.get(request._id);
    expect(held.status).toBe('held');
    expect(held.context.heldReason).toMatch(/Global admin/);
    expect(await b.adminRoles()).toContain('Global admin');
    const told = b.notifier.grantNotices.find((n) => n.notice.kind === 'held');
    expect(told?.notice.to).toEqual([ADA]);
    // App Home lists it as held for the last Global admin, not as "0 min" left (A2).
    const home = new RequestVisibility(b.system.queries, {
      isGlobalAdmin: async () => false,
      reportsOf: async () => [],
      manages: async () => false,
    });
    const listed = await home.runningGrants(ADA, b.system.grants, b.clock.now());
    expect(listed.map((g) => [g.source, g.held])).toEqual([
      [request._id, 'last Global admin (A2)'],
    ]);

    await b.tenant.grantAdminRole(grace!._id, 'Global admin');
    await at(b, b.system, t0, 2 * HOUR + MIN);
    expect((await b.system.store.get(request._id)).status).toBe('ended');
    expect(await b.adminRoles()).not.toContain('Global admin');
  });

  it('L6: a time-bound license takes a seat when applied and releases it at the end', async () => {
    await resetDatabase(db.connection);
    const b = await buildSystem(db.connection, {
      yaml: salesTenantYaml(2, [
        ...GLOBAL_ADMINS(),
        '{ email: ada@contoso.example, firstName: Ada, lastName: Lovelace, slackId: U0ADA }',
      ]),
      grantWarnings: WARNINGS,
    });
    const request = await submitGrant(b.system.lifecycle, ADA, ADA, {
      grant: 'license',
      sku: 'D365_SALES',
      durationMs: HOUR,
      justification: 'trial',
    });
    await b.system.lifecycle.act(request._id, GRACE, { type: 'approver.approved' });
    await b.system.background.idle();
    expect((await b.system.store.get(request._id)).status).toBe('active');
    expect(await b.tenant.seatSummary('D365_SALES')).toMatchObject({ assigned: 1, free: 1 });
    b.clock.advance(HOUR);
    await b.system.scheduler.sweep();
    await b.system.background.idle();
    expect((await b.system.store.get(request._id)).status).toBe('ended');
    expect(await b.tenant.seatSummary('D365_SALES')).toMatchObject({ assigned: 0, free: 2 });
  });

  it("an offboarding ends the leaver's running time-bound grants (its fifth step)", async () => {
    const b = await setup();
    const grant = await approvedGrant(b, billingFor(8 * HOUR));
    const offboarding = await offboardAda(b);
    const ended = await b.system.store.get(grant._id);
    expect(ended.status).toBe('ended');
    expect(ended.context.endReason).toBe(`${ADA} left (offboarding ${offboarding._id})`);
    expect(await b.system.grants.running([ADA], 20)).toEqual([]);
  });

  it("an offboarding ends only the grants the leaver holds: another's running grant the leaver asked for stays and passes to the leaver's manager, their undecided asks are cancelled", async () => {
    const b = await setup();
    const hers = await approvedGrant(b, billingFor(HOUR));
    // Ada asked for Linus: one grant Grace approved (running), one nobody decided yet.
    const forLinus = await submitGrant(b.system.lifecycle, ADA, LINUS, billingFor(HOUR));
    await b.system.lifecycle.act(forLinus._id, GRACE, { type: 'approver.approved' });
    await b.system.background.idle();
    const undecided = await submitGrant(b.system.lifecycle, ADA, LINUS, billingFor(2 * HOUR));
    expect((await b.system.store.get(forLinus._id)).status).toBe('active');
    const offboarding = await offboardAda(b);
    expect((await b.system.store.get(hers._id)).status).toBe('ended');
    const kept = await b.system.store.get(forLinus._id);
    expect(kept.status).toBe('active');
    expect(kept.history.filter((h) => h.event === 'system.cancelled')).toEqual([]);
    // Ada's manager follows it from now on (its end, its warnings); the timeline says why.
    expect(kept.requesterEmail).toBe(GRACE);
    expect(kept.history.filter((h) => h.event === 'requester.left')).toMatchObject([
      { actor: GRACE, from: 'active', to: 'active' },
    ]);
    expect((await b.system.grants.running([LINUS], 20)).map((g) => g.source)).toEqual([
      forLinus._id,
    ]);
    expect((await b.tenant.accountByEmail(LINUS))?.adminRoles).toContain('Billing admin');
    const cancelled = await b.system.store.get(undecided._id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.context.endReason).toBe(`${ADA} left (offboarding ${offboarding._id})`);
  });
});
