import type { Clock } from '../src/clock.ts';
import type { Background } from '../src/lifecycle/background.ts';
import type { BulkImports } from '../src/lifecycle/bulk.service.ts';
import type { Lifecycle } from '../src/lifecycle/lifecycle.service.ts';
import type { GrantSources } from '../src/lifecycle/ports.ts';
import type { RequestQueries } from '../src/lifecycle/request.queries.ts';
import type { SeatQueue } from '../src/lifecycle/seat-queue.ts';
import type { RequestVisibility } from '../src/lifecycle/visibility.ts';
import type { TenantChoices } from '../src/tenant/options.ts';
import type { SeatView } from './blocks/types.ts';

/** A person of the tenant as the flows see them (the tenant file's people). */
export interface Person {
  _id: string;
  firstName: string;
  lastName: string;
  slackId: string;
  managerEmail?: string | null;
}

/** What the flows read from the tenant; `TenantService` provides it (wired in src/main.ts). */
export interface TenantLookup {
  personBySlackId(slackId: string): Promise<Person | null>;
  personByEmail(email: string): Promise<Person | null>;
  reportsOf(managerEmail: string): Promise<Person[]>;
  isGlobalAdmin(email: string): Promise<boolean>;
  /** Emails of every Global admin now (A2 counts them). */
  globalAdmins(): Promise<string[]>;
  /** Whether the directory has an account for this email (role changes need one). */
  hasAccount(email: string): Promise<boolean>;
  listSeatSummaries(): Promise<SeatView[]>;
  seatSummary(skuId: string): Promise<SeatView>;
  /**
   * `actorEmail` sets the seats of the SKU `skuRef` names (id or name, any case); refuses
   * non-admins, unknown SKUs (listing the ids) and counts below the seats in use (L5).
   */
  setSeatCount(actorEmail: string, skuRef: string, seats: number): Promise<SeatView>;
  choices(): Promise<TenantChoices>;
}

/** Everything a flow's `register(app, deps)` needs. Flows decide nothing about approval. */
export interface FlowDeps {
  lifecycle: Lifecycle;
  /** Reads for status, App Home and managers. */
  requests: RequestQueries;
  /** Who may see which request: every read a person asks for goes through it. */
  visibility: RequestVisibility;
  seats: SeatQueue;
  /** Work that goes on after the ack. */
  background: Background;
  clock: Clock;
  tenant: TenantLookup;
  /** Graph mode: what changed in Entra outside accessdesk, one line each (bounded). */
  drift?: { lines(): Promise<string[]> };
  approvalsChannel: string;
  publicUrl: string;
  /** Bulk onboarding's batches (`/access import`, the invitation link's sign-in details). */
  bulk?: BulkImports;
  /** Running time-bound grants, for App Home (bounded, indexed). */
  grants: Pick<GrantSources, 'running'>;
}
