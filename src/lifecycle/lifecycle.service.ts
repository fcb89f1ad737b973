import { randomBytes } from 'node:crypto';
import type { Connection, Model, mongo } from 'mongoose';
import { initialTransition, transition } from 'xstate';
import type { Actor, RefusalReason } from '../../machines/events.ts';
import type { Clock } from '../clock.ts';
import type { Deadlines } from '../config.ts';
import { AccessdeskError, ErrorCode } from '../errors.ts';
import { AuditTrail } from './audit.ts';
import { decisionDeadlines, nextDeadline, planDeadlines } from './deadlines.ts';
import { machineFor, restore, statusOf } from './machines.ts';
import type { Directory, Notifier, People } from './ports.ts';
import {
  type HistoryEntry,
  type OnboardingDetails,
  type OutboxItem,
  type RequestDoc,
  type RequestKind,
  type RoleChangeDetails,
  requestModel,
} from './request.model.ts';

/** Everything the lifecycle needs from the outside, wired by `src/main.ts`. */
export interface LifecycleDeps {
  connection: Connection;
  clock: Clock;
  directory: Directory;
  notifier: Notifier;
  people: People;
  deadlines: Deadlines;
  publicUrl: string;
  /** Where background failures go; defaults to console.error. */
  onError?: (error: unknown, context: string) => void;
}

/** An event as the lifecycle receives it: a machine event, plus an optional actor email. */
export type LifecycleEvent = { type: string; [key: string]: unknown };

/** What became of an event. `refused` and `ignored` changed nothing but the audit trail. */
export type SendOutcome =
  | { kind: 'transitioned'; request: RequestDoc; from: string; to: string }
  | { kind: 'refused'; request: RequestDoc; reason: RefusalReason }
  | { kind: 'ignored'; request: RequestDoc; reason: 'already_decided' | 'not_applicable' };

/** The outbox items a save queued, and the document as that save left it. */
export interface QueuedEffects {
  request: RequestDoc;
  keys: string[];
}

/**
 * Options of `send`: the outbox items the event completes (the effect sending it, and the items
 * of its batch that ran before it), and fields saved with the change.
 */
export interface SendOptions {
  completes?: string[];
  patch?: Partial<RequestDoc>;
}

const CAS_RETRIES = 50;
/** How many request documents a process remembers (the newest it wrote or read). */
const KNOWN_DOCS = 5000;

/**
 * The one path every change of a request takes: load → transition → compare-and-set save →
 * effects. Effects are queued in the request's outbox by the same save and run only after it won.
 */
export class Lifecycle {
  readonly requests: Model<RequestDoc>;
  /** The same collection through the driver, for the hot path (see `compareAndSet`). */
  readonly raw: mongo.Collection<RequestDoc>;
  readonly audit: AuditTrail;
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Newest request documents seen, oldest first (a bounded cache, not actors: nothing runs). */
  readonly #known = new Map<string, RequestDoc>();
  /**
   * Set by the effect runner: called after every save, with the items that save queued. They are
   * leased to this process by that same save (`effectLeaseMs`), so no other runner takes them
   * while they run here, and running them needs no claim of its own.
   */
  runEffects: (requestId: string, queued?: QueuedEffects) => Promise<void> = async () => {};
  /** How long a queued effect is leased to the process whose save queued it (the runner's). */
  effectLeaseMs = 5 * 60_000;

  constructor(readonly deps: LifecycleDeps) {
    this.requests = requestModel(deps.connection);
    this.raw = this.requests.collection as unknown as mongo.Collection<RequestDoc>;
    this.audit = new AuditTrail(deps.connection, deps.clock);
  }

