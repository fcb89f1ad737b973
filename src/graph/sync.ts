/**
 * Reconciliation: reads Microsoft 365's subscriptions, users, admin role assignments and each
 * environment's security group, and brings the tenant model to them. Nothing is written to
 * Entra: what changed there without a request is listed for Global admins (App Home).
 */
import type { Connection } from 'mongoose';
import type { Clock } from '../clock.ts';
import { hasDatabase } from '../tenant/access.rules.ts';
import {
  applyDirectorySeats,
  type DirectorySeats,
  ledgerHoldersAmong,
} from '../tenant/directory-seats.ts';
import type { TenantConfig } from '../tenant/tenant.schema.ts';
import { ADMIN_ROLE_TEMPLATE_IDS } from './admin-role-ids.ts';
import { DriftStore, type GrantKind } from './drift.model.ts';
import { query } from './entra-shapes.ts';
import { type MicrosoftApi, odataString, refused } from './http.ts';
import { pages } from './pages.ts';

/** What one run read and set. */
export interface SyncReport {
  users: number;
  pages: number;
  skus: DirectorySeats[];
  roleAssignments: number;
  groupMembers: number;
}

interface SubscribedSku {
  skuId: string;
  skuPartNumber: string;
  consumedUnits?: number;
  prepaidUnits?: { enabled?: number };
}

/** Users are read with the largest page Graph allows. */
const PAGE = 999;
/** Licensed users looked up in the seat ledger per query (a few pages' worth, bounded). */
const LEDGER_BATCH = 3000;

/** Reads Entra and sets the tenant model's seats and drift; one run at a time per process. */
export class DirectorySync {
  readonly drift: DriftStore;
  #running: Promise<SyncReport> | undefined;

  constructor(
    private readonly o: {
      api: MicrosoftApi;
      graphUrl: string;
      connection: Connection;
      tenant: TenantConfig;
      clock: Clock;
    },
  ) {
    this.drift = new DriftStore(o.connection);
  }

  /** One reconciliation; a call while one runs joins it. */
  run(): Promise<SyncReport> {
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Resolves once no run is in progress (a graceful stop waits for it). */
  async settled(): Promise<void> {
    await this.#running?.catch(() => undefined);
  }

  /**
   * One small read of each kind the sync makes: credentials Microsoft refuses, or a permission
   * the app lacks, show at once, whatever the size of the tenant.
   */
  async probe(): Promise<void> {
    await this.#subscribedSkus();
    const globalAdmin = odataString(ADMIN_ROLE_TEMPLATE_IDS['Global admin']);
    const reads: Array<[string, string]> = [
      ['syncUsers', `/v1.0/users?${query({ $select: 'id,assignedLicenses', $top: '1' })}`],
      [
        'syncRoleAssignments',
        `/v1.0/roleManagement/directory/roleAssignments?${query({ $filter: `roleDefinitionId eq ${globalAdmin}` })}`,
      ],
      ...this.o.tenant.environments
        .filter((env) => hasDatabase(env.kind) && env.securityGroupId)
        .map((env): [string, string] => [
          'syncGroupMembers',
          `/v1.0/groups/${env.securityGroupId}/members?${query({ $select: 'id', $top: '1' })}`,
        ]),
    ];
    for (const [step, path] of reads) {
      const res = await this.o.api.call(step, 'GET', path);
      if (!res.ok) throw refused(step, res);
    }
  }

  async #run(): Promise<SyncReport> {
    const { run, baseline } = await this.drift.beginRun(this.o.clock.now());
    try {
      const report = await this.#reconcile(run, baseline);
      await this.drift.endRun();
      return report;
    } catch (error) {
      await this.drift.endRun((error as Error).message).catch(() => undefined);
      throw error;
    }
  }

