import type { GRANT_EFFECTS } from '../../machines/grant.machine.ts';
import { TAG } from '../../machines/tags.ts';
import { AccessdeskError, ErrorCode, RuleViolation } from '../errors.ts';
import { nextDeadline } from './deadlines.ts';
import type { Effect, Settlement } from './effect-runner.ts';
import type { EffectDeps } from './effects.ts';
import { UNLIMITED_SOURCE } from './grant-sources.ts';
import { requestMachines } from './machines.ts';
import type { GrantSource, Holdings } from './ports.ts';
import type { Deadline, GrantDetails, RequestDoc } from './request.model.ts';

/** A held revocation (A2) is tried again this long after it was held. */
export const HELD_RETRY_MS = 60 * 60_000;

/** One thing a grant gives: its key among the person's grant sources, and its words. */
export interface GrantItem {
  key: string;
  label: string;
  /** Whether the account holds it now, from what the directory says (see `heldNow`). */
  heldIn(holdings: Partial<Holdings>): boolean;
}

/** What a grant gives, one item per role or license. */
export function grantItems(d: GrantDetails): GrantItem[] {
  const env = d.environment ?? '';
  if (d.grant === 'security_roles') {
    return (d.securityRoles ?? []).map((role) => ({
      key: `role:${env}:${role}`,
      label: `${role} in ${env}`,
      heldIn: (h) => !!h.securityRoles?.[env]?.includes(role),
    }));
  }
  if (d.grant === 'admin_roles') {
    return (d.adminRoles ?? []).map((role) => ({
      key: `admin:${role}`,
      label: role,
      heldIn: (h) => !!h.adminRoles?.includes(role),
    }));
  }
  const sku = d.sku ?? '';
  return [
    { key: `license:${sku}`, label: `license ${sku}`, heldIn: (h) => !!h.skus?.includes(sku) },
  ];
}

/** The warnings of a grant (ms before its end) that fall after its clock started, with their time. */
function grantWarningTimes(context: { appliedAt?: unknown; endsAt?: unknown }, warnings: number[]) {
  const end = new Date(context.endsAt as string);
  const start = new Date(context.appliedAt as string).getTime();
  return warnings
    .map((before) => ({ before, at: new Date(end.getTime() - before) }))
    .filter(({ at }) => at.getTime() > start);
}

/**
 * The deadlines of a running grant at `now`: its end, and each warning not sent yet (`warned`
 * lists those sent) while the grant runs — one whose time passed unsent (an effect retried late
 * after a crash) is due at once, not skipped. A transition drops them (the kernel keeps only what
 * the decision and an invitation need), so every effect of a running grant plans them again.
 */
export function grantDeadlines(
  context: { appliedAt?: unknown; endsAt?: unknown },
  warnings: number[],
  now: Date,
  warned: number[] = [],
): Deadline[] {
  const end = new Date(context.endsAt as string);
  const open = end > now ? grantWarningTimes(context, warnings) : [];
  const unsent = open
    .filter(({ before }) => !warned.includes(before))
    .map(({ before, at }) => ({
      kind: `grantWarning:${before}` as const,
      at,
      event: 'timer.grantWarningDue',
      fired: false,
    }));
  return [{ kind: 'grantEnd', at: end, event: 'timer.grantEnded', fired: false }, ...unsent];
}

/**
 * The effects only a time-bound grant names. The grant sources say why a person holds each
 * thing; a grant records its own before it gives anything and, at its end, revokes only what no
 * other source gives. Every step is idempotent and its end is a stored deadline.
 */
