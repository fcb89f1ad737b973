import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.ts';
import { crashingDirectory } from './directories.ts';
import { buildSystem, newHire } from './support.ts';

const db = useTestDatabase('lifecycle/recovery-across-instances');

describe('recovery by another instance', () => {
  it('an instance holding an old copy of the request still runs what a crashed one queued', async () => {
    const { system: a, rebuild, clock } = await buildSystem(db.connection, { seats: 3 });
    const request = await a.lifecycle.submitOnboarding('ada@contoso.example', newHire(41));
    await a.lifecycle.idle();
    // Instance B approves, then "crashes" on its first directory step: the seat request stays
    // leased in the outbox. Instance A last saw the request while it waited for a decision.
    const b = rebuild(crashingDirectory(a.directory, 0));
    await b.lifecycle.act(request._id, 'grace@contoso.example', { type: 'approver.approved' });
    await b.lifecycle.idle();
    expect((await a.lifecycle.latest(request._id)).status).toBe('requested.awaitingApproval');

    clock.advance(61_000);
    await a.runner.recoverAll();
    await a.lifecycle.idle();
    expect((await a.lifecycle.get(request._id)).status).toBe('invited');
  });
});
