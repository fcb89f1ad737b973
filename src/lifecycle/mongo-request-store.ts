import type { Connection, Model, mongo } from 'mongoose';
import type { Clock } from '../clock.ts';
import { retryTransient } from '../db/transient.ts';
import { AccessdeskError, ErrorCode } from '../errors.ts';
import type { HistoryEntry, RequestDoc } from './request.model.ts';
import { requestModel } from './request.model.ts';
import type {
  Modify,
  RequestOrder,
  RequestQuery,
  RequestStore,
  Updated,
  UpdateOptions,
} from './request-store.ts';

const CAS_RETRIES = 50;
/** How many request documents a process remembers (the newest it wrote or read). */
const KNOWN_DOCS = 5000;

const SORTS: Record<RequestOrder, Record<string, 1 | -1>> = {
  newest: { createdAt: -1 },
  oldest: { createdAt: 1 },
  approval: { approvedAt: 1, _id: 1 },
};

/**
 * The requests collection in MongoDB: the only file that reads or writes it. Hot paths go to the
 * driver directly (mongoose's casting costs about 0.3 ms of CPU a call); the mongoose model is
 * kept for its indexes.
 */
export class MongoRequestStore implements RequestStore {
  readonly requests: Model<RequestDoc>;
  readonly #raw: mongo.Collection<RequestDoc>;
  /** Newest request documents seen, oldest first (a bounded cache, not actors: nothing runs). */
  readonly #known = new Map<string, RequestDoc>();
  /** The last queued write of each request being written now (see `#serially`). */
  readonly #writes = new Map<string, Promise<void>>();

  constructor(
    connection: Connection,
    private readonly clock: Clock,
  ) {
    this.requests = requestModel(connection);
    this.#raw = this.requests.collection as unknown as mongo.Collection<RequestDoc>;
  }

  async insert(doc: RequestDoc): Promise<boolean> {
    try {
      await this.#raw.insertOne(doc, { ignoreUndefined: true });
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return false;
      throw error;
    }
    this.#remember(doc);
    return true;
  }

  async get(id: string): Promise<RequestDoc> {
    const doc = await this.#raw.findOne({ _id: id });
    if (!doc) throw new AccessdeskError(ErrorCode.NotFound, `No request ${id}.`);
    return this.#remember(doc);
  }

  /**
   * Good enough to attempt a compare-and-set: a stale copy just loses it and is read again.
   * Nothing is decided on it without a write that checks its version.
   */
  async latest(id: string): Promise<RequestDoc> {
    return this.#known.get(id) ?? this.get(id);
  }