export function grantEffects(deps: EffectDeps): Record<(typeof GRANT_EFFECTS)[number], Effect> {
  const { lifecycle, directory, notifier, clock, grants, seats, people } = deps;
  const details = (r: RequestDoc) => r.details as GrantDetails;
  const people2 = (r: RequestDoc) => [...new Set([r.subjectEmail, r.requesterEmail])];
  const account = async (r: RequestDoc) => {
    const id = await directory.accountIdByEmail(r.subjectEmail);
    if (!id) throw new AccessdeskError(ErrorCode.NotFound, `${r.subjectEmail} has no account.`);
    return id;
  };
  const running = (doc: RequestDoc, tag: string) =>
    !doc.done && requestMachines.hasTag(doc.kind, doc.status, tag);
  /** The grant's own source of its first item: where its sent warnings are claimed. */
  const own = (r: RequestDoc) => [r.subjectEmail, grantItems(details(r))[0]!.key, r._id] as const;
  /** Plans the next try of a held revocation (A2), while it is held. */
  const nextTry: Settlement = (doc) => {
    if (!running(doc, TAG.revocationHeld)) return undefined;
    const at = new Date(clock.now().getTime() + HELD_RETRY_MS);
    const deadlines: Deadline[] = [
      { kind: 'grantEnd', at, event: 'timer.grantEnded', fired: false },
    ];
    return { deadlines, nextDeadlineAt: at };
  };
  /** Saves the running grant's deadlines, planned on the document of that moment. */
  const replan = async (request: RequestDoc): ReturnType<Effect> => {
    const warned = (await grants.get(...own(request)))?.warned ?? [];
    return (doc: RequestDoc) => {
      if (!running(doc, TAG.grantRunning)) return undefined;
      const deadlines = grantDeadlines(doc.context, deps.grantWarnings, clock.now(), warned);
      return { deadlines, nextDeadlineAt: nextDeadline(deadlines) };
    };
  };

  return {
    applyGrant: async (request, _item, completes) => {
      const d = details(request);
      const accountId = await account(request);
      const now = clock.now();
      const items = grantItems(d);
      // An extension starts where the grant it extends ends, while that one still runs.
      const extended = d.extends
        ? await grants.get(request.subjectEmail, items[0]!.key, d.extends)
        : undefined;
      const start = Math.max(now.getTime(), extended?.endsAt?.getTime() ?? 0);
      const endsAt = d.until ? new Date(d.until) : new Date(start + (d.durationMs ?? 0));
      const recorded = new Map<string, GrantSource | undefined>();
      for (const item of items)
        recorded.set(item.key, await grants.get(request.subjectEmail, item.key, request._id));
      // What the person held before: read once, before anything is given, and recorded per
      // item. A retry after a crash (the grant may have given some already) trusts the record.
      const holdings = [...recorded.values()].every(Boolean) ? {} : await heldNow(d, accountId);
      const gave: Record<string, boolean> = {};
      for (const item of items) {
        const own = recorded.get(item.key);
        gave[item.key] = own ? own.gave : !item.heldIn(holdings);
        // Held already and from nothing accessdesk knows of: an unlimited grant gave it.
        if (
          !own &&
          item.heldIn(holdings) &&
          !(await grants.othersThan(request.subjectEmail, item.key))
        )
          await grants.add({
            ...source(request, item),
            source: UNLIMITED_SOURCE,
            endsAt: null,
            gave: false,
          });
        await grants.add({
          ...source(request, item),
          source: request._id,
          endsAt,
          gave: gave[item.key]!,
        });
      }
      await give(d, accountId, request._id, gave[items[0]!.key]!);
      await lifecycle.send(
        request._id,
        { type: 'grant.applied', appliedAt: now.toISOString(), endsAt: endsAt.toISOString() },
        { completes },
      );
      return undefined;
    },
    scheduleGrantEnd: (request) => replan(request),
    warnGrantEnding: async (request) => {
      const endsAt = new Date(request.context.endsAt as string);
      const now = clock.now();
      // Every warning whose time has come, once per grant and offset (claimed before it is sent,
      // given back if sending fails), however late this runs: a late retry skips none.
      const due = endsAt > now ? grantWarningTimes(request.context, deps.grantWarnings) : [];
      for (const { before } of due.filter(({ at }) => at <= now)) {
        if (!(await grants.claimWarning(...own(request), before))) continue;
        try {
          await notifier.grantNotice(request, { kind: 'ending', to: people2(request), endsAt });
        } catch (error) {
          await grants.giveBackWarning(...own(request), before);
          throw error;
        }
      }
      return replan(request);
    },
    revokeGrant: async (request, _item, completes) => {
      const d = details(request);
      const accountId = await account(request);
      const warnings: string[] = [];
      // A retry of a held revocation: a refusal again is counted on the request without leaving
      // `held` (no history line) and its item stays until the settling write plans the next try.
      const retry = running(request, TAG.revocationHeld);
      for (const item of grantItems(d)) {
        if (!(await grants.othersThan(request.subjectEmail, item.key, request._id))) {
          try {
            warnings.push(...(await take(d, item, accountId)));
          } catch (error) {
            if (!(error instanceof RuleViolation) || error.details.rule !== 'A2') throw error;
            // A2: the last Global admin keeps the role; the Global admins hear of it, once.
            const triedAt = clock.now().toISOString();
            await lifecycle.send(
              request._id,
              { type: 'grant.revokeHeld', reason: error.message, triedAt },
              retry ? {} : { completes },
            );
            return retry ? nextTry : undefined;
          }
        }
        await grants.remove(request.subjectEmail, item.key, request._id);
      }
      if (d.grant === 'license' && d.sku) await seats.promote(d.sku);
      await notifier.grantNotice(request, { kind: 'ended', to: people2(request), warnings });
      await lifecycle.send(request._id, { type: 'grant.revoked' }, { completes });
      return undefined;
    },
    holdRevocation: async (request) => {
      const reason = String(request.context.heldReason ?? 'A2');
      await notifier.grantNotice(request, {
        kind: 'held',
        to: await people.globalAdmins(),
        reason,
      });
      return nextTry;
    },
  };

  /**
   * What the account holds now of what the grant names. Security roles: one read of the
   * environment's role assignments narrowed to the grant's roles (Dataverse in graph mode).
   */
  async function heldNow(d: GrantDetails, accountId: string): Promise<Partial<Holdings>> {
    if (d.grant !== 'security_roles') return directory.holdingsOf(accountId);
    const env = d.environment ?? '';
    const roles = await directory.securityRolesHeld(env, accountId, d.securityRoles ?? []);
    return { securityRoles: { [env]: roles } };
  }

  /** Gives what the grant grants (idempotent); a license the person holds already is not bound. */
  async function give(d: GrantDetails, accountId: string, key: string, gives: boolean) {
    if (d.grant === 'security_roles')
      await directory.assignSecurityRoles(d.environment ?? '', accountId, d.securityRoles ?? []);
    if (d.grant === 'admin_roles') await directory.grantAdminRoles(accountId, d.adminRoles ?? []);
    if (d.grant !== 'license' || !d.sku) return;
    if (gives) {
      await directory.bindSeat(d.sku, key, accountId);
      await directory.confirmSeat(d.sku, key);
    } else {
      // L1: one seat per account; the seat the queue held for this request goes back.
      await directory.releaseSeat(d.sku, key);
      await seats.promote(d.sku);
    }
  }

  /** Takes away one item; S6's warning when it leaves no security role in the environment. */
  async function take(d: GrantDetails, item: GrantItem, accountId: string): Promise<string[]> {
    if (d.grant === 'security_roles') {
      const role = item.key.split(':').slice(2).join(':');
      return directory.removeSecurityRoles(d.environment ?? '', accountId, [role]);
    }
    if (d.grant === 'admin_roles') return directory.revokeAdminRoles(accountId, [item.label]);
    // L6: removing the license frees its seat.
    await directory.releaseAccountSeat(d.sku ?? '', accountId);
    return [];
  }
}

function source(request: RequestDoc, item: GrantItem) {
  return { subjectEmail: request.subjectEmail, key: item.key, label: item.label };
}
