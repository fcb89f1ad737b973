import { createHash } from 'node:crypto';
import { requestEventSchema } from '../../machines/events.ts';
import { TAG } from '../../machines/tags.ts';
import { RetryableError } from '../errors.ts';
import type { AuditTrail } from './audit.ts';
import { type BatchRowDoc, ROW_RANK, rowId } from './bulk.model.ts';
import { decisionDeadlines } from './deadlines.ts';
import type { EffectDeps } from './effects.ts';
import { requestMachines } from './machines.ts';
import { newRequestDoc } from './new-request.ts';
import type { BulkProvisioned } from './ports.ts';
import type { BulkMemberDetails, HistoryEntry, RequestDoc } from './request.model.ts';
import { awaitsAcceptance } from './status.ts';
import { step } from './step.ts';

/** The writes of a chunk the bulk path needs from the requests collection (MongoRequestStore). */
export interface BulkRequestWrites {
  /** False when an id was taken already (nothing else is changed for it). */
  insertMany(docs: RequestDoc[]): Promise<boolean>;
  findMany(ids: string[]): Promise<RequestDoc[]>;
}

/** A row left to the one-at-a-time path, with the request the chunk made for it, if any. */
export interface Left {
  row: BatchRowDoc;
  requestId?: string;
  /** The seat of the person's SKU is held under the request's key already. */
  seatHeld: boolean;
}

/** What a chunk of a batch is admitted with, beside every effect's dependencies. */
export interface ChunkDeps {
  requests: BulkRequestWrites;
  audit: AuditTrail;
  decisionDeadlines: Parameters<typeof decisionDeadlines>[1];
  /** The rows of the batches (bulk_rows). */
  rows: import('mongoose').mongo.Collection<BatchRowDoc>;
  /** Fault injection for tests: called after each write of a chunk; a throw is a crash there. */
  afterWrite?: ((step: string) => void | Promise<void>) | undefined;
}

const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const WAITING = requestMachines.statusesTagged(TAG.waitingForSeat);

/** The request id of a batch's row: the same on every run, so a re-run finds what it made. */
export function memberId(batchId: string, line: number): string {
  const digest = createHash('sha256').update(rowId(batchId, line)).digest();
  return `REQ-${[...digest.subarray(0, 8)].map((b) => ALPHABET[b % ALPHABET.length]).join('')}`;
}

/**
 * Admits a chunk of a batch's staged rows with a few writes per collection instead of a few
 * dozen round trips per person: the people's requests (one insert, keyed by row), their P1 in
 * the directory (`Directory.provisionMany`: accounts, seats, environment), the transitions of
 * everyone provisioned to invited (one compare-and-set bulk write), their audit lines (from
 * their history, so a re-run adds only what is missing) and their rows. Each person still ends
 * as an onboarding of their own. Returns the rows left for the one-at-a-time path, with the
 * request (if any) and the seat already taken for them.
 */
export async function admitChunk(
  deps: EffectDeps,
  chunk: ChunkDeps,
  batch: RequestDoc,
  rows: BatchRowDoc[],
): Promise<Left[]> {
  const wrote = async (name: string) => chunk.afterWrite?.(name);
  const now = deps.clock.now();
  const ids = rows.map((r) => memberId(r.batchId, r.line));
  const stored = new Map((await chunk.requests.findMany(ids)).map((d) => [d._id, d]));
  const slow: Left[] = [];
  const made: Array<{ row: BatchRowDoc; id: string }> = [];
  const settled: RequestDoc[] = [];
  for (const [i, row] of rows.entries()) {
    const id = ids[i]!;
    const doc = stored.get(id);
    if (!doc) made.push({ row, id });
    else if (!isMemberOf(doc, row))
      slow.push({ row, seatHeld: false }); // an id taken otherwise
    else if (awaitsAcceptance(doc))
      settled.push(doc); // a run that stopped before its rows
    // Made by a run that stopped, or moving on already: the one-at-a-time path takes it from
    // where it is (a seat taken for it is found by its key, a late admission is ignored).
    else slow.push({ row: { ...row, requestId: doc._id }, seatHeld: false });
  }
  const expiresAt = new Date(now.getTime() + deps.invitationTtl);
  const seatsOf = new Set<string>();
  for (const sku of new Set(made.map((m) => m.row.details.sku))) {
    const [waiting] = await deps.store.ids({ skuId: sku, statuses: WAITING }, 'approval', 1);
    if (!waiting) seatsOf.add(sku); // L3: nobody queued for a seat of it comes after this batch
  }
  const people = made.map(({ id, row }) => ({ key: id, details: row.details }));
  const chunkKey = rowId(rows[0]!.batchId, rows[0]!.line);
  const provisioned = people.length
    ? ((await deps.directory.provisionMany?.(chunkKey, people, seatsOf, expiresAt)) ?? new Map())
    : new Map<string, BulkProvisioned>();
  await wrote('chunk:directory');
  // Each request saved as its machine leaves it: invited when its P1 is done, else admitted.
  const inserts: RequestDoc[] = [];
  const handedOn: RequestDoc[] = [];
  for (const { row, id } of made) {
    const base = newMember(chunk, batch, row, id, now);
    const done: BulkProvisioned | undefined = provisioned.get(id);
    const invited = done?.provisioned ? toInvited(base, done, expiresAt, now) : undefined;
    if (invited) settled.push(invited);
    else {
      handedOn.push(base);
      slow.push({ row, requestId: id, seatHeld: !!done?.seated });
    }
    inserts.push(invited ?? base);
  }
  if (!(await chunk.requests.insertMany(inserts))) {
    // Another run of this chunk saved some first (after a lease passed): start it over.
    throw new RetryableError('the chunk was admitted twice at once; it runs again');
  }
  await wrote('chunk:requests');
  // Everyone the chunk made a request of has its audit lines so far, whichever path goes on.
  await auditFromHistory(chunk.audit, [...settled, ...handedOn]);
  await wrote('chunk:audit');
  if (settled.length) {
    await chunk.rows.bulkWrite(
      settled.map((doc) => {
        const d = doc.details as BulkMemberDetails;
        return {
          updateOne: {
            filter: { _id: rowId(d.batchId, d.line), rank: { $lt: ROW_RANK.invited } },
            update: {
              $set: {
                state: 'invited',
                rank: ROW_RANK.invited,
                requestId: doc._id,
                upn: doc.context.upn as string,
              },
            },
          },
        };
      }),
      { ordered: false },
    );
  }
  await wrote('chunk:rows');
  return slow;
}