  /** Creates an onboarding request in `requested` and queues the approval card. */
  submitOnboarding(requesterEmail: string, details: OnboardingDetails): Promise<RequestDoc> {
    return this.#create('onboarding', requesterEmail, details.email, details, {
      grantsGlobalAdmin: details.adminRoles.includes('Global admin'),
      skuId: details.sku,
    });
  }

  /** Creates a role-change request for the account of `subjectEmail`. */
  submitRoleChange(
    requesterEmail: string,
    subjectEmail: string,
    details: RoleChangeDetails,
    reenables: boolean,
  ): Promise<RequestDoc> {
    return this.#create('role_change', requesterEmail, subjectEmail, details, {
      grantsGlobalAdmin:
        details.change === 'admin_roles_grant' &&
        (details.adminRoles ?? []).includes('Global admin'),
      needsSeat: details.change === 'license_add',
      reenables,
      ...(details.change === 'license_add' && details.sku ? { skuId: details.sku } : {}),
    });
  }

  /** Approve, deny, cancel or accept on behalf of `email`, whose roles are read right now. */
  async act(requestId: string, email: string, event: LifecycleEvent): Promise<SendOutcome> {
    // A finished request never changes again, so even a remembered copy answers a late click
    // (the common double click) without reading roles or the request again.
    const known = await this.latest(requestId);
    if (known.done) {
      await this.#auditRefusal(known, email.toLowerCase(), event.type, 'already decided');
      return { kind: 'ignored', request: known, reason: 'already_decided' };
    }
    // Only decisions (`approver.*`) are judged on the actor's roles (the isGlobalAdmin guard);
    // a cancel or an accept is judged on the email alone, so it reads none. Fail-closed: an
    // event that did check roles would see none.
    const actor: Actor = {
      email: email.toLowerCase(),
      adminRoles: event.type.startsWith('approver.')
        ? await this.deps.people.adminRolesOf(email)
        : [],
    };
    return this.send(requestId, { ...event, actor, at: this.deps.clock.now().toISOString() });
  }

  /**
   * Would `email` be allowed to send `event` now? Saves nothing but the audit of a refusal: the
   * Deny button asks this before opening the reason modal.
   */
  async check(
    requestId: string,
    email: string,
    event: LifecycleEvent,
  ): Promise<SendOutcome | { kind: 'allowed'; request: RequestDoc }> {
    const actor: Actor = {
      email: email.toLowerCase(),
      adminRoles: await this.deps.people.adminRolesOf(email),
    };
    const doc = await this.get(requestId);
    const snapshot = restore(doc.kind, doc.state, doc.context);
    const [next, executed] = transition(machineFor(doc.kind), snapshot, {
      ...event,
      actor,
    } as never);
    const actions = executed as unknown as Array<{ type: string; params?: unknown }>;
    const refusal = actions.find((a) => a.type === 'refuseAttempt');
    if (refusal) {
      const reason = (refusal.params as { reason: RefusalReason }).reason;
      await this.#auditRefusal(doc, actor.email, event.type, reason);
      return { kind: 'refused', request: doc, reason };
    }
    if (next === snapshot) {
      await this.#auditRefusal(doc, actor.email, event.type, 'already decided');
      return { kind: 'ignored', request: doc, reason: 'already_decided' };
    }
    return { kind: 'allowed', request: doc };
  }

  /** Requests made by or about any of `emails`, newest first. */
  async requestsInvolving(emails: string[], limit = 20): Promise<RequestDoc[]> {
    const list = emails.map((e) => e.toLowerCase());
    return this.requests
      .find({ $or: [{ requesterEmail: { $in: list } }, { subjectEmail: { $in: list } }] })
      .sort({ createdAt: -1 })
      .limit(limit)
      .lean<RequestDoc[]>();
  }

  /** The request whose invitation token hashes to `tokenHash`, if any. */
  async findByInvitation(tokenHash: string): Promise<RequestDoc | undefined> {
    const doc = await this.requests
      .findOne({ 'invitation.tokenHash': tokenHash })
      .lean<RequestDoc>();
    return doc ?? undefined;
  }

  /** Requests whose new hire will report to `managerEmail` (the modal's manager field). */
  async requestsManagedBy(managerEmail: string, limit = 20): Promise<RequestDoc[]> {
    return this.requests
      .find({ 'details.managerEmail': managerEmail.toLowerCase() })
      .sort({ createdAt: -1 })
      .limit(limit)
      .lean<RequestDoc[]>();
  }

  /** Requests waiting for a decision, oldest first: the Global admins' queue. */
  async pendingDecisions(limit = 20): Promise<RequestDoc[]> {
    return this.requests
      .find({ status: /^requested/ })
      .sort({ createdAt: 1 })
      .limit(limit)
      .lean<RequestDoc[]>();
  }

  /** The request, or undefined (no error): for lookups by id typed by people. */
  async find(requestId: string): Promise<RequestDoc | undefined> {
    return (
      ((await this.requests.findById(requestId.toUpperCase()).lean()) as RequestDoc | null) ??
      undefined
    );
  }

  /** Loads a request from the database; throws NotFound. */
  async get(requestId: string): Promise<RequestDoc> {
    const doc = await this.raw.findOne({ _id: requestId });
    if (!doc) throw new AccessdeskError(ErrorCode.NotFound, `No request ${requestId}.`);
    return this.remember(doc);
  }

  /**
   * The newest version of a request this process has seen, else the database's. Good enough to
   * attempt a compare-and-set: a stale one just loses it and is read again. Nothing is decided
   * on it without a write that checks its version.
   */
  async latest(requestId: string): Promise<RequestDoc> {
    return this.#known.get(requestId) ?? this.get(requestId);
  }

  /** Remembers `doc` if it is newer than what this process knew; returns it. */
  remember(doc: RequestDoc): RequestDoc {
    const known = this.#known.get(doc._id);
    if (known && known.version > doc.version) return doc;
    this.#known.delete(doc._id);
    this.#known.set(doc._id, doc);
    if (this.#known.size > KNOWN_DOCS) this.#known.delete(this.#known.keys().next().value!);
    return doc;
  }

  /** Sends `event` to the request's machine; retries the compare-and-set until it wins. */
  send(requestId: string, event: LifecycleEvent, options: SendOptions = {}): Promise<SendOutcome> {
    return this.serially(requestId, () => this.#send(requestId, event, options));
  }

  /**
   * Runs `write` after the writes to the same request this process already queued: those never
   * race each other's compare-and-set (an approval and the settling of the effects before it
   * would otherwise lose a round trip and a read); other instances still race, and lose safely.
   * `write` must not wait for another write to the same request (it would wait for itself).
   */
  serially<T>(requestId: string, write: () => Promise<T>): Promise<T> {
    const previous = this.#writes.get(requestId);
    const run = previous ? previous.then(write) : write();
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#writes.set(requestId, tail);
    void tail.then(() => {
      if (this.#writes.get(requestId) === tail) this.#writes.delete(requestId);
    });
    return run;
  }

  /** The last queued write of each request being written now (see `serially`). */
  readonly #writes = new Map<string, Promise<void>>();

  async #send(
    requestId: string,
    event: LifecycleEvent,
    options: SendOptions,
  ): Promise<SendOutcome> {
    let fresh = false;
    for (let attempt = 0; attempt < CAS_RETRIES; attempt++) {
      const doc = fresh ? await this.get(requestId) : await this.latest(requestId);
      const actorEmail = (event.actor as Actor | undefined)?.email ?? 'accessdesk';
      const snapshot = restore(doc.kind, doc.state, doc.context);
      const [next, executed] = transition(machineFor(doc.kind), snapshot, event as never);
      const actions = executed as unknown as Array<{ type: string; params?: unknown }>;
      const refusal = actions.find((a) => a.type === 'refuseAttempt');
      // What changes nothing is answered from the database's version only.
      const changesNothing =
        !actions.length &&
        (next === snapshot || (next.value === snapshot.value && next.context === snapshot.context));
      if ((refusal || changesNothing) && !fresh) {
        fresh = true;
        attempt--;
        continue;
      }
      if (refusal) {
        const reason = (refusal.params as { reason: RefusalReason }).reason;
        await this.#auditRefusal(doc, actorEmail, event.type, reason);
        return { kind: 'refused', request: doc, reason };
      }
      // A targetless transition that only names effects (`timer.reminderDue`) returns the same
      // snapshot object with actions: that is a change to save, not an event to ignore.
      if (changesNothing) {
        if (event.actor) await this.#auditRefusal(doc, actorEmail, event.type, 'already decided');
        if (options.completes?.length) await this.#completeOnly(requestId, options.completes);
        return {
          kind: 'ignored',
          request: doc,
          reason:
            doc.done || !doc.status.startsWith('requested') ? 'already_decided' : 'not_applicable',
        };
      }
      const { saved, keys } = await this.#save(doc, next, actions, event, actorEmail, options);
      if (!saved) {
        fresh = true;
        continue;
      }
      // The change is saved: its effects run even if the audit line fails to be written.
      try {
        await this.audit.append({
          requestId,
          actor: actorEmail,
          action: event.type,
          from: doc.status,
          to: saved.status,
        });
      } finally {
        this.#kick(requestId, { request: saved, keys });
      }
      return { kind: 'transitioned', request: saved, from: doc.status, to: saved.status };
    }
    throw new AccessdeskError(ErrorCode.Conflict, `Request ${requestId} kept changing; try again.`);
  }

  /**
   * Saves fields that are not a transition (the card's message ref), by compare-and-set.
   * `update` returning nothing on a remembered copy is checked against the database, unless
   * `settled` says that answer cannot go stale (it only looks at what never comes back: outbox
   * items that left, an invitation already used).
   */
  patch(
    requestId: string,
    update: (doc: RequestDoc) => Partial<RequestDoc> | undefined,
    options: { settled?: boolean } = {},
  ): Promise<RequestDoc> {
    return this.serially(requestId, () => this.#patch(requestId, update, options));
  }

  async #patch(
    requestId: string,
    update: (doc: RequestDoc) => Partial<RequestDoc> | undefined,
    { settled = false }: { settled?: boolean },
  ): Promise<RequestDoc> {
    let fresh = false;
    for (let attempt = 0; attempt < CAS_RETRIES; attempt++) {
      const doc = fresh ? await this.get(requestId) : await this.latest(requestId);
      const fields = update(doc);
      if (!fields && !fresh && !settled) {
        fresh = true;
        continue;
      }
      if (!fields) return doc;
      const saved = await this.compareAndSet(doc, {
        ...fields,
        version: doc.version + 1,
        updatedAt: this.deps.clock.now(),
      });
      if (saved) return saved;
      fresh = true;
    }
    throw new AccessdeskError(ErrorCode.Conflict, `Request ${requestId} kept changing; try again.`);
  }

  /** Runs `work` in the background, remembered so `idle()` can wait for it. */
  track(work: Promise<unknown>, context: string): void {
    const tracked = work.catch((error) => this.#report(error, context));
    this.#inFlight.add(tracked);
    tracked.finally(() => this.#inFlight.delete(tracked));
  }

  /** Resolves once no background work is left (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.#inFlight.size) await Promise.all([...this.#inFlight]);
  }

  async #create(
    kind: RequestKind,
    requesterEmail: string,
    subjectEmail: string,
    details: OnboardingDetails | RoleChangeDetails,
    extra: { grantsGlobalAdmin: boolean; skuId?: string; needsSeat?: boolean; reenables?: boolean },
  ): Promise<RequestDoc> {
    const now = this.deps.clock.now();
    for (let attempt = 0; attempt < 5; attempt++) {
      const id = newRequestId();
      const input = {
        requestId: id,
        requesterEmail: requesterEmail.toLowerCase(),
        subjectEmail: subjectEmail.toLowerCase(),
        grantsGlobalAdmin: extra.grantsGlobalAdmin,
        needsSeat: extra.needsSeat ?? false,
        reenables: extra.reenables ?? false,
      };
      const [snapshot, actions] = initialTransition(machineFor(kind), input as never);
      const status = statusOf(snapshot.value);
      const deadlines = decisionDeadlines(now, this.deps.deadlines);
      const doc: RequestDoc = {
        _id: id,
        kind,
        status,
        done: false,
        state: snapshot.value,
        context: snapshot.context as Record<string, unknown>,
        version: 1,
        requesterEmail: input.requesterEmail,
        subjectEmail: input.subjectEmail,
        details,
        ...(extra.skuId ? { skuId: extra.skuId } : {}),
        outbox: outboxItems(actions, 1, true, this.#leaseFrom(now)),
        deadlines,
        nextDeadlineAt: nextDeadline(deadlines),
        sweepLeaseUntil: null,
        history: [
          {
            at: now,
            from: '',
            to: status,
            event: 'requester.submitted',
            actor: input.requesterEmail,
          },
        ],
        invitation: null,
        failure: null,
        createdAt: now,
        updatedAt: now,
      };
      try {
        await this.raw.insertOne(doc, { ignoreUndefined: true });
        this.remember(doc);
      } catch (error) {
        if ((error as { code?: number }).code === 11000) continue;
        throw error;
      }
      try {
        await this.audit.append({
          requestId: id,
          actor: input.requesterEmail,
          action: 'requester.submitted',
          to: status,
        });
      } finally {
        this.#kick(id, { request: doc, keys: doc.outbox.map((i) => i.key) });
      }
      return doc;
    }
    throw new Error('could not allocate a request id');
  }

  async #save(
    doc: RequestDoc,
    next: ReturnType<typeof restore>,
    actions: Array<{ type: string; params?: unknown }>,
    event: LifecycleEvent,
    actorEmail: string,
    options: SendOptions,
  ): Promise<{ saved: RequestDoc | null; keys: string[] }> {
    const now = this.deps.clock.now();
    const status = statusOf(next.value);
    const done = next.status === 'done';
    const version = doc.version + 1;
    const changed = status !== doc.status;
    const context = next.context as Record<string, unknown>;
    const deadlines = planDeadlines(
      doc.deadlines,
      status,
      done,
      context.invitationExpiresAt as string | undefined,
    );
    // Done items leave the outbox: it holds what is still to run (or failed for good).
    const completes = new Set(options.completes);
    const outbox = doc.outbox.filter((item) => !completes.has(item.key));
    const queued = outboxItems(actions, version, changed, this.#leaseFrom(now));
    outbox.push(...queued);
    const fields: Partial<RequestDoc> = {
      ...options.patch,
      status,
      done,
      state: next.value,
      context,
      version,
      outbox,
      deadlines,
      nextDeadlineAt: nextDeadline(deadlines),
      updatedAt: now,
      ...(doc.status.startsWith('requested') && status.startsWith('approved')
        ? { approvedAt: now }
        : {}),
    };
    const entry = changed
      ? { at: now, from: doc.status, to: status, event: event.type, actor: actorEmail }
      : undefined;
    return {
      saved: await this.compareAndSet(doc, fields, entry),
      keys: queued.map((i) => i.key),
    };
  }

  #leaseFrom(now: Date): Date {
    return new Date(now.getTime() + this.effectLeaseMs);
  }

  /**
   * Sets the top-level `fields` (which must move `version` on) and appends `entry` to the
   * history, only if the request is still at `doc.version`; returns the new document, or null
   * when someone else changed it first.
   * The hot path of every change, so it goes to the driver directly (mongoose's casting costs
   * about 0.3 ms of CPU a call) and writes with updateOne: the version matched, so the stored
   * document was `doc`, and the new one is `doc` with these fields, built here instead of sent
   * back (see bench/lifecycle). Every field but `sweepLeaseUntil` (the scheduler's claim, which
   * is read from the database only) changes only with the version.
   */
  async compareAndSet(
    doc: RequestDoc,
    fields: Partial<RequestDoc>,
    entry?: HistoryEntry,
  ): Promise<RequestDoc | null> {
    // Top-level fields only: the document built below would not follow a dotted path.
    const dotted = Object.keys(fields).find((key) => key.includes('.'));
    if (dotted) throw new Error(`compareAndSet sets whole fields, not ${dotted}`);
    const update: Record<string, unknown> = { $set: fields };
    if (entry) update.$push = { history: entry };
    const result = await this.raw.updateOne({ _id: doc._id, version: doc.version }, update, {
      ignoreUndefined: true,
    });
    if (result.matchedCount !== 1) return null;
    // `ignoreUndefined`: a field given as undefined keeps its stored value, here too.
    const next: Record<string, unknown> = { ...doc };
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) next[key] = value;
    if (entry) next.history = [...doc.history, entry];
    return this.remember(next as unknown as RequestDoc);
  }

  /** Inside `#send`, so it writes without queueing again. */
  async #completeOnly(requestId: string, keys: string[]) {
    const done = new Set(keys);
    await this.#patch(
      requestId,
      (doc) =>
        doc.outbox.some((i) => done.has(i.key) && i.status === 'pending')
          ? { outbox: doc.outbox.filter((i) => !done.has(i.key)) }
          : undefined,
      {},
    );
  }

  async #auditRefusal(doc: RequestDoc, actor: string, action: string, reason: string) {
    await this.audit.append({
      requestId: doc._id,
      actor,
      action: `refused:${action}`,
      from: doc.status,
      to: doc.status,
      reason,
    });
  }

  #kick(requestId: string, queued?: QueuedEffects) {
    this.track(this.runEffects(requestId, queued), `effects of ${requestId}`);
  }

  #report(error: unknown, context: string) {
    if (this.deps.onError) this.deps.onError(error, context);
    else console.error(`[accessdesk] ${context}:`, error instanceof Error ? error.message : error);
  }
}

/**
 * Effects named by a transition, plus the requester's notice when the status changed; leased
 * until `leaseUntil` to the process making the save (it runs them next: one attempt each).
 */
function outboxItems(
  actions: Array<{ type: string; params?: unknown }>,
  version: number,
  statusChanged: boolean,
  leaseUntil: Date,
): OutboxItem[] {
  const names = actions
    .filter((a) => !a.type.startsWith('xstate.') && a.type !== 'refuseAttempt')
    .map((a) => ({
      effect: a.type,
      params: (a.params ?? undefined) as Record<string, unknown> | undefined,
    }));
  // The requester's notice first: the effect after it usually ends by sending the next event,
  // whose save then completes both (one write fewer than settling the notice on its own).
  if (statusChanged) names.unshift({ effect: 'notifyRequester', params: undefined });
  return names.map(({ effect, params }, index) => ({
    key: `${effect}:v${version}:${index}`,
    effect,
    ...(params ? { params } : {}),
    status: 'pending',
    attempts: 1,
    leaseUntil,
  }));
}

const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** `REQ-` and eight characters that cannot be confused with each other. */
export function newRequestId(): string {
  const bytes = randomBytes(8);
  return `REQ-${[...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('')}`;
}