  async find(id: string): Promise<RequestDoc | undefined> {
    return (await this.#raw.findOne({ _id: id.toUpperCase() })) ?? undefined;
  }

  update(id: string, modify: Modify, options: UpdateOptions = {}): Promise<Updated> {
    return this.#serially(id, async () => {
      // A primary stepping down (or a dropped connection) outlasting the driver's one retry: the
      // compare-and-set starts over from the database, so a write that did land is not repeated.
      const result = await retryTransient((attempt) =>
        this.#update(id, modify, attempt ? { ...options, fromDatabase: true } : options),
      );
      if (options.after) await options.after(result);
      return result;
    });
  }

  async #update(id: string, modify: Modify, options: UpdateOptions): Promise<Updated> {
    let fresh = options.fromDatabase ?? false;
    for (let attempt = 0; attempt < CAS_RETRIES; attempt++) {
      const doc = fresh ? await this.get(id) : await this.latest(id);
      const change = modify(doc);
      if (!change && !fresh && !options.settled) {
        fresh = true;
        continue;
      }
      if (!change) return { request: doc, changed: false };
      const fields = { ...change.set, updatedAt: this.clock.now() };
      const saved = await this.compareAndSet(doc, fields, change.push);
      if (saved) return { request: saved, changed: true };
      fresh = true;
    }
    throw new AccessdeskError(ErrorCode.Conflict, `Request ${id} kept changing; try again.`);
  }

  /**
   * Sets the top-level `fields` and the next version, and appends `entry` to the history, only if
   * the request is still at `doc.version`; returns the new document, or null when someone else
   * changed it first. It writes with updateOne: the version matched, so the stored document was
   * `doc`, and the new one is `doc` with these fields, built here instead of sent back (see
   * bench/lifecycle). Every field but `sweepLeaseUntil` (the scheduler's claim, which is read from
   * the database only) changes only with the version.
   */
  async compareAndSet(
    doc: RequestDoc,
    fields: Partial<RequestDoc>,
    entry?: HistoryEntry,
  ): Promise<RequestDoc | null> {
    // Top-level fields only: the document built below would not follow a dotted path.
    const dotted = Object.keys(fields).find((key) => key.includes('.'));
    if (dotted) throw new Error(`compareAndSet sets whole fields, not ${dotted}`);
    const set = { ...fields, version: doc.version + 1 };
    const update: Record<string, unknown> = { $set: set };
    if (entry) update.$push = { history: entry };
    const result = await this.#raw.updateOne({ _id: doc._id, version: doc.version }, update, {
      ignoreUndefined: true,
    });
    if (result.matchedCount !== 1) return null;
    // `ignoreUndefined`: a field given as undefined keeps its stored value, here too.
    const next: Record<string, unknown> = { ...doc };
    for (const [key, value] of Object.entries(set)) if (value !== undefined) next[key] = value;
    if (entry) next.history = [...doc.history, entry];
    return this.#remember(next as unknown as RequestDoc);
  }

  /** Saves new requests with one unordered insert; false when an id was taken already. */
  async insertMany(docs: RequestDoc[]): Promise<boolean> {
    if (!docs.length) return true;
    try {
      await this.#raw.insertMany(docs, { ordered: false, ignoreUndefined: true });
    } catch (error) {
      if ((error as { code?: number }).code !== 11000) throw error;
      return false;
    }
    return true;
  }

  /** The requests with these ids (at most a chunk of them), remembered like any read. */
  async findMany(ids: string[]): Promise<RequestDoc[]> {
    const docs = await this.#raw.find({ _id: { $in: ids } }).toArray();
    return docs.map((doc) => this.#remember(doc));
  }

  list(query: RequestQuery, order: RequestOrder, limit: number): Promise<RequestDoc[]> {
    return this.#raw.find(filterOf(query)).sort(SORTS[order]).limit(limit).toArray();
  }

  /** The query planner's account of a list (for tests proving that an index serves it). */
  explainList(query: RequestQuery, order: RequestOrder, limit: number): Promise<mongo.Document> {
    return this.#raw
      .find(filterOf(query))
      .sort(SORTS[order])
      .limit(limit)
      .explain('executionStats');
  }

  /** The query planner's account of the sweep's claim of the next due request. */
  explainClaimDue(now: Date): Promise<mongo.Document> {
    return this.#raw.find(dueAt(now)).sort(DUE_ORDER).limit(1).explain('executionStats');
  }

  async ids(query: RequestQuery, order: RequestOrder, limit: number): Promise<string[]> {
    const docs = await this.#raw
      .find(filterOf(query), { projection: { _id: 1 } })
      .sort(SORTS[order])
      .limit(limit)
      .toArray();
    return docs.map((d) => d._id);
  }

  async skus(query: RequestQuery): Promise<string[]> {
    const skus = await this.#raw.distinct('skuId', filterOf(query));
    return skus.filter((s): s is string => !!s);
  }

  async byInvitation(tokenHash: string): Promise<RequestDoc | undefined> {
    return (await this.#raw.findOne({ 'invitation.tokenHash': tokenHash })) ?? undefined;
  }

  async withRunnableEffects(now: Date): Promise<string[]> {
    const docs = await this.#raw
      .find(
        {
          outbox: {
            $elemMatch: {
              status: 'pending',
              $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }],
            },
          },
        },
        { projection: { _id: 1 } },
      )
      .toArray();
    return docs.map((d) => d._id);
  }

  claimDue(now: Date, leaseUntil: Date): Promise<RequestDoc | null> {
    return this.#raw.findOneAndUpdate(
      dueAt(now),
      { $set: { sweepLeaseUntil: leaseUntil } },
      { returnDocument: 'after', sort: DUE_ORDER },
    );
  }

  /** Remembers `doc` if it is newer than what this process knew; returns it. */
  #remember(doc: RequestDoc): RequestDoc {
    const known = this.#known.get(doc._id);
    if (known && known.version > doc.version) return doc;
    this.#known.delete(doc._id);
    this.#known.set(doc._id, doc);
    if (this.#known.size > KNOWN_DOCS) this.#known.delete(this.#known.keys().next().value!);
    return doc;
  }

  /**
   * Runs `write` after the writes to the same request this process already queued: those never
   * race each other's compare-and-set (an approval and the settling of the effects before it
   * would otherwise lose a round trip and a read); other instances still race, and lose safely.
   */
  #serially<T>(id: string, write: () => Promise<T>): Promise<T> {
    const previous = this.#writes.get(id);
    const run = previous ? previous.then(write) : write();
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#writes.set(id, tail);
    void tail.then(() => {
      if (this.#writes.get(id) === tail) this.#writes.delete(id);
    });
    return run;
  }
}

/**
 * Unfinished requests with a deadline due at `now` and no sweeper's lease running: one range of
 * the partial {nextDeadlineAt, sweepLeaseUntil} index (`$not: {$gt}` also matches no lease, and
 * unlike an $or it is checked in the index, so a leased request costs no document read).
 */
function dueAt(now: Date): mongo.Filter<RequestDoc> {
  return { done: false, nextDeadlineAt: { $lte: now }, sweepLeaseUntil: { $not: { $gt: now } } };
}
const DUE_ORDER = { nextDeadlineAt: 1 } as const;

/** The MongoDB filter of a query (each served by an index of request.model.ts). */
function filterOf(query: RequestQuery): mongo.Filter<RequestDoc> {
  const filter: mongo.Filter<RequestDoc> = {};
  if (query.involving) {
    filter.$or = [
      { requesterEmail: { $in: query.involving } },
      { subjectEmail: { $in: query.involving } },
    ];
  }
  if (query.managedBy)
    (filter as Record<string, unknown>)['details.managerEmail'] = query.managedBy;
  if (query.statuses) filter.status = { $in: query.statuses };
  if (query.skuId) filter.skuId = query.skuId;
  return filter;
}