/** Whether `doc` is the request of the batch's `row` (not another request with the same id). */
function isMemberOf(doc: RequestDoc, row: BatchRowDoc): boolean {
  const d = doc.details as Partial<BulkMemberDetails>;
  return doc.kind === 'bulk_member' && d.batchId === row.batchId && d.line === row.line;
}

/** A person's request as `Lifecycle.submit` makes it, under the row's key, in `admitted`. */
function newMember(
  chunk: ChunkDeps,
  batch: RequestDoc,
  row: BatchRowDoc,
  id: string,
  now: Date,
): RequestDoc {
  const requesterEmail = batch.requesterEmail;
  const subjectEmail = row.details.email.toLowerCase();
  const input = { requestId: id, requesterEmail, subjectEmail, grantsGlobalAdmin: false };
  const [snapshot] = requestMachines.start('bulk_member', input);
  const details: BulkMemberDetails = { ...row.details, batchId: row.batchId, line: row.line };
  return newRequestDoc({
    id,
    kind: 'bulk_member',
    requesterEmail,
    subjectEmail,
    details,
    skuId: row.details.sku,
    snapshot,
    // The requester's notice of each person is the batch's progress message (nothing to run).
    outbox: [],
    deadlines: decisionDeadlines(now, chunk.decisionDeadlines),
    now,
  });
}

/**
 * The person's machine taken from `admitted` to `invited` in memory, as the one-at-a-time path
 * would (admitted with a seat, provisioned, invitation issued), each step completing the effects
 * the chunk did itself; undefined if the machine refuses a step.
 */
function toInvited(doc: RequestDoc, done: BulkProvisioned, expiresAt: Date, now: Date) {
  const events = [
    { type: 'batch.admitted', seatHeld: true },
    { type: 'directory.provisioned', accountId: done.accountId, upn: done.upn },
    { type: 'invitation.issued', expiresAt: expiresAt.toISOString() },
  ];
  let next = doc;
  const history: HistoryEntry[] = [];
  for (const event of events) {
    const verdict = step(next, requestEventSchema.parse(event), {
      machines: requestMachines,
      now,
      actorEmail: 'accessdesk',
      completes: next.outbox.map((i) => i.key),
      leaseUntil: now,
      ...(event.type === 'invitation.issued' ? { patch: { invitation: { expiresAt } } } : {}),
    });
    if (verdict.kind !== 'transitioned') return undefined;
    if (verdict.change.push) history.push(verdict.change.push);
    next = { ...next, ...verdict.change.set };
  }
  // Its last reports (the row, the requester's notice) are the chunk's own writes.
  return {
    ...next,
    outbox: [],
    version: doc.version + events.length,
    history: [...doc.history, ...history],
    updatedAt: now,
  };
}

/**
 * The audit lines of each request's history that the trail does not have yet, appended in
 * order (one read by request id, then the trail's group commit): a chunk run again after a
 * crash adds only what the stopped run had not written.
 */
async function auditFromHistory(audit: AuditTrail, docs: RequestDoc[]): Promise<void> {
  if (!docs.length) return;
  const have = new Map<string, number>();
  const entries = await audit.entries
    .find({ requestId: { $in: docs.map((d) => d._id) } }, { requestId: 1, action: 1 })
    .lean();
  for (const e of entries) {
    const k = `${e.requestId}|${e.action}`;
    have.set(k, (have.get(k) ?? 0) + 1);
  }
  const appends: Array<Promise<unknown>> = [];
  for (const doc of docs) {
    for (const h of doc.history) {
      const k = `${doc._id}|${h.event}`;
      const n = have.get(k) ?? 0;
      if (n > 0) {
        have.set(k, n - 1);
        continue;
      }
      appends.push(
        audit.append({
          requestId: doc._id,
          actor: h.actor,
          action: h.event,
          ...(h.from ? { from: h.from } : {}),
          to: h.to,
        }),
      );
    }
  }
  await Promise.all(appends);
}
