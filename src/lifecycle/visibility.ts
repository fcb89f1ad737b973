import { TAG } from '../../machines/tags.ts';
import { requestMachines } from './machines.ts';
import type { GrantSource, GrantSources } from './ports.ts';
import type { RequestDoc } from './request.model.ts';
import type { RequestQueries } from './request.queries.ts';

/** Who people are, as far as seeing requests goes (the tenant provides it). */
export interface Audience {
  isGlobalAdmin(email: string): Promise<boolean>;
  /** Emails of the people reporting to `managerEmail`, directly or not (nearest first, bounded). */
  reportsOf(managerEmail: string): Promise<string[]>;
  /** Whether `managerEmail` manages `personEmail`, directly or not (however many reports). */
  manages(managerEmail: string, personEmail: string): Promise<boolean>;
}

/**
 * App Home lists the requests of at most this many reports (the nearest first): MongoDB merges
 * the index ranges of up to 200 emails in date order (two per report: requester and subject);
 * past that it would read and sort every request of every report.
 */
export const HOME_REPORTS = 100;

/** What one person's App Home shows. */
export interface HomeRequests {
  mine: RequestDoc[];
  /** Requests by or about their reports, and new hires who will report to them. */
  reports: RequestDoc[];
  /** The queue of requests waiting for a decision: Global admins only. */
  queue: RequestDoc[];
  isGlobalAdmin: boolean;
}

/** A running grant as App Home lists it; `held` says why its ending is held, when it is. */
export type RunningGrant = GrantSource & { held?: string };

/**
 * Who may see which request: the requester, the subject, the new hire's named manager, the
 * managers of either (directly or not), and Global admins. No one else; what someone may not
 * see is answered as if it did not exist. Every list is bounded (20, newest first).
 */
export class RequestVisibility {
  constructor(
    private readonly queries: RequestQueries,
    private readonly audience: Audience,
  ) {}

  /** Whether `viewerEmail` may see `request`. */
  async maySee(
    viewerEmail: string,
    request: Pick<RequestDoc, 'requesterEmail' | 'subjectEmail' | 'details'>,
  ): Promise<boolean> {
    const me = viewerEmail.toLowerCase();
    if (me === request.requesterEmail || me === request.subjectEmail) return true;
    // The new hire's future manager, named in the request, follows it too.
    if ((request.details as { managerEmail?: string } | undefined)?.managerEmail === me)
      return true;
    if (await this.audience.isGlobalAdmin(me)) return true;
    return (
      (await this.audience.manages(me, request.requesterEmail)) ||
      (await this.audience.manages(me, request.subjectEmail))
    );
  }

  /** `/access status`: the viewer's own requests. */
  own(viewerEmail: string): Promise<RequestDoc[]> {
    return this.queries.requestsInvolving([viewerEmail]);
  }

  /** `/access status <id>`: the request, if it exists and the viewer may see it. */
  async one(viewerEmail: string, requestId: string): Promise<RequestDoc | undefined> {
    const request = await this.queries.find(requestId);
    return request && (await this.maySee(viewerEmail, request)) ? request : undefined;
  }

  /** `/access status @person`: that person's requests the viewer may see. */
  async ofPerson(viewerEmail: string, personEmail: string): Promise<RequestDoc[]> {
    const theirs = await this.queries.requestsInvolving([personEmail]);
    const seen = await Promise.all(theirs.map((r) => this.maySee(viewerEmail, r)));
    return theirs.filter((_, i) => seen[i]);
  }

  /** App Home: the running time-bound grants of the viewer and of their reports, soonest end first. */
  async runningGrants(
    viewerEmail: string,
    grants: Pick<GrantSources, 'running'>,
    now: Date,
    limit = 10,
  ): Promise<RunningGrant[]> {
    const reports = await this.audience.reportsOf(viewerEmail);
    // The nearest HOME_REPORTS, like the requests: an $in the index merges in `endsAt` order.
    const running = await grants.running([viewerEmail, ...reports.slice(0, HOME_REPORTS)], limit);
    // Past its end and still held: only its request says why (A2 holds the revocation).
    return Promise.all(
      running.map(async (g) => {
        if (!g.endsAt || g.endsAt > now) return g;
        const doc = await this.queries.find(g.source);
        const held = !!doc && requestMachines.hasTag(doc.kind, doc.status, TAG.revocationHeld);
        return held ? { ...g, held: 'last Global admin (A2)' } : g;
      }),
    );
  }

  /** App Home: own requests, the reports' and managed new hires', and the queue for admins. */
  async home(viewerEmail: string): Promise<HomeRequests> {
    const [reports, isGlobalAdmin] = await Promise.all([
      this.audience.reportsOf(viewerEmail),
      this.audience.isGlobalAdmin(viewerEmail),
    ]);
    const [mine, theirs, managed, queue] = await Promise.all([
      this.queries.requestsInvolving([viewerEmail]),
      reports.length
        ? this.queries.requestsInvolving(reports.slice(0, HOME_REPORTS))
        : Promise.resolve([]),
      this.queries.requestsManagedBy(viewerEmail),
      isGlobalAdmin ? this.queries.pendingDecisions() : Promise.resolve([]),
    ]);
    const seen = new Set(mine.map((r) => r._id));
    const others = [...theirs, ...managed].filter((r) => !seen.has(r._id) && seen.add(r._id));
    return { mine, reports: others, queue, isGlobalAdmin };
  }
}
