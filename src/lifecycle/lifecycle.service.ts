import * as z from 'zod';
import {
  type Actor,
  type RefusalReason,
  type RequestEvent,
  requestEventSchema,
} from '../../machines/events.ts';
import type { Clock } from '../clock.ts';
import type { Deadlines } from '../config.ts';
import { AccessdeskError, ErrorCode } from '../errors.ts';
import type { AuditTrail } from './audit.ts';
import { decisionDeadlines } from './deadlines.ts';
import type { MachineRegistry } from './machine-registry.ts';
import { newRequestDoc } from './new-request.ts';
import { newRequestId, outboxItems, REFUSE } from './outbox.ts';
import type { People } from './ports.ts';
import type { RequestDoc, RequestKind } from './request.model.ts';
import type { RequestStore } from './request-store.ts';
import { step, type Verdict } from './step.ts';

/** Runs the outbox items a save queued (the effect runner); wired by the composition root. */
export interface EffectsPort {
  run(requestId: string, queued: QueuedEffects): void;
}

/** Everything the lifecycle needs from the outside, wired by `createLifecycleSystem`. */
export interface LifecycleDeps {
  store: RequestStore;
  machines: MachineRegistry;
  audit: AuditTrail;
  clock: Clock;
  people: People;
  deadlines: Deadlines;
  effects: EffectsPort;
  /** How long a queued effect is leased to the process whose save queued it (the runner's). */
  effectLeaseMs: number;
  /** Told of every audited change, after it was saved (logs, metrics). */
  observer?: LifecycleObserver;
}

/** What is told of each audited change; it must not throw (logs and metrics). */
export interface LifecycleObserver {
  submitted(request: RequestDoc): void;
  transitioned(request: RequestDoc, from: string, to: string, event: string): void;
  refused(request: RequestDoc, action: string, reason: string): void;
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
  /** Called once the change is saved and its audit line queued: a later send audits after it. */
  queued?: () => void;
}

/** A new request of any kind: who asked, about whom, what, and what its machine starts from. */
export interface NewRequest {
  kind: RequestKind;
  requesterEmail: string;
  subjectEmail: string;
  details: RequestDoc['details'];
  /** The machine's input beyond the request id and the two emails. */
  input: Record<string, unknown>;
  /** The SKU whose seat the request takes, if any (the seat queue's). */
  skuId?: string | undefined;
}

/**
 * The one path every change of a request takes: load → transition → compare-and-set save →
 * effects. Effects are queued in the request's outbox by the same save and run only after it won.
 * It knows no request kind: the machines decide, the store keeps.
 */
export class Lifecycle {
  constructor(private readonly deps: LifecycleDeps) {}

