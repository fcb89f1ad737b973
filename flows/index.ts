import type { App } from '@slack/bolt';
import { describeError } from '../src/errors.ts';
import { register as command } from './command/index.ts';
import { register as decide } from './decide/index.ts';
import type { FlowDeps } from './deps.ts';
import { register as home } from './home/index.ts';
import { register as invitation } from './invitation/index.ts';
import { register as request } from './request/index.ts';
import { Turns, useTurns } from './turns.ts';

export type { FlowDeps, TenantLookup } from './deps.ts';
export { invitationRoutes } from './invitation/index.ts';
export { SlackNotifier } from './slack-notifier.ts';

/** Registers every flow on `app`, and the one place errors of listeners end up. */
export function registerFlows(app: App, deps: FlowDeps): void {
  // One listener works at a time after its ack (measured by bench/ack: with 1, p99 ack 24 ms at
  // 200 clicks/s; with 2–8, 36–51 ms, as their database callbacks crowd the event loop).
  useTurns(app, new Turns(1));
  command(app, deps);
  request(app, deps);
  decide(app, deps);
  invitation(app, deps);
  home(app, deps);
  app.error(async (error) => {
    // Never the payload: it may carry people's data. The code and message are enough.
    console.error(
      `[accessdesk] listener failed: ${describeError(error.original ?? error)} (${error.code})`,
    );
  });
}
