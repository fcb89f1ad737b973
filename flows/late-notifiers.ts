import type { App } from '@slack/bolt';
import type { Clock } from '../src/clock.ts';
import type { BatchNotifier } from '../src/lifecycle/bulk.service.ts';
import type { Notifier } from '../src/lifecycle/ports.ts';
import { SlackBatchNotifier } from './batch-notifier.ts';
import type { TenantLookup } from './deps.ts';
import { SlackNotifier } from './slack-notifier.ts';

/**
 * The lifecycle needs its notifiers before the Bolt app (whose client they use) exists: these
 * forward to the Slack notifiers that `bind` makes once the app is built.
 */
export function lateSlackNotifiers(approvalsChannel: string, clock: Clock) {
  let notifier: SlackNotifier | undefined;
  let batch: SlackBatchNotifier | undefined;
  const bound = <T>(value: T | undefined): T => {
    if (!value) throw new Error('the Slack notifiers are used before the Bolt app is built');
    return value;
  };
  return {
    notifier: {
      notifyApprovers: (r) => bound(notifier).notifyApprovers(r),
      requestChanged: (r) => bound(notifier).requestChanged(r),
      remindApprovers: (r) => bound(notifier).remindApprovers(r),
      escalateToGlobalAdmins: (r, a) => bound(notifier).escalateToGlobalAdmins(r, a),
      deliverInvitation: (r, d) => bound(notifier).deliverInvitation(r, d),
      tellManager: (r, m) => bound(notifier).tellManager(r, m),
      grantNotice: (r, n) => bound(notifier).grantNotice(r, n),
    } satisfies Notifier,
    batchNotifier: {
      batchProgress: (b, t, r) => bound(batch).batchProgress(b, t, r),
      batchResults: (b, f, c) => bound(batch).batchResults(b, f, c),
    } satisfies BatchNotifier,
    bind(client: App['client'], tenant: TenantLookup) {
      notifier = new SlackNotifier(client, tenant, approvalsChannel, clock);
      batch = new SlackBatchNotifier(client, tenant);
    },
  };
}
