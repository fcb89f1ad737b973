import type { App } from '@slack/bolt';
import type { BatchDoc } from '../src/lifecycle/bulk.model.ts';
import type { BatchNotifier } from '../src/lifecycle/bulk.service.ts';
import type { TenantLookup } from './deps.ts';

type Client = App['client'];

/**
 * A batch's messages to its requester, privately: one progress message edited in place, and at
 * the end the results file (user names and one-time links, never a password) in a DM, through
 * Slack's external upload flow (`files.uploadV2`: getUploadURLExternal, the upload, complete).
 */
export class SlackBatchNotifier implements BatchNotifier {
  constructor(
    private readonly client: Client,
    private readonly tenant: TenantLookup,
  ) {}

  async batchProgress(batch: BatchDoc, counts: string, ref?: { channel: string; ts: string }) {
    const text = `Bulk onboarding ${batch.requestId ?? batch._id} (${batch.fileName}): ${counts}`;
    if (ref) {
      await this.client.chat.update({ channel: ref.channel, ts: ref.ts, text });
      return ref;
    }
    const to = await this.#slackIdOf(batch.requesterEmail);
    if (!to) return undefined;
    const posted = await this.client.chat.postMessage({ channel: to, text });
    return posted.channel && posted.ts ? { channel: posted.channel, ts: posted.ts } : undefined;
  }

  async batchResults(batch: BatchDoc, fileName: string, csv: string) {
    const to = await this.#slackIdOf(batch.requesterEmail);
    if (!to) throw new Error(`nobody to hand the results of ${batch._id} to`);
    const dm = await this.client.conversations.open({ users: to });
    const channel = dm.channel?.id;
    if (!channel) throw new Error(`no direct message with the requester of ${batch._id}`);
    await this.client.files.uploadV2({
      channel_id: channel,
      file: Buffer.from(csv, 'utf8'),
      filename: fileName,
      title: `Bulk onboarding ${batch.requestId ?? batch._id}: results`,
      initial_comment:
        'The results of your bulk onboarding: each person’s user name and a one-time invitation link. Pass each link on privately; it shows the temporary password once, when opened.',
    });
  }

  async #slackIdOf(email: string): Promise<string | undefined> {
    const known = (await this.tenant.personByEmail(email))?.slackId;
    if (known) return known;
    try {
      return (await this.client.users.lookupByEmail({ email })).user?.id;
    } catch {
      return undefined;
    }
  }
}
