import { stringify } from 'csv-stringify/sync';
import type { BatchRowState } from '../../machines/bulk-member.machine.ts';
import type { BULK_ONBOARDING_EFFECTS } from '../../machines/bulk-onboarding.machine.ts';
import { TAG } from '../../machines/tags.ts';
import { AccessdeskError, ErrorCode } from '../errors.ts';
import { type BatchRowDoc, ROW_RANK, rowId, SETTLED_RANK } from './bulk.model.ts';
import type { BatchNotifier, BulkImports } from './bulk.service.ts';
import { admitChunk, type ChunkDeps, type Left } from './bulk-chunk.ts';
import type { BatchProgress } from './bulk-progress.ts';
import type { Effect } from './effect-runner.ts';
import type { EffectDeps } from './effects.ts';
import { patchThrough } from './effects.ts';
import { hashToken, newInvitationToken } from './invitation-token.ts';
import { requestMachines } from './machines.ts';
import type { BulkMemberDetails, BulkOnboardingDetails, RequestDoc } from './request.model.ts';
import { awaitsAcceptance, statusWord } from './status.ts';

/** What bulk onboarding's effects work with, beside every effect's. */
export interface BulkDeps {
  imports: BulkImports;
  progress: BatchProgress;
  notifier: BatchNotifier;
  /** The chunked path's writes (bulk-chunk.ts); unset, or a directory without `provisionMany`: one at a time. */
  chunk?: ChunkDeps;
}

/** Every stored status of a request waiting for a seat (the seat queue's). */
const WAITING = requestMachines.statusesTagged(TAG.waitingForSeat);

/** People admitted per step of the batch (each step is its own outbox item, well within a lease). */
export const ADMIT_CHUNK = 500;
/** People admitted at once within a step. */
const ADMIT_PARALLEL = 64;

