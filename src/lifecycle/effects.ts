import type { BulkMemberEffect } from '../../machines/bulk-member.machine.ts';
import type { BulkOnboardingEffect } from '../../machines/bulk-onboarding.machine.ts';
import type { DecisionEffect } from '../../machines/decision.ts';
import type { GrantEffect } from '../../machines/grant.machine.ts';
import type { OffboardingEffect } from '../../machines/offboarding.machine.ts';
import type { OnboardingEffect } from '../../machines/onboarding.machine.ts';
import type { RoleChangeEffect } from '../../machines/role-change.machine.ts';
import type { Clock } from '../clock.ts';
import { type AccessdeskError, ErrorCode, RetryableError } from '../errors.ts';
import { type BulkDeps, bulkEffects } from './bulk.effects.ts';
import type { Effect, OnPermanentFailure } from './effect-runner.ts';
import { grantEffects } from './grant.effects.ts';
import type { GrantSources } from './grant-sources.ts';
import { hashToken, newInvitationToken } from './invitation-token.ts';
import type { RequestKind } from './kinds.ts';
import type { Lifecycle } from './lifecycle.service.ts';
import { offboardingEffects } from './offboarding.effects.ts';
import { onboardingEffects, onboardingUndo } from './onboarding.effects.ts';
import type { Directory, Notifier, People } from './ports.ts';
import type { OutboxItem, RequestDoc } from './request.model.ts';
import type { RequestStore } from './request-store.ts';
import { roleChangeEffects } from './role-change.effects.ts';
import type { SeatQueue } from './seat-queue.ts';
import { awaitsAcceptance } from './status.ts';

/** What the effects work with. */
export interface EffectDeps {
  lifecycle: Lifecycle;
  store: RequestStore;
  clock: Clock;
  directory: Directory;
  notifier: Notifier;
  people: People;
  seats: SeatQueue;
  invitationTtl: number;
  publicUrl: string;
  /** Bulk onboarding's batches, rows, progress message and results file (unset: not wired). */
  bulk?: BulkDeps;
  /** Why people hold what they hold (time-bound grants end only what they alone gave). */
  grants: GrantSources;
  /** How long before a time-bound grant ends its person is warned (ms), e.g. 24 h and 1 h. */
  grantWarnings: number[];
  /** ACCESSDESK_DELETE_AFTER: how long a leaver's account is kept before it is deleted (ms). */
  deleteAfter?: number | undefined;
}

export { hashToken } from './invitation-token.ts';

/**
 * Every effect a machine names, and the requester's notice the lifecycle adds to every change of
 * status: a name missing here, or one no machine has, fails the typecheck.
 */
export type EffectName =
  | OnboardingEffect
  | RoleChangeEffect
  | OffboardingEffect
  | BulkOnboardingEffect
  | BulkMemberEffect
  | GrantEffect
  | 'notifyRequester';

/** What a kind takes back when a request of it fails (the `failed` ending), in words. */
export type Undo = (request: RequestDoc) => Promise<string[]>;

/** Every effect the machines name: the decision's and each kind's, checked against them. */
export function createEffects(deps: EffectDeps): Record<EffectName, Effect> {
  return {
    ...decisionEffects(deps, {
      onboarding: onboardingUndo(deps.directory),
      bulk_member: onboardingUndo(deps.directory),
    }),
    ...onboardingEffects(deps),
    ...roleChangeEffects(deps),
    ...offboardingEffects(deps),
    ...bulkEffects(deps, deps.bulk),
    ...grantEffects(deps),
  } satisfies Record<EffectName, Effect>;
}

/**
 * The effects of the shared decision part, implemented over the ports, whatever the kind;
 * `undo` says what each kind takes back when it fails.
 */
