import type { App, RespondFn } from '@slack/bolt';
import { describeError } from '../../src/errors.ts';
import { requestId } from '../../src/slack/ids.schema.ts';
import { helpMessage } from '../blocks/help-message.ts';
import { seatsMessage } from '../blocks/seats-message.ts';
import { statusMessage } from '../blocks/status-message.ts';
import type { FlowDeps } from '../deps.ts';
import { resolveViewer, unknownUserText, type Viewer } from '../identity.ts';
import { openOnboarding, openRoleChange } from '../request/index.ts';
import { takeTurn } from '../turns.ts';
import { requestView } from '../views.ts';

const MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;

/** `/access status [id | @user]`: private, and "not found" for what the viewer may not see. */
async function status(deps: FlowDeps, client: App['client'], viewer: Viewer, arg: string) {
  const notFound = {
    text: `Not found: ${arg || 'no requests'}.`,
    response_type: 'ephemeral' as const,
  };
  // Who may see what is the lifecycle's to say; this parses the argument and renders.
  let requests: Awaited<ReturnType<FlowDeps['visibility']['own']>> = [];
  const mention = MENTION.exec(arg)?.[1];
  const id = requestId.safeParse(arg.toUpperCase());
  if (!arg) requests = await deps.visibility.own(viewer.email);
  else if (mention) {
    const other = await resolveViewer(deps.tenant, client, mention);
    if (other) requests = await deps.visibility.ofPerson(viewer.email, other.email);
  } else if (id.success) {
    // Only a well-formed id is looked up; anything else is simply not found.
    const one = await deps.visibility.one(viewer.email, id.data);
    if (one) requests = [one];
  }
  if (!requests.length) return notFound;
  const views = await Promise.all(requests.map((r) => requestView(deps.tenant, r)));
  return { ...statusMessage(views), response_type: 'ephemeral' as const };
}

/** Usage of `/access seats set`. */
const SEATS_SET_USAGE = 'Usage: `/access seats set <SKU id or name> <number>`';

/**
 * `/access seats set <SKU id or name> <n>`: the count is the last word, the SKU the words before
 * it. Who may change seats, which SKU is meant and L5 are the tenant's to decide.
 */
async function setSeats(deps: FlowDeps, viewer: Viewer, words: string[]) {
  const count = words.at(-1) ?? '';
  const sku = words.slice(0, -1).join(' ');
  if (!sku || !/^\d+$/.test(count)) return { text: SEATS_SET_USAGE };
  try {
    const summary = await deps.tenant.setSeatCount(viewer.email, sku, Number(count));
    // Added seats go to the requests waiting for one, in approval order (L3).
    deps.background.track(deps.seats.promote(summary.skuId), `seat queue of ${summary.skuId}`);
    return {
      text: `${summary.name}: ${summary.seats} seats (${summary.assigned + summary.held} used, ${summary.free} free).`,
    };
  } catch (error) {
    return { text: describeError(error) };
  }
}

/** `/access <request | change | status | seats | help>`: ack at once, then answer privately. */
export function register(app: App, deps: FlowDeps): void {
  app.command('/access', async ({ ack, command, client, respond, context }) => {
    const [sub = 'help', ...args] = command.text.trim().split(/\s+/).filter(Boolean);
    if (sub === 'request' || sub === 'change') {
      await ack();
      const open = sub === 'request' ? openOnboarding : openRoleChange;
      await open(deps, client, command.trigger_id);
      return;
    }
    await ack();
    await takeTurn(context);
    await answer(respond, async () => {
      if (sub === 'help') return { ...helpMessage(), response_type: 'ephemeral' };
      const viewer = await resolveViewer(deps.tenant, client, command.user_id);
      if (!viewer?.known) return { text: unknownUserText(command.user_id) };
      if (sub === 'status') return status(deps, client, viewer, args.join(' '));
      if (sub === 'seats' && args[0] === 'set') return setSeats(deps, viewer, args.slice(1));
      if (sub === 'seats')
        return {
          ...seatsMessage(await deps.tenant.listSeatSummaries()),
          response_type: 'ephemeral',
        };
      return {
        ...helpMessage(),
        text: `Unknown command "${sub}". ${helpMessage().text}`,
        response_type: 'ephemeral',
      };
    });
  });
}

async function answer(respond: RespondFn, work: () => Promise<Parameters<RespondFn>[0]>) {
  try {
    await respond(await work());
  } catch (error) {
    await respond({ text: describeError(error), response_type: 'ephemeral' });
  }
}
