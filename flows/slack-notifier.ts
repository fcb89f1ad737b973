import type { App } from '@slack/bolt';
import { type Clock, systemClock } from '../src/clock.ts';
import type { GrantNotice, InvitationDelivery, Notifier } from '../src/lifecycle/ports.ts';
import type { RequestDoc } from '../src/lifecycle/request.model.ts';
import { approvalCard } from './blocks/approval-card.ts';
import { credentialsMessage } from './blocks/credentials-message.ts';
import { grantNoticeMessage } from './blocks/grant-notice.ts';
import { invitationForRequester, invitationMessage } from './blocks/invitation-message.ts';
import { escapeMrkdwn } from './blocks/kit.ts';
import { managerNotice } from './blocks/manager-notice.ts';
import { requesterUpdate } from './blocks/requester-update.ts';
import type { TenantLookup } from './deps.ts';
import { requestView } from './views.ts';

type Client = App['client'];

/** The new hire's name as the request gives it, else the subject's email. */
function nameOf(request: RequestDoc): string {
  const d = request.details as { firstName?: string; lastName?: string } | undefined;
  return d?.firstName ? `${d.firstName} ${d.lastName ?? ''}`.trim() : request.subjectEmail;
}

/**
 * The lifecycle's Notifier over Slack's Web API: the approval card (edited in place), a DM to
 * the requester at every change, reminders, escalations, and the one-time sign-in details.
 */
export class SlackNotifier implements Notifier {
  constructor(
    private readonly client: Client,
    private readonly tenant: TenantLookup,
    private readonly approvalsChannel: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async notifyApprovers(request: RequestDoc) {
    const card = approvalCard(await requestView(this.tenant, request));
    const posted = await this.client.chat.postMessage({ channel: this.approvalsChannel, ...card });
    return posted.channel && posted.ts ? { channel: posted.channel, ts: posted.ts } : undefined;
  }

  async requestChanged(request: RequestDoc) {
    // A person of a batch: the batch's one progress message speaks for them.
    if (request.kind === 'bulk_member') return;
    const view = await requestView(this.tenant, request);
    if (request.slack?.channel && request.slack.ts) {
      await this.client.chat.update({
        channel: request.slack.channel,
        ts: request.slack.ts,
        ...approvalCard(view),
      });
    }
    const requester = await this.slackIdOf(request.requesterEmail);
    if (requester)
      await this.client.chat.postMessage({ channel: requester, ...requesterUpdate(view) });
    if (view.word === 'failed') await this.#tellGlobalAdminsOfFailure(request, view);
  }

  /** A failed request (its step and the directory's error code in the reason) DMs every Global admin. */
  async #tellGlobalAdminsOfFailure(request: RequestDoc, view: { failureReason?: string }) {
    const reason = view.failureReason ? `: ${escapeMrkdwn(view.failureReason)}` : '';
    const text = `${request._id} (${escapeMrkdwn(nameOf(request))}) failed${reason}. What it had done was undone; nothing else was changed.`;
    await this.#toEach(await this.tenant.globalAdmins(), text, 'failure notice');
  }

  /** DMs each person, collecting failures rather than stopping at the first. */
  async #toEach(emails: string[], text: string, what: string) {
    const failures: unknown[] = [];
    for (const email of emails) {
      try {
        const id = await this.slackIdOf(email);
        if (id) await this.client.chat.postMessage({ channel: id, text });
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length)
      throw new AggregateError(failures, `${what} failed for ${failures.length} admin(s)`);
  }

  async remindApprovers(request: RequestDoc) {
    await this.client.chat.postMessage({
      channel: this.approvalsChannel,
      ...(request.slack?.ts ? { thread_ts: request.slack.ts } : {}),
      text: `Reminder: ${request._id} is still waiting for a Global admin.`,
    });
  }

  async escalateToGlobalAdmins(request: RequestDoc, admins: string[]) {
    const text = `${request._id} has waited for a decision for days. Please approve or deny it in the approvals channel.`;
    await this.#toEach(admins, text, 'escalation');
  }

  async deliverInvitation(request: RequestDoc, delivery: InvitationDelivery) {
    // A person of a batch: their link is in the requester's results file, and the link shows
    // a fresh temporary password once (T2). This one is dropped unseen.
    if (request.kind === 'bulk_member') return;
    const invitee = await this.slackIdByEmail(request.subjectEmail);
    const to = invitee ?? (await this.slackIdOf(request.requesterEmail));
    if (!to) throw new Error(`nobody to deliver the invitation of ${request._id} to`);
    const base = {
      requestId: request._id,
      upn: delivery.upn,
      expiresAt: delivery.expiresAt.toISOString(),
    };
    // Not in Slack: the requester passes the link on; only the invitee can accept.
    const inviteeName = invitee ? undefined : nameOf(request);
    const invitation = inviteeName
      ? invitationForRequester({ ...base, acceptUrl: delivery.acceptUrl, inviteeName })
      : invitationMessage(base);
    await this.client.chat.postMessage({ channel: to, ...invitation });
    // T2: the password goes once, privately, to one person; nothing keeps it afterwards.
    await this.client.chat.postMessage({
      channel: to,
      ...credentialsMessage({
        upn: delivery.upn,
        temporaryPassword: delivery.temporaryPassword,
        ...(inviteeName ? { forName: inviteeName } : {}),
      }),
    });
  }

  /** An offboarding's notices to the leaver's manager: when it is asked, and once it is done. */
  async tellManager(request: RequestDoc, managerEmail: string) {
    const to = await this.slackIdOf(managerEmail);
    if (!to) return;
    const view = await requestView(this.tenant, request);
    await this.client.chat.postMessage({ channel: to, ...managerNotice(view) });
  }

  /** A time-bound grant's notices: the warning with Extend, its end, or a held revocation (A2). */
  async grantNotice(request: RequestDoc, notice: GrantNotice) {
    const view = await requestView(this.tenant, request);
    const what = view.summary.find((s) => s.label === 'Grants')?.value ?? 'access';
    const subject = { requestId: request._id, what, personName: view.subject.name };
    const message = grantNoticeMessage(subject, notice, this.clock.now());
    const failures: unknown[] = [];
    for (const email of notice.to) {
      try {
        const id = await this.slackIdOf(email);
        if (id) await this.client.chat.postMessage({ channel: id, ...message });
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length) throw new AggregateError(failures, 'a grant notice failed');
  }

  private async slackIdOf(email: string): Promise<string | undefined> {
    return (await this.tenant.personByEmail(email))?.slackId ?? this.slackIdByEmail(email);
  }

  private async slackIdByEmail(email: string): Promise<string | undefined> {
    try {
      return (await this.client.users.lookupByEmail({ email })).user?.id;
    } catch {
      return undefined;
    }
  }
}
