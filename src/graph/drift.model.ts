/**
 * What the directory sync saw (one document per role assignment or group membership), what
 * accessdesk itself granted, and the drift between them that Global admins read in App Home.
 */
import type { Connection, mongo } from 'mongoose';

/** A kind of thing accessdesk grants in Entra and the sync watches. */
export type GrantKind = 'role' | 'group';

/** One admin role assignment or security-group membership seen in Entra. */
interface ObservedDoc {
  _id: string;
  kind: GrantKind;
  /** The admin role's name, or the environment's id. */
  target: string;
  principalId: string;
  /** The sync run that last saw it. */
  run: number;
  since: Date;
  /** Made in Entra, not by an accessdesk request, after the first sync. */
  outside: boolean;
}

/** Something accessdesk granted (noted before asking Graph, dropped after revoking). */
interface GrantNoteDoc {
  _id: string;
}

interface SyncStateDoc {
  _id: 'state';
  run: number;
  completed: number;
  lastRunAt?: Date;
  lastError?: string | null;
}

const key = (kind: GrantKind, target: string, principalId: string) =>
  `${kind}:${target}:${principalId}`;

/** At most this many drift lines reach App Home. */
export const DRIFT_LINES = 10;

/** The sync's documents: bounded reads, one index per query. */
export class DriftStore {
  readonly #observed: mongo.Collection<ObservedDoc>;
  readonly #notes: mongo.Collection<GrantNoteDoc>;
  readonly #state: mongo.Collection<SyncStateDoc>;
  readonly #skus: mongo.Collection<{ _id: string; name: string; external?: number }>;
  #indexed: Promise<unknown> | undefined;

  constructor(connection: Connection) {
    this.#observed = connection.collection<ObservedDoc>('directory_observed');
    this.#notes = connection.collection<GrantNoteDoc>('directory_granted');
    this.#state = connection.collection<SyncStateDoc>('directory_sync');
    this.#skus = connection.collection('skus');
  }

