/**
 * M3's places: at most `nonInteractiveLimit` non-interactive users per environment, counted down
 * by `nonInteractiveFree` on the environment, each place its own document. No transaction: an
 * operation enters the environment's bounded journal (`nonInteractiveInflight`, one entry per
 * account at a time), writes the place, then leaves. A take enters with its guarded decrement
 * (`nonInteractiveFree > 0`, so the limit holds under any concurrency), writes the place `taken`
 * under its op, and leaves (or, when another take got the place first, leaves with a refund). A
 * release enters as a lock, marks the place `free` with its op, and leaves with the increment.
 * Because the account is locked while its entry is there, the place says what this operation did
 * or that it did nothing; recovery rolls a stopped operation forward from there.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { ErrorCode, RuleViolation } from '../errors.ts';
import {
  type EnvironmentDoc,
  isDuplicateKey,
  NON_INTERACTIVE_INFLIGHT_LIMIT,
  type NonInteractivePlaceDoc,
  nonInteractivePlaceId,
  type PlaceOpEntry,
  rawOf,
  type TenantModels,
} from './tenant.model.ts';

/** Lease and fault injection of the M3 places. */
export interface PlaceOptions {
  /** Real time for leases (a writer's pause is wall-clock time). */
  leaseClock?: Clock;
  /** An entry older than this belongs to a writer that stopped (default 30 s). */
  leaseMs?: number;
  /** Called after each write with its name (`take:counter`, …); a throw there is a crash. */
  afterWrite?: (step: string) => void | Promise<void>;
}

/** An environment whose counter disagrees with a recount of its places. */
export interface PlaceDrift {
  envId: string;
  limit: number;
  free: number;
  taken: number;
  inflight: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const WAIT_MS = 10;
const busy = () =>
  new RuleViolation(ErrorCode.Conflict, 'M3', 'Non-interactive places are busy; retry.');

/** The M3 counter and its per-account places. */
export class NonInteractivePlaces {
  readonly #leaseMs: number;
  readonly #leaseClock: Clock;

  constructor(
    private readonly m: TenantModels,
    private readonly clock: Clock,
    private readonly options: PlaceOptions = {},
  ) {
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#leaseClock = options.leaseClock ?? { now: () => new Date() };
  }

