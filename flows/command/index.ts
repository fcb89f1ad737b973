import type { App, RespondFn } from '@slack/bolt';
import { describeError } from '../../src/errors.ts';
import { submitOffboarding } from '../../src/lifecycle/submit.ts';
import { requestId } from '../../src/slack/ids.schema.ts';
import { helpMessage } from '../blocks/help-message.ts';
import { seatsMessage } from '../blocks/seats-message.ts';
import { statusMessage } from '../blocks/status-message.ts';
import type { FlowDeps } from '../deps.ts';
import { resolveViewer, unknownUserText, type Viewer } from '../identity.ts';
import { openImport } from '../import/index.ts';
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

/** Usage of `/access offboard`. */
const OFFBOARD_USAGE = 'Usage: `/access offboard @person [YYYY-MM-DD]` (no date: now)';

/**
 * The effective instant of `/access offboard`'s date: today or none is now, a later day its
 * start (UTC); a past day or a malformed one is refused with the reason.
 */
export function effectiveAt(date: string | undefined, now: Date): string | { error: string } {
  if (!date) return now.toISOString();
  const at = new Date(`${date}T00:00:00.000Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(date) ||
    Number.isNaN(at.getTime()) ||
    at.toISOString().slice(0, 10) !== date
  )
    return { error: `"${date}" is not a date. ${OFFBOARD_USAGE}` };
  const today = now.toISOString().slice(0, 10);
  if (date < today)
    return { error: `${date} is in the past: an offboarding takes effect today or later.` };
  return date === today ? now.toISOString() : at.toISOString();
}

/** `/access offboard @person [YYYY-MM-DD]`: anyone in the tenant asks; a Global admin decides. */
async function offboard(deps: FlowDeps, client: App['client'], viewer: Viewer, args: string[]) {
  const mention = MENTION.exec(args[0] ?? '')?.[1];
  if (!mention || args.length > 2) return { text: OFFBOARD_USAGE };
  return askOffboarding(deps, client, viewer, mention, args[1]);
}

/**
 * Asks for the offboarding of Slack user `mention` on `date` (YYYY-MM-DD; none: now), for the
 * command and the message shortcut; answers in words what became of it.
 */
export async function askOffboarding(
  deps: FlowDeps,
  client: App['client'],
  viewer: Viewer,
  mention: string,
  date: string | undefined,
): Promise<{ text: string }> {
  const when = effectiveAt(date, deps.clock.now());
  if (typeof when !== 'string') return { text: when.error };
  const leaver = await resolveViewer(deps.tenant, client, mention);
  if (!leaver?.known || !(await deps.tenant.hasAccount(leaver.email)))
    return { text: `<@${mention}> has no account to offboard.` };
  const managerEmail = (await deps.tenant.personByEmail(leaver.email))?.managerEmail ?? undefined;
  try {
    const request = await submitOffboarding(
      deps.lifecycle,
      deps.tenant,
      viewer.email,
      leaver.email,
      {
        effectiveAt: when,
        ...(managerEmail ? { managerEmail: managerEmail.toLowerCase() } : {}),
      },
    );
    return {
      text: `Your offboarding request ${request._id} for ${leaver.email} (effective ${when.slice(0, 10)}) was sent to the Global admins.`,
    };
  } catch (error) {
    return { text: describeError(error) };
  }
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

/** `/access <request | change | offboard | status | seats | help>`: ack at once, then answer privately. */
export function register(app: App, deps: FlowDeps): void {
  app.command('/access', async ({ ack, command, client, respond, context }) => {
    const [sub = 'help', ...args] = command.text.trim().split(/\s+/).filter(Boolean);
    if (sub === 'import') {
      await ack();
      await openImport(client, command.trigger_id);
      return;
    }
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
      if (sub === 'offboard') return offboard(deps, client, viewer, args);
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
