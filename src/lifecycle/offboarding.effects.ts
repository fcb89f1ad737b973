import type { OFFBOARDING_EFFECTS } from '../../machines/offboarding.machine.ts';
import { TAG } from '../../machines/tags.ts';
import { AccessdeskError, ErrorCode } from '../errors.ts';
import { effectiveDateDeadline, nextDeadline } from './deadlines.ts';
import type { Effect } from './effect-runner.ts';
import type { EffectDeps } from './effects.ts';
import { requestMachines } from './machines.ts';
import type { OffboardingDetails, RequestDoc } from './request.model.ts';
import type { Change, RequestQuery } from './request-store.ts';

/** The event accessdesk sends a leaver's open requests (the decision part takes it). */
const cancelOf = (leaver: string, id: string) => ({
  type: 'system.cancelled',
  reason: `${leaver} left (offboarding ${id})`,
});

/** Every stored status, of any kind, whose machine takes accessdesk's own cancel. */
function cancellableStatuses(): string[] {
  const kinds = ['onboarding', 'role_change', 'offboarding', 'time_bound_grant'] as const;
  const statuses = kinds.flatMap((kind) =>
    requestMachines
      .statuses(kind)
      .filter((status) =>
        requestMachines.restoreStatus(kind, status, {}).can(cancelOf('', '') as never),
      ),
  );
  return [...new Set(statuses)].sort();
}

/**
 * What a leaver's offboarding cancels, read through the store's query by or about the leaver:
 * everything still open about the leaver (their running time-bound grants end), and of what they
 * asked for others only what nobody decided yet. An approved request or a running grant of
 * someone else is that person's access: it stays.
 */
export function leaverQuery(leaver: string): {
  query: RequestQuery;
  cancels: (request: RequestDoc) => boolean;
} {
  const statuses = cancellableStatuses();
  const undecided = new Set(requestMachines.statusesTagged(TAG.undecided));
  return {
    query: { involving: [leaver], statuses },
    cancels: (r) => r.subjectEmail === leaver || undecided.has(r.status),
  };
}

/**
 * Who takes over what the leaver asked for others and someone approved: their manager, else
 * whoever asked for the offboarding, else the Global admin who approved it.
 */
function heirOf(offboarding: RequestDoc): string | undefined {
  const leaver = offboarding.subjectEmail;
  const approvals = (offboarding.context.approvals ?? []) as { by: string }[];
  const candidates = [
    (offboarding.details as OffboardingDetails).managerEmail,
    offboarding.requesterEmail,
    ...approvals.map((a) => a.by),
  ].map((c) => c?.toLowerCase());
  return candidates.find((c): c is string => !!c && c !== leaver);
}

/** The request passes to `heir`: they are told of it from now on; the timeline says why. */
const handOver =
  (leaver: string, heir: string, at: Date) =>
  (doc: RequestDoc): Change | undefined =>
    doc.requesterEmail !== leaver
      ? undefined
      : {
          set: { requesterEmail: heir },
          push: { at, from: doc.status, to: doc.status, event: 'requester.left', actor: heir },
        };

/**
 * The effects only an offboarding names. Each closing step is idempotent and ends by sending its
 * own event, so a crash between two steps resumes at the next one, and one inside a step runs
 * that step again without doing anything twice.
 */