function decisionEffects(
  deps: EffectDeps,
  undo: Partial<Record<RequestKind, Undo>>,
): Record<DecisionEffect | 'notifyRequester', Effect> {
  const { lifecycle, clock, directory, notifier, seats, store } = deps;
  const patch = patchThrough(store);
  const sku = (r: RequestDoc) => r.skuId;

  return {
    notifyApprovers: async (request) => {
      const ref = await notifier.notifyApprovers(request);
      return ref ? () => ({ slack: ref }) : undefined;
    },
    notifyRequester: async (request) => {
      // The newest copy this process has (never older than the change that queued this): the
      // card shows where the request is now. It runs first in its batch, so a Slack failure
      // must not hold up the work behind it: it is retried later, on its own.
      try {
        await notifier.requestChanged(await store.latest(request._id));
      } catch (error) {
        if (error instanceof RetryableError) throw error;
        throw new RetryableError(`the requester's notice failed: ${(error as Error).message}`);
      }
      return undefined;
    },
    remindApprovers: async (request) => {
      await notifier.remindApprovers(request);
      return undefined;
    },
    escalateToGlobalAdmins: async (request) => {
      await notifier.escalateToGlobalAdmins(request, await deps.people.globalAdmins());
      return undefined;
    },
    requestSeat: async (request, _item, completes) => {
      const skuId = sku(request);
      if (skuId) await seats.promote(skuId, { requestId: request._id, completes });
      return undefined;
    },
    issueInvitation: async (request, item, completes) => {
      let current = await store.latest(request._id);
      const accountId =
        (current.context.accountId as string | undefined) ??
        (await directory.accountIdByEmail(current.subjectEmail));
      if (!accountId) throw new Error(`no account for ${current.subjectEmail}`);
      // L4: one invitation per request, whose 14 days run from when it was queued to be issued
      // (the item keeps that time across retries, so nothing is saved before anything goes out;
      // an item queued before items kept it saves the end first); a retry replaces only the token.
      const first = current.invitation?.expiresAt ?? invitationEnd(item, deps.invitationTtl);
      if (!first) {
        const expiresAt = new Date(clock.now().getTime() + deps.invitationTtl);
        current = await patch(current._id, (doc) =>
          doc.invitation?.expiresAt ? undefined : { invitation: { expiresAt } },
        );
      }
      const expiresAt = new Date(first ?? current.invitation!.expiresAt);
      const skuId = sku(current);
      if (skuId) await directory.bindSeat(skuId, current._id, accountId, expiresAt);
      // The token's hash is saved with `invitation.issued`: until then no link works, and a
      // retry after a crash here delivers a fresh one (the person may get two; only the last works).
      const token = newInvitationToken();
      const invitation = { expiresAt, tokenHash: hashToken(token) };
      const temporaryPassword = await directory.issueTemporaryPassword(accountId);
      await notifier.deliverInvitation(
        { ...current, invitation },
        {
          acceptUrl: `${deps.publicUrl}/invitations/${token}`,
          upn: (current.context.upn as string | undefined) ?? current.subjectEmail,
          temporaryPassword,
          expiresAt,
        },
      );
      const delivered = { invitation: { ...invitation, deliveredAt: clock.now() } };
      const outcome = await lifecycle.send(
        current._id,
        { type: 'invitation.issued', expiresAt: expiresAt.toISOString() },
        { completes, patch: delivered },
      );
      // Already invited (a second runner after a lease passed): the link and the password just
      // delivered are the ones that work now, so the stored hash must be this token's.
      if (outcome.kind !== 'transitioned' && awaitsAcceptance(outcome.request)) {
        await patch(current._id, () => delivered);
      }
      return undefined;
    },
    releaseSeat: async (request) => {
      const skuId = sku(request);
      if (!skuId) return undefined;
      await directory.releaseSeat(skuId, request._id);
      await seats.promote(skuId);
      return undefined;
    },
    undoProvisioning: async (request) => {
      const undone: string[] = [];
      const skuId = sku(request);
      if (skuId) {
        await directory.releaseSeat(skuId, request._id);
        undone.push(`released the held ${skuId} seat`);
      }
      undone.push(...((await undo[request.kind]?.(request)) ?? []));
      if (skuId) await seats.promote(skuId);
      const failure = { reason: (request.context.failureReason as string) ?? 'unknown', undone };
      return () => ({ failure });
    },
  };
}

/** A rule refused a step for good: provisioning steps turn that into `directory.failed`. */
export function failureHandler(lifecycle: Lifecycle): OnPermanentFailure {
  const failing = new Set<string>([
    'provisionAccount',
    'applyChange',
    'applyGrant',
    'issueInvitation',
    // An offboarding's directory steps (A2 may refuse the revocation of the last Global admin).
    'blockSignIn',
    'leaveSecurityGroups',
    'revokeAdminRoles',
    'releaseSeats',
  ] satisfies EffectName[]);
  return async (request, item, error: AccessdeskError) => {
    if (!failing.has(item.effect)) return;
    // L3: no free seat after all (used up outside accessdesk): back to waiting, where the
    // machine allows it; otherwise the request fails like any refusal.
    if (error.code === ErrorCode.NoFreeSeat) {
      const back = await lifecycle.send(request._id, { type: 'seat.lost' });
      if (back.kind === 'transitioned') return;
    }
    const rule = typeof error.details.rule === 'string' ? ` (${error.details.rule})` : '';
    await lifecycle.send(request._id, {
      type: 'directory.failed',
      reason: `${error.message}${rule}`,
    });
  };
}

/** Saves fields that are not a transition, through the store's compare-and-set. */
/** L4: when an invitation queued by `item` ends, if the item says when it was queued. */
function invitationEnd(item: OutboxItem, ttl: number): Date | undefined {
  return item.queuedAt ? new Date(new Date(item.queuedAt).getTime() + ttl) : undefined;
}

export function patchThrough(store: RequestStore) {
  return async (id: string, fields: (doc: RequestDoc) => Partial<RequestDoc> | undefined) =>
    (
      await store.update(id, (doc) => {
        const set = fields(doc);
        return set ? { set } : undefined;
      })
    ).request;
}
