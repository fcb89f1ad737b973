import { describe, expect, it } from 'vitest';
import type { Directory } from '../../src/lifecycle/ports.ts';
import { submitOnboarding, submitRoleChange } from '../../src/lifecycle/submit.ts';
import { useTestDatabase } from '../support/db.ts';
import { buildSystem, newHire } from './support.ts';

const db = useTestDatabase('lifecycle/failures');

describe('effects that fail', () => {
  it('L1: a second license of the same SKU for one account fails and gives its held seat back', async () => {
    const { system, tenant } = await buildSystem(db.connection, { seats: 5 });
    const { lifecycle, store, background } = system;
    const addLicense = async () => {
      const r = await submitRoleChange(lifecycle, 'grace@contoso.example', 'ada@contoso.example', {
        change: 'license_add',
        sku: 'D365_SALES',
        justification: 'needs Sales',
      });
      await lifecycle.act(r._id, 'linus@contoso.example', { type: 'approver.approved' });
      await background.idle();
      return store.get(r._id);
    };
    expect((await addLicense()).status).toBe('applied');
    const second = await addLicense();
    expect(second.status).toBe('failed');
    expect(second.context.failureReason).toMatch(/one seat per account.*L1/);
    const ada = await tenant.accountByEmail('ada@contoso.example');
    const seats = (await tenant.seatsOf(ada!._id)).filter((s) => s.skuId === 'D365_SALES');
    expect(seats).toHaveLength(1);
    expect(await tenant.seatHolder('D365_SALES', second._id)).toBeUndefined();
  });

  it('an effect that keeps failing with an unexpected error gives up after 8 attempts and fails the request', async () => {
    const broken = (d: Directory): Directory =>
      new Proxy(d, {
        get: (target, name, receiver) =>
          name === 'createAccount'
            ? async () => {
                throw new Error('directory unreachable');
              }
            : Reflect.get(target, name, receiver),
      });
    const { system, clock } = await buildSystem(db.connection, { seats: 5, directory: broken });
    const { lifecycle, store, background } = system;
    const request = await submitOnboarding(lifecycle, 'ada@contoso.example', newHire(77));
    await lifecycle.act(request._id, 'grace@contoso.example', { type: 'approver.approved' });
    await background.idle();
    expect((await store.get(request._id)).status).toBe('approved.provisioning');
    for (let i = 0; i < 10; i++) {
      clock.advance(61_000);
      await system.runner.recoverAll();
      await background.idle();
    }
    const failed = await store.get(request._id);
    expect(failed.status).toBe('failed');
    expect(failed.context.failureReason).toMatch(
      /gave up after 8 attempts: Error: directory unreachable/,
    );
    expect(failed.failure?.undone).toEqual(
      expect.arrayContaining(['released the held D365_SALES seat']),
    );
  });
});

describe("the requester's notice failing", () => {
  it('P1: holds up none of the work behind it; it is retried on its own and delivered later', async () => {
    const { system, notifier, clock } = await buildSystem(db.connection, { seats: 5 });
    const { lifecycle, store, background } = system;
    const deliver = notifier.requestChanged.bind(notifier);
    let slackDown = true;
    notifier.requestChanged = async (request) => {
      if (slackDown) throw new Error('slack: service_unavailable');
      await deliver(request);
    };
    const request = await submitOnboarding(lifecycle, 'ada@contoso.example', newHire(88));
    await lifecycle.act(request._id, 'grace@contoso.example', { type: 'approver.approved' });
    await background.idle();
    // Seat, account, environment and invitation all went ahead without the notices.
    const invited = await store.get(request._id);
    expect(invited.status).toBe('invited');
    expect(invited.context.accountId).toMatch(/^acc_/);
    const waiting = invited.outbox.filter((i) => i.effect === 'notifyRequester');
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.every((i) => i.status === 'pending' && i.lastError)).toBe(true);
    expect(notifier.count('requestChanged', request._id)).toBe(0);

    slackDown = false;
    clock.advance(60_000);
    await system.scheduler.sweep();
    await background.idle();
    expect(notifier.count('requestChanged', request._id)).toBe(waiting.length);
    expect((await store.get(request._id)).outbox).toEqual([]);
  });
});