  get #envs() {
    return rawOf(this.m.Environment);
  }
  get #places() {
    return rawOf(this.m.NonInteractivePlace);
  }

  /** M3: takes the account's place; a repeat is a no-op; refused at the limit. */
  async take(env: Pick<EnvironmentDoc, '_id' | 'name'>, accountId: string): Promise<void> {
    const id = nonInteractivePlaceId(env._id, accountId);
    for (let attempt = 0; ; attempt++) {
      if ((await this.#places.findOne({ _id: id }))?.state === 'taken') return;
      const entry = this.#entry('take', accountId);
      const entered = await this.#envs.updateOne(
        { ...this.#enterable(env._id, accountId), nonInteractiveFree: { $gt: 0 } },
        { $inc: { nonInteractiveFree: -1 }, $push: { nonInteractiveInflight: entry } },
      );
      if (entered.modifiedCount === 1) {
        await this.#step('take:counter');
        await this.#writeTaken(env._id, entry);
        await this.#step('take:place');
        await this.#finishTake(env._id, entry);
        return;
      }
      const now = await this.#envs.findOne({ _id: env._id });
      if (!now) throw new RuleViolation(ErrorCode.NotFound, 'E1', `No environment "${env._id}".`);
      if ((await this.#places.findOne({ _id: id }))?.state === 'taken') return;
      if (this.#busy(now, accountId)) {
        if (attempt >= this.#maxWaits()) throw busy();
        await this.#waitOrRecover(now);
        continue;
      }
      throw new RuleViolation(
        ErrorCode.NonInteractiveLimit,
        'M3',
        `${env.name} already has ${now.nonInteractiveLimit} non-interactive users, its limit.`,
        { envId: env._id, limit: now.nonInteractiveLimit },
      );
    }
  }

  /** M3: frees the account's place; false when it held none. */
  async release(envId: string, accountId: string): Promise<boolean> {
    const id = nonInteractivePlaceId(envId, accountId);
    for (let attempt = 0; ; attempt++) {
      if ((await this.#places.findOne({ _id: id }))?.state !== 'taken') return false;
      const entry = this.#entry('release', accountId);
      const entered = await this.#envs.updateOne(this.#enterable(envId, accountId), {
        $push: { nonInteractiveInflight: entry },
      });
      if (entered.modifiedCount === 1) {
        await this.#step('release:lock');
        await this.#markFree(id, entry.op);
        await this.#step('release:place');
        return this.#finishRelease(envId, entry);
      }
      if (attempt >= this.#maxWaits()) throw busy();
      const now = await this.#envs.findOne({ _id: envId });
      if (now) await this.#waitOrRecover(now);
    }
  }

  /** M3: changes the limit by compare-and-set, never below the places in use (limit − free). */
  async setLimit(envId: string, limit: number): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const env = await this.#envs.findOne({ _id: envId });
      if (!env) throw new RuleViolation(ErrorCode.NotFound, 'E1', `No environment "${envId}".`);
      const delta = limit - env.nonInteractiveLimit;
      if (delta === 0) return;
      const inUse = env.nonInteractiveLimit - env.nonInteractiveFree;
      if (limit < inUse) {
        throw new RuleViolation(
          ErrorCode.NonInteractiveLimit,
          'M3',
          `${env.name} has ${inUse} non-interactive users; the limit cannot be ${limit}.`,
        );
      }
      const result = await this.#envs.updateOne(
        {
          _id: envId,
          nonInteractiveLimit: env.nonInteractiveLimit,
          nonInteractiveFree: { $gte: -delta },
        },
        { $set: { nonInteractiveLimit: limit }, $inc: { nonInteractiveFree: delta } },
      );
      if (result.modifiedCount === 1) return;
    }
    throw new RuleViolation(ErrorCode.Conflict, 'M3', 'The limit kept changing; retry.');
  }

  /** The accounts holding a place in `envId` (at most `limit` of them, by the index). */
  async holders(envId: string, limit = 100): Promise<string[]> {
    const places = await this.#places
      .find({ envId, state: 'taken' }, { projection: { accountId: 1 } })
      .limit(limit)
      .toArray();
    return places.map((p) => p.accountId).sort();
  }

  /** Finishes operations whose writer stopped longer ago than the lease (or `olderThanMs`). */
  async recover(olderThanMs = this.#leaseMs): Promise<number> {
    const before = new Date(this.#leaseClock.now().getTime() - olderThanMs);
    const envs = await this.#envs
      .find({ nonInteractiveInflight: { $elemMatch: { at: { $lte: before } } } })
      .toArray();
    let finished = 0;
    for (const env of envs) {
      for (const entry of env.nonInteractiveInflight.filter((e) => e.at <= before)) {
        const id = nonInteractivePlaceId(env._id, entry.accountId);
        if (entry.kind === 'take') {
          await this.#writeTaken(env._id, entry);
          await this.#finishTake(env._id, entry);
        } else {
          await this.#markFree(id, entry.op);
          await this.#finishRelease(env._id, entry);
        }
        finished++;
      }
    }
    return finished;
  }

  /** Environments whose counter disagrees with a recount of their places (empty when exact). */
  async verify(): Promise<PlaceDrift[]> {
    const drifts: PlaceDrift[] = [];
    for await (const env of this.#envs.find({}, { projection: { businessUnits: 0, teams: 0 } })) {
      const taken = await this.#places.countDocuments({ envId: env._id, state: 'taken' });
      const inflight = env.nonInteractiveInflight?.length ?? 0;
      if (env.nonInteractiveLimit - env.nonInteractiveFree !== taken || inflight > 0) {
        const { nonInteractiveLimit: limit, nonInteractiveFree: free } = env;
        drifts.push({ envId: env._id, limit, free, taken, inflight });
      }
    }
    return drifts;
  }

  /** Writes the take's place (a repeat, or recovery's, finds it already written by this op). */
  async #writeTaken(envId: string, entry: PlaceOpEntry): Promise<void> {
    const id = nonInteractivePlaceId(envId, entry.accountId);
    try {
      await this.#places.updateOne(
        { _id: id, state: { $ne: 'taken' } },
        {
          $set: { state: 'taken', op: entry.op, releasedBy: null, since: this.clock.now() },
          $setOnInsert: { envId, accountId: entry.accountId },
        },
        { upsert: true },
      );
    } catch (error) {
      // Taken already: by this op (recovery got there first) or by an earlier take.
      if (!isDuplicateKey(error)) throw error;
    }
  }

  /** Leaves the journal; refunds the decrement when the place is another take's. */
  async #finishTake(envId: string, entry: PlaceOpEntry): Promise<void> {
    const id = nonInteractivePlaceId(envId, entry.accountId);
    const place = await this.#places.findOne({ _id: id });
    const ours = place?.state === 'taken' && place.op === entry.op;
    await this.#envs.updateOne(
      { _id: envId, 'nonInteractiveInflight.op': entry.op },
      {
        $pull: { nonInteractiveInflight: { op: entry.op } },
        ...(ours ? {} : { $inc: { nonInteractiveFree: 1 } }),
      },
    );
  }

  async #markFree(id: string, op: string): Promise<void> {
    await this.#places.updateOne(
      { _id: id, state: 'taken' },
      { $set: { state: 'free', releasedBy: op } },
    );
  }

  /** Leaves the journal, with the increment when this op freed the place. */
  async #finishRelease(envId: string, entry: PlaceOpEntry): Promise<boolean> {
    const id = nonInteractivePlaceId(envId, entry.accountId);
    const place: NonInteractivePlaceDoc | null = await this.#places.findOne({ _id: id });
    const freed = place?.state === 'free' && place.releasedBy === entry.op;
    await this.#envs.updateOne(
      { _id: envId, 'nonInteractiveInflight.op': entry.op },
      {
        $pull: { nonInteractiveInflight: { op: entry.op } },
        ...(freed ? { $inc: { nonInteractiveFree: 1 } } : {}),
      },
    );
    return freed;
  }

  /** The filter an entry for `accountId` may enter under: account unlocked, journal not full. */
  #enterable(envId: string, accountId: string) {
    return {
      _id: envId,
      'nonInteractiveInflight.accountId': { $ne: accountId },
      [`nonInteractiveInflight.${NON_INTERACTIVE_INFLIGHT_LIMIT - 1}`]: { $exists: false },
    };
  }

  #busy(env: EnvironmentDoc, accountId: string): boolean {
    const inflight = env.nonInteractiveInflight ?? [];
    return (
      inflight.length >= NON_INTERACTIVE_INFLIGHT_LIMIT ||
      inflight.some((e) => e.accountId === accountId)
    );
  }

  /** Another operation holds the way: finish it if its writer stopped, else wait a little. */
  async #waitOrRecover(env: EnvironmentDoc): Promise<void> {
    const stale = new Date(this.#leaseClock.now().getTime() - this.#leaseMs);
    if ((env.nonInteractiveInflight ?? []).some((e) => e.at <= stale)) await this.recover();
    else await pause(WAIT_MS);
  }

  #entry(kind: PlaceOpEntry['kind'], accountId: string): PlaceOpEntry {
    return {
      op: randomBytes(9).toString('base64url'),
      kind,
      accountId,
      at: this.#leaseClock.now(),
    };
  }

  /** Waits for another operation on the account for at most two leases. */
  #maxWaits(): number {
    return Math.ceil((2 * this.#leaseMs) / WAIT_MS);
  }

  async #step(name: string): Promise<void> {
    await this.options.afterWrite?.(name);
  }
}
