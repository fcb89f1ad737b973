import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { verifyPassword } from '../support/passwords.ts';
import { onboard, smallConfig, useTenant } from './helpers.ts';

const t = useTenant('tenant/accounts');

afterEach(() => {
  vi.restoreAllMocks();
});

async function setup() {
  await t.service.applyConfig(smallConfig());
}

describe('accounts', () => {
  it('T1: creating an account yields a unique first.last UPN; a collision gets a suffix', async () => {
    await setup();
    const first = await t.service.createAccount({
      idempotencyKey: 'request:1',
      personEmail: 'ada.l@personal.example',
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    expect(first.account.upn).toBe('ada.lovelace@contoso.example');
    const second = await t.service.createAccount({
      idempotencyKey: 'request:2',
      personEmail: 'other.ada@personal.example',
      firstName: 'Àda',
      lastName: "Love-lace's",
    });
    expect(second.account.upn).toBe('ada.love-laces@contoso.example');
    const third = await t.service.createAccount({
      idempotencyKey: 'request:3',
      personEmail: 'third.ada@personal.example',
      firstName: 'ADA',
      lastName: 'Lovelace',
    });
    expect(third.account.upn).toBe('ada.lovelace2@contoso.example');
  });

  it('T1: parallel creations of namesakes each get their own UPN (unique index + retry)', async () => {
    await setup();
    const created = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        t.service.createAccount({
          idempotencyKey: `namesake:${i}`,
          personEmail: `alan${i}@personal.example`,
          firstName: 'Alan',
          lastName: 'Turing',
        }),
      ),
    );
    const upns = created.map((c) => c.account.upn).sort();
    expect(new Set(upns).size).toBe(6);
    expect(upns).toContain('alan.turing@contoso.example');
    expect(upns).toContain('alan.turing6@contoso.example');
  });

  it('T1: the same idempotency key gives the same account, never a second one', async () => {
    await setup();
    const input = {
      idempotencyKey: 'request:7',
      personEmail: 'n@personal.example',
      firstName: 'Nancy',
      lastName: 'Hopper',
    };
    const results = await Promise.all([
      t.service.createAccount(input),
      t.service.createAccount(input),
      t.service.createAccount(input),
    ]);
    expect(new Set(results.map((r) => r.account._id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await t.service.createAccount(input)).toMatchObject({ created: false });
    expect(
      await t.service.models.Account.countDocuments({ personEmail: 'n@personal.example' }),
    ).toBe(1);
  });

  it('L1: one account per person: another key for the same person is refused', async () => {
    await setup();
    const base = { personEmail: 'p@personal.example', firstName: 'P', lastName: 'Q' };
    await t.service.createAccount({ ...base, idempotencyKey: 'a' });
    await expect(t.service.createAccount({ ...base, idempotencyKey: 'b' })).rejects.toMatchObject({
      code: ErrorCode.Conflict,
      rule: 'L1',
    });
  });

  it('T1: a temporary password must be changed at first sign-in; a permanent one need not', async () => {
    await setup();
    const ada = (await t.service.accountByEmail('ada@contoso.example'))!;
    const { password, mustChangePassword } = await t.service.issueTemporaryPassword(ada._id);
    expect(mustChangePassword).toBe(true);
    expect(password).toMatch(/^.{16}$/);
    expect(password).toMatch(/[a-z]/);
    expect(password).toMatch(/[A-Z]/);
    expect(password).toMatch(/[0-9]/);
    const stored = (await t.service.accountById(ada._id))!;
    expect(stored.mustChangePassword).toBe(true);
    expect(await verifyPassword(password, stored.passwordHash!)).toBe(true);

    const permanent = 'Correct-Horse-Battery-9';
    const set = await t.service.issueTemporaryPassword(ada._id, { permanent });
    expect(set).toEqual({ password: permanent, mustChangePassword: false });
    const chosen = (await t.service.accountById(ada._id))!;
    expect(chosen.mustChangePassword).toBe(false);
    // T2: a person's password gets the slow hash; a generated one a salted SHA-256.
    expect(chosen.passwordHash).toMatch(/^scrypt\$/);
    expect(stored.passwordHash).toMatch(/^sha256\$/);
    expect(await verifyPassword(permanent, chosen.passwordHash!)).toBe(true);
    expect(await verifyPassword(password, chosen.passwordHash!)).toBe(false);
    await expect(
      t.service.issueTemporaryPassword(ada._id, { permanent: 'short' }),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
  });

  it('T2: the clear password is in no document of any collection and in no log line', async () => {
    await setup();
    const captured: string[] = [];
    const capture = (...args: unknown[]) => {
      captured.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    };
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, level).mockImplementation(capture);
    }
    const write = process.stdout.write.bind(process.stdout);
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
      captured.push(String(chunk));
      return write(chunk as string, ...(rest as []));
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
      captured.push(String(chunk));
      return true;
    });

    const account = await onboard(t.service, 'Secret', 'Keeper', {
      unit: 'sales',
      roles: ['Salesperson'],
    });
    const { password } = await t.service.issueTemporaryPassword(account._id);
    await t.service.updateProfile(account._id, { jobTitle: 'Keeper of secrets' });
    vi.restoreAllMocks();

    expect(password.length).toBeGreaterThanOrEqual(16);
    const collections = await t.db.connection.db!.collections();
    expect(collections.length).toBeGreaterThan(3);
    let scanned = 0;
    for (const collection of collections) {
      for (const doc of await collection.find().toArray()) {
        scanned++;
        expect(JSON.stringify(doc)).not.toContain(password);
      }
    }
    expect(scanned).toBeGreaterThan(10);
    expect(captured.join('\n')).not.toContain(password);
  });

  it('T2: only authorised admins may set passwords when an actor is named', async () => {
    await setup();
    const ada = (await t.service.accountByEmail('ada@contoso.example'))!;
    const grace = (await t.service.accountByEmail('grace@contoso.example'))!;
    await expect(
      t.service.issueTemporaryPassword(grace._id, { by: ada._id }),
    ).rejects.toMatchObject({
      code: ErrorCode.NotAllowed,
    });
    await t.service.grantAdminRole(ada._id, 'Password admin');
    await expect(
      t.service.issueTemporaryPassword(grace._id, { by: ada._id }),
    ).resolves.toBeTruthy();
  });

  it('T3: profile fields reach every environment record, but primary email is never overwritten there', async () => {
    await setup();
    const { account } = await t.service.createAccount({
      idempotencyKey: 'request:t3',
      personEmail: 'kat@personal.example',
      firstName: 'Katherine',
      lastName: 'Johnson',
      email: 'kat@contoso.example',
      jobTitle: 'Analyst',
      city: 'Hampton',
    });
    await t.service.provisionUser('sales-prod', account._id);
    await t.service.provisionUser('apps-dev', account._id);
    const before = (await t.service.environmentUser('sales-prod', account._id))!;
    expect(before.fullName).toBe('Katherine Johnson');
    expect(before.profile).toMatchObject({
      email: 'kat@contoso.example',
      jobTitle: 'Analyst',
      city: 'Hampton',
    });

    await t.service.updateProfile(account._id, {
      lastName: 'Goble',
      email: 'katherine.goble@contoso.example',
      jobTitle: 'Research Mathematician',
      department: 'Flight Research',
    });
    expect((await t.service.accountById(account._id))!.profile.email).toBe(
      'katherine.goble@contoso.example',
    );
    for (const envId of ['sales-prod', 'apps-dev']) {
      const user = (await t.service.environmentUser(envId, account._id))!;
      expect(user.fullName).toBe('Katherine Goble');
      expect(user.profile).toMatchObject({
        jobTitle: 'Research Mathematician',
        department: 'Flight Research',
        email: 'kat@contoso.example',
      });
    }
  });

  it('T4: sign-in is allowed or blocked per account, and a blocked user is not enabled', async () => {
    await setup();
    const account = await onboard(t.service, 'Block', 'Me');
    expect((await t.service.enablement('sales-prod', account._id)).enabled).toBe(true);
    await t.service.setSignInAllowed(account._id, false);
    const report = await t.service.enablement('sales-prod', account._id);
    expect(report.enabled).toBe(false);
    expect(report.reasons).toContain('T4: sign-in is blocked');
    await t.service.setSignInAllowed(account._id, true);
    expect((await t.service.enablement('sales-prod', account._id)).enabled).toBe(true);
  });

  it('T5: deleting an account frees all its seats at once; removing one license keeps the account', async () => {
    await setup();
    const account = await onboard(t.service, 'Gone', 'Soon');
    await t.service.assignSeat('POWERAPPS', `license:${account._id}`, { accountId: account._id });
    await t.service.holdSeat('CONNECTED_SPACES', `invite:${account._id}`, {
      accountId: account._id,
    });
    await t.service.releaseSeat('POWERAPPS', `license:${account._id}`);
    expect((await t.service.accountById(account._id))!.deletedAt).toBeFalsy();
    await t.service.assignSeat('POWERAPPS', `license:${account._id}`, { accountId: account._id });

    const { freedSkus } = await t.service.deleteAccount(account._id);
    expect(freedSkus.sort()).toEqual(['CONNECTED_SPACES', 'D365_SALES', 'POWERAPPS']);
    expect(await t.service.seatsOf(account._id)).toEqual([]);
    expect(await t.service.seatSummary('POWERAPPS')).toMatchObject({ assigned: 0, free: 3 });
    expect(await t.service.seatSummary('CONNECTED_SPACES')).toMatchObject({ held: 0, free: 1 });
    const deleted = (await t.service.accountById(account._id))!;
    expect(deleted.deletedAt).toBeTruthy();
    expect(deleted.signInAllowed).toBe(false);
    expect((await t.service.enablement('sales-prod', account._id)).enabled).toBe(false);
    expect(await t.service.deleteAccount(account._id)).toMatchObject({ freedSkus: [] });
  });

  it('looks accounts up by UPN, id and email', async () => {
    await setup();
    const grace = (await t.service.accountByUpn('GRACE@contoso.example'))!;
    expect(grace.personEmail).toBe('grace@contoso.example');
    expect((await t.service.accountById(grace._id))!.upn).toBe('grace@contoso.example');
    expect(await t.service.accountByEmail('nobody@contoso.example')).toBeNull();
  });
});
