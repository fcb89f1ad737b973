import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { AuditTrail } from '../../src/lifecycle/audit.ts';
import { useTestDatabase } from '../support/db.ts';

const db = useTestDatabase('lifecycle/audit-race');

describe('audit trail under concurrent appends', () => {
  it('two instances appending at once keep one unbroken chain, every record once', async () => {
    const clock = new ManualClock();
    const a = new AuditTrail(db.connection, clock);
    const b = new AuditTrail(db.connection, clock);
    const appends = Array.from({ length: 200 }, (_, i) =>
      (i % 2 ? a : b).append({ requestId: `REQ-${i}`, actor: 'test', action: 'x' }),
    );
    const entries = await Promise.all(appends);
    expect(new Set(entries.map((e) => e.seq)).size).toBe(200);
    expect(await a.verify()).toEqual({ ok: true, entries: 200 });
    const stored = await a.entries.find().lean();
    expect(new Set(stored.map((e) => e.requestId)).size).toBe(200);
  });
});
