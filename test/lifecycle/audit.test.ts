import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditTrail } from '../../src/lifecycle/audit.ts';
import { type AuditEntry, hashEntry } from '../../src/lifecycle/audit.ts';
import { submitOnboarding } from '../../src/lifecycle/submit.ts';
import { useTestDatabase } from '../support/db.ts';
import { buildSystem, newHire, resetDatabase } from './support.ts';

const db = useTestDatabase('lifecycle/audit');

const GRACE = 'grace@contoso.example';
const ADA = 'ada@contoso.example';

/** A trail with a few real entries: two submissions, a refusal, an approval and its effects. */
async function trailWithEntries(): Promise<AuditTrail> {
  await resetDatabase(db.connection);
  const { system } = await buildSystem(db.connection, { seats: 5 });
  const { lifecycle, background, audit } = system;
  const first = await submitOnboarding(lifecycle, ADA, newHire('a1'));
  await submitOnboarding(lifecycle, ADA, newHire('a2'));
  await lifecycle.act(first._id, ADA, { type: 'approver.approved' }); // refused: not an admin
  await lifecycle.act(first._id, GRACE, { type: 'approver.approved' });
  await background.idle();
  // A reason with the characters CSV must quote.
  await audit.append({
    requestId: first._id,
    actor: GRACE,
    action: 'note',
    reason: 'she said "no", twice\nthen yes',
  });
  return audit;
}

/** Minimal RFC 4180 reader: quoted fields, doubled quotes, commas and newlines inside quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

/** An exported row back into an entry: empty optional fields were never set. */
function fromRow(row: Record<string, string | number>): AuditEntry {
  const optional = (v: unknown) => (v === '' ? undefined : String(v));
  return {
    seq: Number(row.seq),
    at: new Date(String(row.at)),
    requestId: String(row.requestId),
    actor: String(row.actor),
    action: String(row.action),
    from: optional(row.from),
    to: optional(row.to),
    reason: optional(row.reason),
    prevHash: String(row.prevHash),
    hash: String(row.hash),
  };
}

/** Checks a chain on its own, without the database: each hash and each link. */
function chainHolds(entries: AuditEntry[]): boolean {
  return entries.every(
    (e, i) =>
      e.seq === i + 1 &&
      hashEntry(e) === e.hash &&
      e.prevHash === (i === 0 ? '0'.repeat(64) : entries[i - 1]!.hash),
  );
}

describe('the hash-chained audit trail', () => {
  let audit: AuditTrail;
  let count: number;
  beforeEach(async () => {
    audit = await trailWithEntries();
    const verdict = await audit.verify();
    expect(verdict.ok).toBe(true);
    count = verdict.entries;
    expect(count).toBeGreaterThan(5);
  });

  it('editing an entry breaks verification', async () => {
    await audit.entries.updateOne({ seq: 2 }, { $set: { actor: 'mallory' } });
    expect(await audit.verify()).toMatchObject({
      ok: false,
      problem: 'entry 2 was altered',
    });
  });

  it('editing an entry and recomputing its hash breaks the link to the next one', async () => {
    const entry = (await audit.entries.findOne({ seq: 3 }).lean())!;
    const forged = { ...entry, actor: 'mallory' };
    await audit.entries.updateOne(
      { seq: 3 },
      { $set: { actor: 'mallory', hash: hashEntry(forged) } },
    );
    expect(await audit.verify()).toMatchObject({
      ok: false,
      problem: 'entry 4 does not follow entry 3',
    });
  });

  it('deleting an entry in the middle breaks verification', async () => {
    await audit.entries.deleteOne({ seq: 3 });
    expect(await audit.verify()).toMatchObject({
      ok: false,
      problem: 'entry 3 is missing',
    });
  });

  it('deleting the last entry breaks verification (the head remembers it)', async () => {
    await audit.entries.deleteOne({ seq: count });
    expect(await audit.verify()).toMatchObject({
      ok: false,
      problem: `entries after ${count - 1} were deleted`,
    });
  });

  it('refusals are in the trail with their reason', async () => {
    const refused = await audit.entries.find({ action: /^refused:/ }).lean();
    expect(refused).toEqual([expect.objectContaining({ actor: ADA, reason: 'not_global_admin' })]);
  });

  it('JSON lines export round-trips and verifies on its own', async () => {
    const text = await audit.exportJsonLines();
    expect(text.endsWith('\n')).toBe(true);
    const rows = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, string | number>);
    const stored = await audit.entries.find().sort({ seq: 1 }).lean();
    expect(rows).toHaveLength(count);
    const entries = rows.map(fromRow);
    expect(entries.map((e) => [e.seq, e.hash, e.actor, e.reason])).toEqual(
      stored.map((e) => [e.seq, e.hash, e.actor, e.reason]),
    );
    expect(chainHolds(entries)).toBe(true);
    // A forged export is caught the same way.
    entries[1] = { ...entries[1]!, actor: 'mallory' };
    expect(chainHolds(entries)).toBe(false);
  });

  it('CSV export round-trips (quotes, commas, newlines) and verifies on its own', async () => {
    const [header, ...rows] = parseCsv(await audit.exportCsv());
    expect(header).toEqual([
      'seq',
      'at',
      'requestId',
      'actor',
      'action',
      'from',
      'to',
      'reason',
      'prevHash',
      'hash',
    ]);
    expect(rows).toHaveLength(count);
    const entries = rows.map((cells) =>
      fromRow(Object.fromEntries(header!.map((name, i) => [name, cells[i] ?? '']))),
    );
    expect(entries.at(-1)!.reason).toBe('she said "no", twice\nthen yes');
    expect(chainHolds(entries)).toBe(true);
    const json = (await audit.exportJsonLines())
      .trimEnd()
      .split('\n')
      .map((line) => fromRow(JSON.parse(line)));
    expect(entries).toEqual(json);
  });
});