/** The effects of a batch and of each person in it. */
export function bulkEffects(
  deps: EffectDeps,
  wired: BulkDeps | undefined,
): Record<(typeof BULK_ONBOARDING_EFFECTS)[number] | 'reportToBatch', Effect> {
  const { lifecycle, store } = deps;
  const need = (): BulkDeps => {
    if (!wired) throw new Error('bulk onboarding is not wired here (EffectDeps.bulk)');
    return wired;
  };
  const batchOf = (r: RequestDoc) => (r.details as BulkOnboardingDetails).batchId;

  /** The person's request, made once under the batch and row (found again after a crash). */
  const admit = async (batch: RequestDoc, row: BatchRowDoc, seats: SeatGate) => {
    const { imports } = need();
    let requestId = row.requestId;
    if (!requestId && row.state === 'admitting') requestId = await findMember(deps, row);
    if (!requestId) {
      const marked = await imports.rows.updateOne(
        { _id: row._id, state: 'staged' },
        { $set: { state: 'admitting' } },
      );
      if (!marked.modifiedCount) requestId = await findMember(deps, row);
    }
    // A request found rather than made is a repeat after a crash: its seat may be taken already.
    const repeat = !!requestId;
    if (!requestId) {
      const details: BulkMemberDetails = { ...row.details, batchId: row.batchId, line: row.line };
      const child = await lifecycle.submit({
        kind: 'bulk_member',
        requesterEmail: batch.requesterEmail,
        subjectEmail: row.details.email,
        details,
        input: { grantsGlobalAdmin: false },
        skuId: row.details.sku,
      });
      requestId = child._id;
    }
    // Ignored by a person already admitted (a repeat after a crash). The row moves on after
    // it: a crash in between finds the row still to admit, and its request by its key.
    const seatHeld = await seats.take(row.details.sku, requestId, repeat);
    await lifecycle.send(requestId, { type: 'batch.admitted', seatHeld });
    await imports.moveRow(row._id, 'queued', { requestId });
  };

  /** A person the chunk made the request of (and maybe took the seat of): admitted as it stands. */
  const admitMade = async ({ row, requestId, seatHeld }: Required<Left>) => {
    await lifecycle.send(requestId, { type: 'batch.admitted', seatHeld });
    await need().imports.moveRow(row._id, 'queued', { requestId });
  };

  return {
    startProgress: async (request) => {
      await need().progress.edit(batchOf(request), true);
      return undefined;
    },
    admitPeople: async (request, _item, completes) => {
      const bulk = need();
      const { imports, progress } = bulk;
      const batchId = batchOf(request);
      const rows = await imports.rows
        .find({ batchId, rank: ROW_RANK.staged })
        .sort({ rank: 1, line: 1 })
        .limit(ADMIT_CHUNK)
        .toArray();
      // Rows an earlier run began one at a time (`admitting`) finish that way.
      const chunked = bulk.chunk && deps.directory.provisionMany;
      const fast = chunked ? rows.filter((r) => r.state === 'staged') : [];
      const rest = chunked
        ? ([
            ...rows
              .filter((r) => r.state !== 'staged')
              .map((row): Left => ({ row, seatHeld: false })),
            ...(fast.length ? await admitChunk(deps, bulk.chunk!, request, fast) : []),
          ] as Left[])
        : rows.map((row) => ({ row, seatHeld: false }) as Left);
      for (let i = 0; i < rest.length; i += ADMIT_PARALLEL) {
        // Every admission of the group ends before the step does, even when one fails: a
        // retry must never meet a sibling still making its person's request.
        const seats = seatGate(deps);
        const group = rest
          .slice(i, i + ADMIT_PARALLEL)
          .map((left) =>
            left.requestId ? admitMade(left as Required<Left>) : admit(request, left.row, seats),
          );
        const failed = (await Promise.allSettled(group)).find((r) => r.status === 'rejected');
        if (failed) throw failed.reason;
      }
      const more = await imports.rows.findOne({ batchId, rank: ROW_RANK.staged });
      progress.poke(batchId);
      await lifecycle.send(
        request._id,
        { type: more ? 'batch.progressed' : 'batch.queued' },
        { completes },
      );
      // Everyone may have settled while being admitted: the last report found the batch busy.
      if (!more) await settleIfDone(deps, bulk, batchId);
      return undefined;
    },
    reportToBatch: async (request, item) => {
      const bulk = need();
      const { imports, progress } = bulk;
      const details = request.details as BulkMemberDetails;
      const state = (item.params as { state: BatchRowState }).state;
      const upn = request.context.upn as string | undefined;
      await imports.moveRow(rowId(details.batchId, details.line), state, {
        requestId: request._id,
        ...(upn ? { upn } : {}),
      });
      progress.poke(details.batchId);
      if (ROW_RANK[state] >= SETTLED_RANK) await settleIfDone(deps, bulk, details.batchId);
      return undefined;
    },
    dropStagedPeople: async (request) => {
      await need().imports.rows.deleteMany({
        batchId: batchOf(request),
        rank: ROW_RANK.staged,
        state: 'staged',
      });
      return undefined;
    },
    sendBatchResults: async (request, _item, completes) => {
      const bulk = need();
      const { imports, progress } = bulk;
      const batchId = batchOf(request);
      const batch = await imports.batch(batchId);
      if (!batch) throw new Error(`no batch ${batchId}`);
      await progress.edit(batchId, true);
      const lines = [['line', 'email', 'user_name', 'status', 'invitation_link']];
      const patch = patchThrough(store);
      /** One row's line; a person still invited gets a fresh one-time link (only its hash is stored). */
      const lineOf = async (row: BatchRowDoc, member: RequestDoc | undefined) => {
        let link = '';
        if (member && awaitsAcceptance(member) && !member.invitation?.usedAt) {
          const token = newInvitationToken();
          const saved = await patch(member._id, (doc) =>
            awaitsAcceptance(doc) && doc.invitation && !doc.invitation.usedAt
              ? { invitation: { ...doc.invitation, tokenHash: hashToken(token) } }
              : undefined,
          );
          if (saved.invitation?.tokenHash === hashToken(token))
            link = `${deps.publicUrl}/invitations/${token}`;
        }
        const word = member ? statusWord(member.kind, member.status) : 'not admitted';
        const upn = (member?.context.upn as string | undefined) ?? row.upn ?? '';
        return [String(row.line), row.details.email, upn, word, link];
      };
      // A chunk of rows at a time, in file order: their requests in one read, their links
      // minted ADMIT_PARALLEL at once (each its own compare-and-set on its own request).
      const writeChunk = async (rows: BatchRowDoc[]) => {
        const ids = rows.flatMap((row) => (row.requestId ? [row.requestId] : []));
        const found = bulk.chunk
          ? await bulk.chunk.requests.findMany(ids)
          : await Promise.all(ids.map((id) => store.find(id)));
        const members = new Map(found.flatMap((doc) => (doc ? [[doc._id, doc] as const] : [])));
        for (let i = 0; i < rows.length; i += ADMIT_PARALLEL) {
          const slice = rows.slice(i, i + ADMIT_PARALLEL);
          lines.push(
            ...(await Promise.all(
              slice.map((row) =>
                lineOf(row, row.requestId ? members.get(row.requestId) : undefined),
              ),
            )),
          );
        }
      };
      let rows: BatchRowDoc[] = [];
      for await (const row of imports.rows.find({ batchId }).sort({ batchId: 1, line: 1 })) {
        rows.push(row);
        if (rows.length < ADMIT_CHUNK) continue;
        await writeChunk(rows);
        rows = [];
      }
      await writeChunk(rows);
      await bulk.notifier.batchResults(batch, `${batchId}-results.csv`, stringify(lines));
      await lifecycle.send(request._id, { type: 'batch.reported' }, { completes });
      return undefined;
    },
  };
}

