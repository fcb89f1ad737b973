import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rawOf } from '../../src/tenant/tenant.model.ts';
import { runScript } from '../support/run-script.ts';
import { smallConfig, useTenant } from '../tenant/helpers.ts';

const t = useTenant('scripts/seats-verify');
const SCRIPT = fileURLToPath(new URL('../../scripts/seats.ts', import.meta.url));

/** `npm run seats:verify` against this test's database. */
const verify = (...args: string[]) => runScript(SCRIPT, t.db, ['verify', ...args]);

describe('npm run seats:verify', () => {
  it('L3/L5: reports drift 0 for exact counters, and the SKU and exit 1 when they drift', async () => {
    await t.service.applyConfig(smallConfig());
    await t.service.assignSeat('POWERAPPS', 'a');
    await t.service.holdSeat('POWERAPPS', 'b');
    const exact = await verify();
    expect(exact.out).toContain('POWERAPPS: 3 seats, 1 assigned, 1 held, 1 free — drift 0');
    expect(exact.code).toBe(0);

    await rawOf(t.service.models.Sku).updateOne(
      { _id: 'POWERAPPS' },
      { $inc: { free: -1, held: 1 } },
    );
    const drifted = await verify();
    expect(drifted.out).toMatch(/POWERAPPS: .* DRIFT held 1, assigned 0, free -1/);
    expect(drifted.out).toContain('D365_SALES: 10 seats, 0 assigned, 0 held, 10 free — drift 0');
    expect(drifted.code).toBe(1);
  }, 60_000);

  it('M3: reports an environment whose non-interactive counter disagrees with its places', async () => {
    await t.service.applyConfig(smallConfig());
    const exact = await verify();
    expect(exact.out).not.toContain('non-interactive');
    expect(exact.code).toBe(0);
    await rawOf(t.service.models.Environment).updateOne(
      { _id: 'sales-prod' },
      { $inc: { nonInteractiveFree: -1 } },
    );
    const drifted = await verify();
    expect(drifted.out).toContain(
      'sales-prod: non-interactive limit 7, 6 free, 0 places taken — DRIFT (0 in flight)',
    );
    expect(drifted.code).toBe(1);
  }, 60_000);
});