  /** The indexes every read here is served by (created once). */
  indexes(): Promise<unknown> {
    this.#indexed ??= Promise.all([
      this.#observed.createIndex({ outside: 1, kind: 1, target: 1 }),
      this.#observed.createIndex({ kind: 1, target: 1, run: 1 }),
    ]);
    return this.#indexed;
  }

  /** Notes that accessdesk grants `kind`/`target` to `principalId` (before Graph is asked). */
  async noteGrant(kind: GrantKind, target: string, principalId: string): Promise<void> {
    const _id = key(kind, target, principalId);
    await this.#notes.updateOne({ _id }, { $setOnInsert: { _id } }, { upsert: true });
    // Granted by a request now, so no longer drift even if first seen outside.
    await this.#observed.updateOne({ _id }, { $set: { outside: false } });
  }

  /** Forgets a grant accessdesk took back: a later re-grant in Entra is drift again. */
  async forgetGrant(kind: GrantKind, target: string, principalId: string): Promise<void> {
    await this.#notes.deleteOne({ _id: key(kind, target, principalId) });
  }

  /** Starts a sync run; returns its number and whether it is the baseline (no run finished yet). */
  async beginRun(now: Date): Promise<{ run: number; baseline: boolean }> {
    await this.indexes();
    const state = await this.#state.findOneAndUpdate(
      { _id: 'state' },
      { $inc: { run: 1 }, $set: { lastRunAt: now }, $setOnInsert: { completed: 0 } },
      { upsert: true, returnDocument: 'after' },
    );
    return { run: state!.run, baseline: (state!.completed ?? 0) === 0 };
  }

  /** Ends a run: its outcome, for `npm run directory:sync` and the next run's baseline. */
  async endRun(error?: string): Promise<void> {
    await this.#state.updateOne(
      { _id: 'state' },
      error
        ? { $set: { lastError: error } }
        : { $inc: { completed: 1 }, $set: { lastError: null } },
    );
  }

  /**
   * One page of what Entra shows for `kind`/`target`: those not stored yet are read against
   * accessdesk's notes and inserted (one bulkWrite); new and not noted as accessdesk's (and not
   * in the baseline run) is drift. Those already stored are only counted (an index-only read):
   * returns how many of the page were stored before this run.
   */
  async observePage(
    kind: GrantKind,
    target: string,
    principalIds: string[],
    run: number,
    baseline: boolean,
    now: Date,
  ): Promise<number> {
    if (!principalIds.length) return 0;
    const ids = principalIds.map((p) => key(kind, target, p));
    const stored = await this.#observed
      .find({ _id: { $in: ids } }, { projection: { _id: 1 } })
      .toArray();
    const seen = new Set(stored.map((d) => d._id));
    const fresh = principalIds.flatMap((principalId, i) =>
      seen.has(ids[i]!) ? [] : [{ _id: ids[i]!, principalId }],
    );
    if (!fresh.length) return stored.length;
    const ours = new Set(
      (
        await this.#notes
          .find({ _id: { $in: fresh.map((f) => f._id) } }, { projection: { _id: 1 } })
          .toArray()
      ).map((d) => d._id),
    );
    await this.#observed.bulkWrite(
      fresh.map(({ _id, principalId }) => ({
        updateOne: {
          filter: { _id },
          update: {
            $setOnInsert: {
              kind,
              target,
              principalId,
              run,
              since: now,
              outside: !baseline && !ours.has(_id),
            },
          },
          upsert: true,
        },
      })),
      { ordered: false },
    );
    return stored.length;
  }

  /** How many documents each `kind:target` had before `run` (one aggregate, bounded by targets). */
  async storedBefore(run: number): Promise<Map<string, number>> {
    const counts = await this.#observed
      .aggregate<{ _id: { kind: GrantKind; target: string }; n: number }>([
        { $match: { run: { $lt: run } } },
        { $group: { _id: { kind: '$kind', target: '$target' }, n: { $sum: 1 } } },
      ])
      .toArray();
    return new Map(counts.map((c) => [`${c._id.kind}:${c._id.target}`, c.n]));
  }

  /** Something stored was not seen: a second read stamps what is still there with the run. */
  async stamp(kind: GrantKind, target: string, principalIds: string[], run: number) {
    if (!principalIds.length) return;
    const ids = principalIds.map((p) => key(kind, target, p));
    await this.#observed.updateMany({ _id: { $in: ids } }, { $set: { run } });
  }

  /** After the stamping read: what it did not stamp is gone from Entra. */
  async sweep(kind: GrantKind, target: string, run: number): Promise<void> {
    await this.#observed.deleteMany({ kind, target, run: { $lt: run } });
  }

  /**
   * The drift Global admins see, one line per kind of change (bounded, indexed): e.g. "3
   * accounts got Global admin outside accessdesk".
   */
  async lines(environmentNames: Map<string, string> = new Map()): Promise<string[]> {
    const grouped = await this.#observed
      .aggregate<{ _id: { kind: GrantKind; target: string }; count: number }>([
        { $match: { outside: true } },
        { $group: { _id: { kind: '$kind', target: '$target' }, count: { $sum: 1 } } },
        { $sort: { count: -1, '_id.target': 1 } },
        { $limit: DRIFT_LINES },
      ])
      .toArray();
    const lines = grouped.map(({ _id, count }) => {
      const accounts = count === 1 ? '1 account' : `${count} accounts`;
      return _id.kind === 'role'
        ? `${accounts} got ${_id.target} outside accessdesk`
        : `${accounts} joined the security group of ${environmentNames.get(_id.target) ?? _id.target} outside accessdesk`;
    });
    const skus = await this.#skus
      .find({ external: { $gt: 0 } }, { projection: { name: 1, external: 1 } })
      .sort({ _id: 1 })
      .limit(DRIFT_LINES)
      .toArray();
    for (const sku of skus) {
      const seats = sku.external === 1 ? '1 seat' : `${sku.external} seats`;
      lines.push(`${seats} of ${sku.name} are used by accounts accessdesk did not license`);
    }
    return lines.slice(0, DRIFT_LINES);
  }
}