/** Takes seats for one group of people being admitted together (see `seatGate`). */
interface SeatGate {
  /** `repeat`: the person may have taken their seat before a crash (it is theirs, whatever waits). */
  take(skuId: string, requestId: string, repeat: boolean): Promise<boolean>;
}

/**
 * L3 in approval order, without the seat queue's one-at-a-time hand-over: the seat is taken
 * here, keyed by the person's request (a repeat finds it held), but only while no request of
 * the SKU waits for one; otherwise the person joins the queue behind them. The queue is asked
 * once per SKU for the whole group, and once a take finds no free seat the rest of the group
 * joins the queue without asking the ledger again (one round trip per group instead of one per
 * person; nobody of the group passes someone queued before it). A person admitted again after a
 * crash keeps the seat it took before it, whoever waits now.
 */
function seatGate(deps: EffectDeps): SeatGate {
  const open = new Map<string, Promise<boolean>>();
  const nobodyWaits = (skuId: string) => {
    let known = open.get(skuId);
    if (!known) {
      known = deps.store
        .ids({ skuId, statuses: WAITING }, 'approval', 1)
        .then(([waiting]) => !waiting);
      open.set(skuId, known);
    }
    return known;
  };
  return {
    take: async (skuId, requestId, repeat) => {
      if (repeat && (await deps.directory.holdsSeat(skuId, requestId))) return true;
      if (!(await nobodyWaits(skuId))) return false;
      try {
        await deps.directory.holdSeat(skuId, requestId);
        return true;
      } catch (error) {
        if (error instanceof AccessdeskError && error.code === ErrorCode.NoFreeSeat) {
          open.set(skuId, Promise.resolve(false));
          return false;
        }
        throw error;
      }
    },
  };
}

/** Tells the batch it is settled once no person holds it open (one indexed lookup). */
async function settleIfDone(deps: EffectDeps, bulk: BulkDeps, batchId: string) {
  const open = await bulk.imports.rows.findOne(
    { batchId, rank: { $lt: SETTLED_RANK } },
    { projection: { _id: 1 } },
  );
  if (open) return;
  const batch = await bulk.imports.batch(batchId);
  // Ignored unless the batch is running (still admitting, or already settled).
  if (batch?.requestId) await deps.lifecycle.send(batch.requestId, { type: 'batch.settled' });
}

/** The request made for a row before a crash left the row unmarked: by subject, batch and line. */
async function findMember(deps: EffectDeps, row: BatchRowDoc): Promise<string | undefined> {
  const found = await deps.store.list({ involving: [row.details.email] }, 'newest', 50);
  return found.find((r) => {
    const d = r.details as Partial<BulkMemberDetails>;
    return r.kind === 'bulk_member' && d.batchId === row.batchId && d.line === row.line;
  })?._id;
}
