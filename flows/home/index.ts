import type { App } from '@slack/bolt';
import { appHome } from '../blocks/app-home.ts';
import { timeLeftWords } from '../blocks/grant-notice.ts';
import type { FlowDeps } from '../deps.ts';
import { resolveViewer, unknownUserText } from '../identity.ts';
import { ACTION } from '../ids.ts';
import { openOnboarding, openRoleChange } from '../request/index.ts';
import { personRef, requestView } from '../views.ts';

/** Publishes `slackId`'s App Home: own requests, reports' requests, and the queue for admins. */
export async function publishHome(deps: FlowDeps, client: App['client'], slackId: string) {
  const viewer = await resolveViewer(deps.tenant, client, slackId);
  if (!viewer?.known) {
    await client.views.publish({
      user_id: slackId,
      view: {
        type: 'home',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: unknownUserText(slackId) } }],
      },
    });
    return;
  }
  const home = await deps.visibility.home(viewer.email);
  const now = deps.clock.now();
  const running = await deps.visibility.runningGrants(viewer.email, deps.grants, now);
  const runningGrants = await Promise.all(
    running.map(async (g) => ({
      requestId: g.source,
      person: await personRef(deps.tenant, g.subjectEmail),
      what: g.label,
      endsAt: g.endsAt!.toISOString(),
      timeLeft: timeLeftWords(g.endsAt!, now),
      ...(g.held ? { held: g.held } : {}),
    })),
  );
  const view = (docs: typeof home.mine) =>
    Promise.all(docs.map((d) => requestView(deps.tenant, d)));
  await client.views.publish({
    user_id: slackId,
    view: appHome({
      viewer: await personRef(deps.tenant, viewer.email),
      myRequests: await view(home.mine),
      reportsRequests: await view(home.reports),
      pendingQueue: await view(home.queue),
      isGlobalAdmin: home.isGlobalAdmin,
      runningGrants,
      drift: home.isGlobalAdmin && deps.drift ? await deps.drift.lines() : [],
    }),
  });
}

/** App Home: built fresh on every open from what the viewer may see. */
export function register(app: App, deps: FlowDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab && event.tab !== 'home') return;
    await publishHome(deps, client, event.user);
  });
  app.action(ACTION.openOnboarding, async ({ ack, body, client }) => {
    await ack();
    if ('trigger_id' in body) await openOnboarding(deps, client, body.trigger_id);
  });
  app.action(ACTION.openRoleChange, async ({ ack, body, client }) => {
    await ack();
    if ('trigger_id' in body) await openRoleChange(deps, client, body.trigger_id);
  });
}
