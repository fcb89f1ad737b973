import { createHash, randomBytes } from 'node:crypto';
import type { OnboardingEffect } from '../../machines/onboarding.machine.ts';
import type { RoleChangeEffect } from '../../machines/role-change.machine.ts';
import type { Clock } from '../clock.ts';
import { type AccessdeskError, RetryableError } from '../errors.ts';
import type { Effect, OnPermanentFailure } from './effect-runner.ts';
import type { Lifecycle } from './lifecycle.service.ts';
import type { Directory, Notifier, People } from './ports.ts';
import { applyRoleChange, provisioningSteps } from './provisioning.ts';
import type { OnboardingDetails, RequestDoc, RoleChangeDetails } from './request.model.ts';
import type { RequestStore } from './request-store.ts';
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
}

/** SHA-256 of an invitation token: only the hash is stored (the token works once). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Every effect a machine names, and the requester's notice the lifecycle adds to every change of
 * status: a name missing here, or one no machine has, fails the typecheck.
 */
export type EffectName = OnboardingEffect | RoleChangeEffect | 'notifyRequester';

/** The effects the machines name, implemented over the ports. */
export function createEffects(deps: EffectDeps): Record<EffectName, Effect> {
  const { lifecycle, store, clock, directory, notifier, seats } = deps;
  /** Saves fields that are not a transition, through the store's compare-and-set. */
  const patch = async (id: string, fields: (doc: RequestDoc) => Partial<RequestDoc> | undefined) =>
    (
      await store.update(id, (doc) => {
        const set = fields(doc);
        return set ? { set } : undefined;
      })
    ).request;
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
    requestSeat: async (request) => {
      const skuId = sku(request);
      if (skuId) await seats.promote(skuId);
      return undefined;
    },
    provisionAccount: async (request, _item, completes) => {
      const account = await provisioningSteps(
        directory,
        request,
        request.details as OnboardingDetails,
      );
      await lifecycle.send(
        request._id,
        { type: 'directory.provisioned', accountId: account.accountId, upn: account.upn },
        { completes },
      );
      return undefined;
    },
    applyChange: async (request, _item, completes) => {
      await applyRoleChange(directory, request, request.details as RoleChangeDetails);
      await lifecycle.send(request._id, { type: 'directory.applied' }, { completes });
      return undefined;
    },
    issueInvitation: async (request, _item, completes) => {
      let current = await store.latest(request._id);
      const accountId =
        (current.context.accountId as string | undefined) ??
        (await directory.accountIdByEmail(current.subjectEmail));
      if (!accountId) throw new Error(`no account for ${current.subjectEmail}`);
      // L4: one invitation per request, whose 14 days run from the first attempt to issue it
      // (saved before anything goes out); a retry keeps them and replaces only the token.
      if (!current.invitation?.expiresAt) {
        const expiresAt = new Date(clock.now().getTime() + deps.invitationTtl);
        current = await patch(current._id, (doc) =>
          doc.invitation?.expiresAt ? undefined : { invitation: { expiresAt } },
        );
      }
      const expiresAt = new Date(current.invitation!.expiresAt);
      const skuId = sku(current);
      if (skuId) await directory.bindSeat(skuId, current._id, accountId, expiresAt);
      // The token's hash is saved with `invitation.issued`: until then no link works, and a
      // retry after a crash here delivers a fresh one (the person may get two; only the last works).
      const token = randomBytes(32).toString('base64url');
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
    confirmSeat: async (request) => {
      const skuId = sku(request);
      if (skuId) await directory.confirmSeat(skuId, request._id);
      const usedAt = clock.now();
      return (doc) =>
        doc.invitation && !doc.invitation.usedAt
          ? { invitation: { ...doc.invitation, usedAt } }
          : undefined;
    },
    completeReenable: async (request) => {
      const details = request.details as RoleChangeDetails;
      const accountId = await directory.accountIdByEmail(request.subjectEmail);
      if (!accountId) return undefined;
      await directory.setSignInAllowed(accountId, true);
      if (details.environment) await directory.addToSecurityGroup(details.environment, accountId);
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
      if (request.kind === 'onboarding') undone.push(...(await undoAccount(directory, request)));
      if (skuId) await seats.promote(skuId);
      const failure = { reason: (request.context.failureReason as string) ?? 'unknown', undone };
      return () => ({ failure });
    },
  } satisfies Record<EffectName, Effect>;
}

/** A rule refused a step for good: provisioning steps turn that into `directory.failed`. */
export function failureHandler(lifecycle: Lifecycle): OnPermanentFailure {
  const failing = new Set<string>([
    'provisionAccount',
    'applyChange',
    'issueInvitation',
  ] satisfies EffectName[]);
  return async (request, item, error: AccessdeskError) => {
    if (!failing.has(item.effect)) return;
    const rule = typeof error.details.rule === 'string' ? ` (${error.details.rule})` : '';
    await lifecycle.send(request._id, {
      type: 'directory.failed',
      reason: `${error.message}${rule}`,
    });
  };
}

/**
 * Takes back what a failed onboarding gave the account it created (found by the request's key,
 * since provisioning may have failed before it reported the account): admin roles, the security
 * group, sign-in. The account itself stays, blocked, so the person still has one account (L1).
 */
async function undoAccount(directory: Directory, request: RequestDoc): Promise<string[]> {
  const accountId =
    (request.context.accountId as string | undefined) ??
    (await directory.accountIdByKey(request._id));
  if (!accountId) return [];
  const details = request.details as OnboardingDetails;
  const undone: string[] = [];
  if (details.adminRoles.length) {
    try {
      await directory.revokeAdminRoles(accountId, details.adminRoles);
      undone.push(`revoked ${details.adminRoles.join(', ')}`);
    } catch (error) {
      undone.push(`could not revoke ${details.adminRoles.join(', ')}: ${(error as Error).message}`);
    }
  }
  await directory.removeFromSecurityGroup(details.environment, accountId);
  undone.push(`removed the account from ${details.environment}'s security group`);
  await directory.setSignInAllowed(accountId, false);
  undone.push('blocked sign-in of the account it created');
  return undone;
}