  async #reconcile(run: number, baseline: boolean): Promise<SyncReport> {
    const report: SyncReport = {
      users: 0,
      pages: 0,
      skus: [],
      roleAssignments: 0,
      groupMembers: 0,
    };
    // Graph's skuId of each SKU of the tenant file (given, or found by its part number).
    const guids = new Map<string, string>();
    const first = await this.#subscribedSkus();
    for (const sku of this.o.tenant.skus) {
      const guid =
        sku.skuId?.toLowerCase() ??
        first.find((s) => s.skuPartNumber === sku.skuPartNumber)?.skuId.toLowerCase();
      if (guid) guids.set(guid, sku.id);
    }
    const licensedByUs = await this.#users(guids, report);
    await this.#grants(run, baseline, report);
    // Read after the users: a license assigned meanwhile counts as used outside (never as free).
    const subscribed = await this.#subscribedSkus();
    for (const [guid, skuId] of guids) {
      const units = subscribed.filter((s) => s.skuId.toLowerCase() === guid);
      const seats = units.reduce((sum, s) => sum + (s.prepaidUnits?.enabled ?? 0), 0);
      const consumed = units.reduce((sum, s) => sum + (s.consumedUnits ?? 0), 0);
      const external = consumed - (licensedByUs.get(skuId) ?? 0);
      const applied = await applyDirectorySeats(
        this.o.connection,
        skuId,
        { seats, external },
        this.o.clock.now(),
      );
      if (applied) report.skus.push(applied);
    }
    return report;
  }

  /**
   * Streams every user with their licenses; per page, one ledger query finds which licensed
   * users hold their seat through accessdesk. Returns, per SKU, how many such users there are.
   */
  async #users(guids: Map<string, string>, report: SyncReport): Promise<Map<string, number>> {
    const counted = new Map<string, number>();
    let inFlight: Promise<void> = Promise.resolve();
    let licensed = new Set<string>();
    let ids: string[] = [];
    // One ledger query for every few pages' licensed users (bounded), one in flight at a time
    // while the next pages are read and parsed.
    const count = async () => {
      const [batch, pairs] = [ids, licensed];
      [ids, licensed] = [[], new Set<string>()];
      await inFlight;
      inFlight = ledgerHoldersAmong(this.o.connection, [...guids.values()], batch).then((found) => {
        for (const h of found) {
          if (pairs.has(`${h.sku}|${h.accountId}`)) {
            counted.set(h.sku, (counted.get(h.sku) ?? 0) + 1);
          }
        }
      });
      inFlight.catch(() => undefined); // awaited by the next batch or after the last
    };
    const path = `/v1.0/users?${query({ $select: 'id,assignedLicenses', $top: String(PAGE) })}`;
    type User = { id: string; assignedLicenses?: Array<{ skuId: string }> };
    for await (const page of pages<User>(this.o.api, this.o.graphUrl, 'syncUsers', path)) {
      report.pages++;
      report.users += page.length;
      for (const user of page) {
        let any = false;
        for (const l of user.assignedLicenses ?? []) {
          const skuId = guids.get(l.skuId.toLowerCase());
          if (!skuId) continue;
          licensed.add(`${skuId}|${user.id}`);
          any = true;
        }
        if (any) ids.push(user.id);
      }
      if (ids.length >= LEDGER_BATCH) await count();
    }
    if (ids.length) await count();
    await inFlight;
    return counted;
  }

  /** Admin role assignments (tenant-wide) and each environment's group members, page by page. */
  async #grants(run: number, baseline: boolean, report: SyncReport): Promise<void> {
    const now = this.o.clock.now();
    type Principal = { id?: string; principalId?: string; directoryScopeId?: string };
    const idsOf = (kind: GrantKind, page: Principal[]) =>
      page
        .filter((p) => kind !== 'role' || (p.directoryScopeId ?? '/') === '/')
        .map((p) => String(kind === 'role' ? p.principalId : p.id));
    const watched: Array<{ kind: GrantKind; target: string; step: string; path: string }> = [];
    const seen = new Map<string, number>();
    const watch = async (kind: GrantKind, target: string, step: string, path: string) => {
      watched.push({ kind, target, step, path });
      let count = 0;
      for await (const page of pages<Principal>(this.o.api, this.o.graphUrl, step, path)) {
        report.pages++;
        const ids = idsOf(kind, page);
        if (kind === 'role') report.roleAssignments += ids.length;
        else report.groupMembers += ids.length;
        count += await this.drift.observePage(kind, target, ids, run, baseline, now);
      }
      seen.set(`${kind}:${target}`, count);
    };
    for (const [role, templateId] of Object.entries(ADMIN_ROLE_TEMPLATE_IDS)) {
      const filter = `roleDefinitionId eq ${odataString(templateId)}`;
      await watch(
        'role',
        role,
        'syncRoleAssignments',
        `/v1.0/roleManagement/directory/roleAssignments?${query({ $filter: filter, $select: 'id,principalId,directoryScopeId' })}`,
      );
    }
    for (const env of this.o.tenant.environments) {
      if (!hasDatabase(env.kind) || !env.securityGroupId) continue;
      // E4: direct members only (`members`, not `transitiveMembers`).
      await watch(
        'group',
        env.id,
        'syncGroupMembers',
        `/v1.0/groups/${env.securityGroupId}/members?${query({ $select: 'id', $top: String(PAGE) })}`,
      );
    }
    // Usually nothing was taken away, and the run wrote only what is new (one count for all).
    // Otherwise a second read of that collection marks what is still there; the rest goes.
    const stored = await this.drift.storedBefore(run);
    for (const { kind, target, step, path } of watched) {
      if ((stored.get(`${kind}:${target}`) ?? 0) === seen.get(`${kind}:${target}`)) continue;
      for await (const page of pages<Principal>(this.o.api, this.o.graphUrl, step, path)) {
        report.pages++;
        await this.drift.stamp(kind, target, idsOf(kind, page), run);
      }
      await this.drift.sweep(kind, target, run);
    }
  }

  async #subscribedSkus(): Promise<SubscribedSku[]> {
    const res = await this.o.api.call(
      'syncSubscribedSkus',
      'GET',
      '/v1.0/subscribedSkus?$select=skuId,skuPartNumber,consumedUnits,prepaidUnits',
    );
    if (!res.ok) throw refused('syncSubscribedSkus', res);
    return (res.body?.value ?? []) as SubscribedSku[];
  }
}
