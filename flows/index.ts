import type { App } from '@slack/bolt';
import { AccessdeskError, describeError } from '../src/errors.ts';
import { clip, defaultLogger, type Logger } from '../src/log.ts';
import { isSlackError, refusals, slackApiErrors } from '../src/observability/metrics.ts';
import { inContext } from '../src/slack/log-context.ts';
import { register as command } from './command/index.ts';
import { register as decide } from './decide/index.ts';
import type { FlowDeps } from './deps.ts';
import { screen } from './edge/inbound.schema.ts';
import { register as grant } from './grant/index.ts';
import { register as home } from './home/index.ts';
import { register as bulkImport } from './import/index.ts';
import { register as invitation } from './invitation/index.ts';
import { register as offboard } from './offboard/index.ts';
import { register as request } from './request/index.ts';
import { Turns, useTurns } from './turns.ts';

export { SlackBatchNotifier } from './batch-notifier.ts';
export type { FlowDeps, TenantLookup } from './deps.ts';
export { screen as screenSlackPayload } from './edge/inbound.schema.ts';
export { invitationRoutes } from './invitation/index.ts';
export { lateSlackNotifiers } from './late-notifiers.ts';
export { SlackNotifier } from './slack-notifier.ts';

/** Registers every flow on `app`, and the one place errors of listeners end up. */
export function registerFlows(app: App, deps: FlowDeps, logger: Logger = defaultLogger): void {
  // Every line logged while a Slack call is handled (and the work it starts) names that call and
  // the Slack ids it concerns.
  app.use(({ body, next }) => inContext(body, next));
  // Whatever the transport (HTTP passes the edge receiver first; Socket Mode does not), no
  // listener sees a payload the edge schema refuses: it is acknowledged and dropped.
  app.use(async ({ body, ack, next }) => {
    const verdict = screen(body);
    if (verdict.kind === 'dispatch') return next();
    if (verdict.kind === 'invalid') {
      logger.warn({ refused: verdict.what }, `refused a Slack ${verdict.what}: ${verdict.problem}`);
      refusals.inc({ reason: 'invalid_payload' });
    }
    if (ack) await ack();
  });
  // One listener works at a time after its ack (measured by bench/ack: with 1, p99 ack 24 ms at
  // 200 clicks/s; with 2–8, 36–51 ms, as their database callbacks crowd the event loop).
  useTurns(app, new Turns(1));
  command(app, deps);
  request(app, deps);
  decide(app, deps);
  invitation(app, deps);
  home(app, deps);
  bulkImport(app, deps);
  grant(app, deps);
  offboard(app, deps);
  app.error(async (error) => {
    // Never the payload: it may carry people's data. The code and message are enough.
    const original = error.original ?? error;
    if (isSlackError(original)) slackApiErrors.inc({ kind: 'listener' });
    // An accessdesk error says what was refused; anything else, its own message (a Slack API
    // error names its code), never the payload.
    const what = original instanceof AccessdeskError ? describeError(original) : original.message;
    logger.error({ code: error.code }, `listener failed: ${clip(what, 200)}`);
  });
}