export function offboardingEffects(
  deps: EffectDeps,
): Record<(typeof OFFBOARDING_EFFECTS)[number], Effect> {
  const { lifecycle, directory, notifier, clock, store, seats } = deps;
  const manager = (r: RequestDoc) => (r.details as OffboardingDetails).managerEmail;
  const account = async (r: RequestDoc) => {
    const id = await directory.accountIdByEmail(r.subjectEmail);
    if (!id) throw new AccessdeskError(ErrorCode.NotFound, `${r.subjectEmail} has no account.`);
    return id;
  };
  const done =
    (type: string, work: (r: RequestDoc, accountId: string) => Promise<void>): Effect =>
    async (request, _item, completes) => {
      await work(request, await account(request));
      await lifecycle.send(request._id, { type }, { completes });
      return undefined;
    };

  return {
    noticeManager: async (request) => {
      const to = manager(request);
      if (to) await notifier.tellManager(request, to);
      return undefined;
    },
    scheduleOffboarding: async (request, _item, completes) => {
      const at = new Date(request.context.effectiveAt as string);
      if (at <= clock.now()) {
        await lifecycle.send(request._id, { type: 'timer.effectiveDateReached' }, { completes });
        return undefined;
      }
      // Saved with this item's settlement; the scheduler fires it when the date has come.
      return (doc) => {
        if (doc.done || doc.deadlines.some((d) => d.kind === 'effectiveDate')) return undefined;
        const deadlines = [...doc.deadlines, effectiveDateDeadline(at)];
        return { deadlines, nextDeadlineAt: nextDeadline(deadlines) };
      };
    },
    blockSignIn: done('directory.signInBlocked', (_, id) => directory.setSignInAllowed(id, false)),
    leaveSecurityGroups: done('directory.groupsLeft', async (_, id) => {
      const { environments } = await directory.holdingsOf(id);
      for (const env of environments) await directory.removeFromSecurityGroup(env, id);
    }),
    revokeAdminRoles: done('directory.adminRolesRevoked', async (_, id) => {
      const { adminRoles } = await directory.holdingsOf(id);
      if (adminRoles.length) await directory.revokeAdminRoles(id, adminRoles);
    }),
    releaseSeats: done('directory.seatsReleased', async (_, id) => {
      const { skus } = await directory.holdingsOf(id);
      for (const sku of skus) await directory.releaseAccountSeat(sku, id);
      // The freed seats go to the requests waiting for one, in approval order (L3).
      for (const sku of skus) await seats.promote(sku);
    }),
    cancelOpenRequests: async (request, _item, completes) => {
      const leaver = request.subjectEmail;
      const { query, cancels } = leaverQuery(leaver);
      const heir = heirOf(request);
      const seen = new Set([request._id]);
      // Page by page: every match leaves the query, cancelled or handed to the heir, and a
      // request already ended is ignored by its machine, so a rerun is harmless.
      for (;;) {
        const open = (await store.list(query, 'oldest', 50)).filter((r) => !seen.has(r._id));
        if (!open.length) break;
        for (const r of open) {
          seen.add(r._id);
          if (cancels(r) || !heir) await lifecycle.send(r._id, cancelOf(leaver, request._id));
          else await store.update(r._id, handOver(leaver, heir, clock.now()));
        }
      }
      await lifecycle.send(request._id, { type: 'requests.cancelled' }, { completes });
      return undefined;
    },
    tellManager: async (request, _item, completes) => {
      const to = manager(request);
      if (to) await notifier.tellManager(request, to);
      // ACCESSDESK_DELETE_AFTER: the kept account is deleted once the retention period is over.
      const deleteAt = deps.deleteAfter
        ? { deleteAt: new Date(clock.now().getTime() + deps.deleteAfter).toISOString() }
        : {};
      await lifecycle.send(request._id, { type: 'manager.told', ...deleteAt }, { completes });
      return undefined;
    },
    scheduleDeletion: async () => (doc) => {
      const at = doc.context.deleteAt as string | undefined;
      if (doc.done || !at || doc.deadlines.some((d) => d.kind === 'retentionEnd')) return undefined;
      const deadlines = [
        ...doc.deadlines,
        {
          kind: 'retentionEnd' as const,
          at: new Date(at),
          event: 'timer.retentionEnded',
          fired: false,
        },
      ];
      return { deadlines, nextDeadlineAt: nextDeadline(deadlines) };
    },
    deleteAccount: async (request, _item, completes) => {
      const id = await directory.accountIdByEmail(request.subjectEmail);
      // A rehire enabled the account again in the meantime: it stays.
      if (id && (await directory.holdingsOf(id)).signInAllowed) {
        await lifecycle.send(request._id, { type: 'account.kept' }, { completes });
        return undefined;
      }
      if (id) await directory.deleteAccount(id);
      await lifecycle.send(request._id, { type: 'directory.accountDeleted' }, { completes });
      return undefined;
    },
  };
}
