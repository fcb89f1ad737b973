import { describe, expect, it } from 'vitest';
import { submitOnboarding } from '../../src/lifecycle/submit.ts';
import { useTestDatabase } from '../support/db.ts';
import { crashingDirectory } from './directories.ts';
import { buildSystem, newHire } from './support.ts';

const db = useTestDatabase('lifecycle/recovery-across-instances');

describe('recovery by another instance', () => {
  it('an instance holding an old copy of the request still runs what a crashed one queued', async () => {
    const { system: a, rebuild, clock } = await buildSystem(db.connection, { seats: 3 });
    const request = await submitOnboarding(a.lifecycle, 'ada@contoso.example', newHire(41));
    await a.background.idle();
    // Instance B approves, then "crashes" on its first directory step: the seat request stays
    // leased in the outbox. Instance A last saw the request while it waited for a decision.
    const b = rebuild(crashingDirectory(a.directory, 0));
    await b.lifecycle.act(request._id, 'grace@contoso.example', { type: 'approver.approved' });
    await b.background.idle();
    expect((await a.store.latest(request._id)).status).toBe('requested.awaitingApproval');

    clock.advance(61_000);
    await a.runner.recoverAll();
    await a.background.idle();
    expect((await a.store.get(request._id)).status).toBe('invited');
  });
});
