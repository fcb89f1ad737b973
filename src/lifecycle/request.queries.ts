import { TAG } from '../../machines/tags.ts';
import type { Clock } from '../clock.ts';
import { hashToken, INVITATION_TOKEN } from './invitation-token.ts';
import type { MachineRegistry } from './machine-registry.ts';
import type { RequestDoc } from './request.model.ts';
import type { RequestStore } from './request-store.ts';

/** The reads people's views make: `/access status`, App Home, managers, the invitation page. */
export class RequestQueries {
  constructor(
    private readonly store: RequestStore,
    private readonly machines: MachineRegistry,
  ) {}

  /** Requests made by or about any of `emails`, newest first. */
  requestsInvolving(emails: string[], limit = 20): Promise<RequestDoc[]> {
    return this.store.list({ involving: emails.map((e) => e.toLowerCase()) }, 'newest', limit);
  }

  /** Requests whose new hire will report to `managerEmail` (the modal's manager field). */
  requestsManagedBy(managerEmail: string, limit = 20): Promise<RequestDoc[]> {
    return this.store.list({ managedBy: managerEmail.toLowerCase() }, 'newest', limit);
  }

  /** Requests waiting for a decision, oldest first: the Global admins' queue. */
  pendingDecisions(limit = 20): Promise<RequestDoc[]> {
    const statuses = this.machines.statusesTagged(TAG.undecided);
    return this.store.list({ statuses }, 'oldest', limit);
  }

  /** The request, or undefined (no error): for lookups by id typed by people. */
  find(requestId: string): Promise<RequestDoc | undefined> {
    return this.store.find(requestId);
  }

  /** The request whose invitation token hashes to `tokenHash`, if any. */
  findByInvitation(tokenHash: string): Promise<RequestDoc | undefined> {
    return this.store.byInvitation(tokenHash);
  }

  /**
   * The request a one-time invitation link opens, while it can still be accepted: its machine
   * awaits acceptance and the invitation has not expired (L4). Only the token's hash is looked up.
   */
  async openInvitation(token: string, clock: Clock): Promise<RequestDoc | undefined> {
    // Anything not shaped like a token is no invitation: nothing is looked up.
    if (!INVITATION_TOKEN.test(token)) return;
    const request = await this.store.byInvitation(hashToken(token));
    if (
      !request?.invitation ||
      !this.machines.hasTag(request.kind, request.status, TAG.awaitingAcceptance)
    )
      return;
    return new Date(request.invitation.expiresAt) > clock.now() ? request : undefined;
  }
}