  /** Creates a request in its machine's first state and queues that state's effects. */
  async submit(request: NewRequest): Promise<RequestDoc> {
    const now = this.deps.clock.now();
    const requesterEmail = request.requesterEmail.toLowerCase();
    const subjectEmail = request.subjectEmail.toLowerCase();
    for (let attempt = 0; attempt < 5; attempt++) {
      const id = newRequestId();
      const input = { requestId: id, requesterEmail, subjectEmail, ...request.input };
      const [snapshot, actions] = this.deps.machines.start(request.kind, input);
      const doc = newRequestDoc({
        id,
        kind: request.kind,
        requesterEmail,
        subjectEmail,
        details: request.details,
        skuId: request.skuId,
        snapshot,
        outbox: outboxItems(actions, 1, true, now, this.#leaseFrom(now)),
        deadlines: decisionDeadlines(now, this.deps.deadlines),
        now,
      });
      if (!(await this.deps.store.insert(doc))) continue;
      this.deps.observer?.submitted(doc);
      const audited = this.deps.audit.append({
        requestId: id,
        actor: requesterEmail,
        action: 'requester.submitted',
        to: doc.status,
      });
      // As for a change (#conclude): the line is queued, the effects start, the caller waits.
      this.deps.effects.run(id, { request: doc, keys: doc.outbox.map((i) => i.key) });
      await audited;
      return doc;
    }
    throw new Error('could not allocate a request id');
  }

  /** Approve, deny, cancel or accept on behalf of `email`, whose roles are read right now. */
  async act(requestId: string, email: string, event: LifecycleEvent): Promise<SendOutcome> {
    // A finished request never changes again, so even a remembered copy answers a late click
    // (the common double click) without reading roles or the request again.
    const known = await this.deps.store.latest(requestId);
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
    const parsed = parseEvent({ ...event, actor });
    const doc = await this.deps.store.get(requestId);
    const { machines } = this.deps;
    const snapshot = machines.restore(doc.kind, doc.state, doc.context);
    const [next, actions] = machines.next(doc.kind, snapshot, parsed);
    const refusal = actions.find((a) => a.type === REFUSE);
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

  /**
   * Sends `event` to the request's machine and saves what it decides through the store's one
   * compare-and-set helper (retried until it wins). What changes nothing is answered from the
   * database's version only; a refusal or an ignored attempt by a person is audited.
   */
  async send(
    requestId: string,
    event: LifecycleEvent,
    options: SendOptions = {},
  ): Promise<SendOutcome> {
    const parsed = parseEvent(event);
    const actorEmail = 'actor' in parsed ? parsed.actor.email : 'accessdesk';
    let verdict: Verdict | undefined;
    let concluding: Promise<SendOutcome> | undefined;
    await this.deps.store.update(
      requestId,
      (doc) => {
        const now = this.deps.clock.now();
        verdict = step(doc, parsed, {
          machines: this.deps.machines,
          now,
          actorEmail,
          completes: options.completes,
          patch: options.patch,
          leaseUntil: this.#leaseFrom(now),
        });
        return verdict.change;
      },
      {
        // In the request's write queue, so the audit trail keeps the order of the history: the
        // line is queued there (#conclude queues it before its first wait), and the queue moves
        // on while it is written; the caller hears the outcome once it is.
        after: async ({ request }) => {
          concluding = this.#conclude(request, verdict!, parsed, actorEmail);
          concluding.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
          options.queued?.();
        },
      },
    );
    return concluding!;
  }

  /** Audits what `verdict` did and starts the effects a transition queued. */
  async #conclude(
    request: RequestDoc,
    verdict: Verdict,
    event: RequestEvent,
    actorEmail: string,
  ): Promise<SendOutcome> {
    if (verdict.kind === 'refused') {
      await this.#auditRefusal(request, actorEmail, event.type, verdict.reason);
      return { kind: 'refused', request, reason: verdict.reason };
    }
    if (verdict.kind === 'ignored') {
      if ('actor' in event)
        await this.#auditRefusal(request, actorEmail, event.type, 'already decided');
      return { kind: 'ignored', request, reason: verdict.reason };
    }
    this.deps.observer?.transitioned(request, verdict.from, verdict.to, event.type);
    const audited = this.deps.audit.append({
      requestId: request._id,
      actor: actorEmail,
      action: event.type,
      from: verdict.from,
      to: verdict.to,
    });
    // The change is saved and its audit line queued (every later line goes after it): its
    // effects start now, and run even if the line fails to be written.
    this.deps.effects.run(request._id, { request, keys: verdict.queued });
    await audited;
    return { kind: 'transitioned', request, from: verdict.from, to: verdict.to };
  }

  #leaseFrom(now: Date): Date {
    return new Date(now.getTime() + this.deps.effectLeaseMs);
  }

  async #auditRefusal(doc: RequestDoc, actor: string, action: string, reason: string) {
    this.deps.observer?.refused(doc, action, reason);
    await this.deps.audit.append({
      requestId: doc._id,
      actor,
      action: `refused:${action}`,
      from: doc.status,
      to: doc.status,
      reason,
    });
  }
}

/** The event as the machines take it (zod): what enters the lifecycle is parsed first. */
function parseEvent(event: LifecycleEvent): RequestEvent {
  const parsed = requestEventSchema.safeParse(event);
  if (parsed.success) return parsed.data;
  throw new AccessdeskError(
    ErrorCode.InvalidInput,
    `Not an event a request takes (${String(event.type)}): ${z.prettifyError(parsed.error)}`,
  );
}
