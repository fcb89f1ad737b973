import { z } from 'zod';
import { clip } from '../../src/log.ts';
import {
  requestId,
  slackChannelId,
  slackEnterpriseId,
  slackTeamId,
  slackUserId,
} from '../../src/slack/ids.schema.ts';
import { ACTION, CALLBACK, COMMAND, FIELD } from '../ids.ts';

/**
 * What accessdesk accepts from Slack, by kind: every payload is parsed here before any listener
 * sees it. Fields accessdesk reads are checked to the letter (Slack ids by shape, request ids by
 * format, text by length); fields it never reads may be anything, as Slack adds new ones.
 */

/** What the edge does with a payload. */
export type Verdict =
  /** Ours and well formed: Bolt's listeners take it. */
  | { kind: 'dispatch'; what: string }
  /** Well formed but nothing of ours (an unknown action, a closed modal): answered 200 at once. */
  | { kind: 'ignore'; what: string }
  /** Malformed: answered 400, logged once, nothing written. */
  | { kind: 'invalid'; what: string; problem: string };

const text = (max: number) => z.string().max(max);
const optionalTeam = z.object({ id: slackTeamId }).loose().nullish();
const user = z.object({ id: slackUserId, team_id: slackTeamId.optional() }).loose();
const option = z.object({ value: text(2000) }).loose();

/** One input's state in `view.state.values`, as Slack sends it. */
const elementState = z
  .object({
    type: text(64).optional(),
    value: text(3000).nullish(),
    selected_option: option.nullish(),
    selected_options: z.array(option).max(100).optional(),
    selected_user: slackUserId.nullish(),
    selected_users: z.array(slackUserId).max(100).optional(),
    selected_channel: slackChannelId.nullish(),
    selected_conversation: slackChannelId.nullish(),
    selected_date: text(32).nullish(),
    /** A `file_input`: files uploaded to Slack, by id (the bot downloads them itself). */
    files: z
      .array(z.object({ id: z.string().regex(/^F[A-Z0-9]{2,40}$/) }).loose())
      .max(10)
      .optional(),
  })
  .loose();

const stateValues = z.record(text(255), z.record(text(255), elementState));

const view = z
  .object({
    id: text(64),
    hash: text(256).optional(),
    callback_id: text(255),
    private_metadata: text(3000).optional(),
    state: z.object({ values: stateValues }).loose().optional(),
  })
  .loose();

const BUTTONS_WITH_REQUEST = new Set<string>([
  ACTION.approveRequest,
  ACTION.denyRequest,
  ACTION.cancelRequest,
  ACTION.acceptInvitation,
  ACTION.extendGrant,
]);
const PLAIN_BUTTONS = new Set<string>([
  ACTION.openOnboarding,
  ACTION.openRoleChange,
  ACTION.openPortal,
]);
const MODAL_SELECTS = new Set<string>([FIELD.environment, FIELD.businessUnit, FIELD.changeKind]);
const MODALS = new Set<string>([
  CALLBACK.onboardingRequest,
  CALLBACK.roleChangeRequest,
  CALLBACK.denyRequest,
  CALLBACK.bulkImport,
  CALLBACK.offboardRequest,
]);

const action = z
  .object({
    action_id: text(255),
    block_id: text(255).optional(),
    value: text(2000).optional(),
    selected_option: option.nullish(),
  })
  .loose();

const blockActions = z
  .object({
    type: z.literal('block_actions'),
    user,
    team: optionalTeam,
    trigger_id: text(256).optional(),
    response_url: text(2048).optional(),
    channel: z.object({ id: slackChannelId }).loose().nullish(),
    view: view.optional(),
    actions: z.array(action).min(1).max(1),
  })
  .loose();

const viewSubmission = z
  .object({
    type: z.literal('view_submission'),
    user,
    team: optionalTeam,
    view: view.extend({ state: z.object({ values: stateValues }).loose() }),
  })
  .loose();

const shortcut = z
  .object({
    type: z.literal('shortcut'),
    user,
    team: optionalTeam,
    callback_id: text(255),
    trigger_id: text(256),
  })
  .loose();

/** A message shortcut: who used it, on whose message. */
const messageAction = z
  .object({
    type: z.literal('message_action'),
    user,
    team: optionalTeam,
    callback_id: text(255),
    trigger_id: text(256),
    message: z.object({ user: slackUserId.optional() }).loose(),
  })
  .loose();

const slashCommand = z
  .object({
    command: text(64),
    text: text(4000),
    user_id: slackUserId,
    team_id: slackTeamId,
    channel_id: slackChannelId,
    enterprise_id: slackEnterpriseId.optional(),
    trigger_id: text(256),
    response_url: text(2048),
  })
  .loose();

const eventEnvelope = z
  .object({
    type: z.literal('event_callback'),
    team_id: slackTeamId,
    event: z.object({ type: text(64) }).loose(),
  })
  .loose();

const homeOpened = z
  .object({ type: z.literal('app_home_opened'), user: slackUserId, tab: text(32).optional() })
  .loose();

const urlVerification = z
  .object({ type: z.literal('url_verification'), challenge: text(256) })
  .loose();

/** The first problems zod found, as one short line naming each field's path. */
function problemOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map((p) => clip(String(p), 40)).join('.') || 'body'}: ${i.message}`)
    .join('; ');
}

function check<T>(schema: z.ZodType<T>, body: unknown, what: string): Verdict | T {
  const parsed = schema.safeParse(body);
  return parsed.success ? parsed.data : { kind: 'invalid', what, problem: problemOf(parsed.error) };
}

const isVerdict = (v: unknown): v is Verdict =>
  !!v && typeof v === 'object' && 'kind' in v && 'what' in v;

function screenInteraction(body: Record<string, unknown>): Verdict {
  switch (body.type) {
    case 'block_actions': {
      const p = check(blockActions, body, 'block_actions');
      if (isVerdict(p)) return p;
      const a = p.actions[0]!;
      const what = `block_actions ${clip(a.action_id)}`;
      if (BUTTONS_WITH_REQUEST.has(a.action_id)) {
        const id = requestId.safeParse(a.value);
        return id.success
          ? { kind: 'dispatch', what }
          : { kind: 'invalid', what, problem: `actions.0.value: ${problemOf(id.error)}` };
      }
      if (PLAIN_BUTTONS.has(a.action_id)) return { kind: 'dispatch', what };
      if (MODAL_SELECTS.has(a.action_id)) {
        if (!p.view?.state || !p.view.hash)
          return { kind: 'invalid', what, problem: 'view: a modal select needs its view' };
        return { kind: 'dispatch', what };
      }
      return { kind: 'ignore', what };
    }
    case 'view_submission': {
      const p = check(viewSubmission, body, 'view_submission');
      if (isVerdict(p)) return p;
      const what = `view_submission ${clip(p.view.callback_id)}`;
      if (!MODALS.has(p.view.callback_id)) return { kind: 'ignore', what };
      if (p.view.callback_id === CALLBACK.denyRequest) {
        const id = requestId.safeParse(p.view.private_metadata);
        if (!id.success)
          return {
            kind: 'invalid',
            what,
            problem: `view.private_metadata: ${problemOf(id.error)}`,
          };
      }
      return { kind: 'dispatch', what };
    }
    case 'shortcut': {
      const p = check(shortcut, body, 'shortcut');
      if (isVerdict(p)) return p;
      const what = `shortcut ${clip(p.callback_id)}`;
      return p.callback_id === CALLBACK.openOnboarding
        ? { kind: 'dispatch', what }
        : { kind: 'ignore', what };
    }
    case 'message_action': {
      const p = check(messageAction, body, 'message_action');
      if (isVerdict(p)) return p;
      const what = `message_action ${clip(p.callback_id)}`;
      return p.callback_id === CALLBACK.offboardShortcut
        ? { kind: 'dispatch', what }
        : { kind: 'ignore', what };
    }
    default:
      // view_closed, block_suggestion, …: accessdesk listens to none of them.
      return { kind: 'ignore', what: `interaction ${clip(body.type)}` };
  }
}

/**
 * Screens a parsed Slack body: a slash command's form fields, the JSON of an interaction's
 * `payload=`, or an Events API envelope. The kind is read from the body as Bolt reads it.
 */
export function screen(body: unknown): Verdict {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    return { kind: 'invalid', what: 'body', problem: 'body: not an object' };
  const b = body as Record<string, unknown>;
  if (!('type' in b)) {
    if (!('command' in b)) return { kind: 'invalid', what: 'body', problem: 'type: missing' };
    const p = check(slashCommand, b, 'command');
    if (isVerdict(p)) return p;
    const what = `command ${clip(p.command)}`;
    return p.command === COMMAND ? { kind: 'dispatch', what } : { kind: 'ignore', what };
  }
  if (typeof b.type !== 'string')
    return { kind: 'invalid', what: 'body', problem: 'type: not a string' };
  if (b.type === 'url_verification') {
    const p = check(urlVerification, b, 'url_verification');
    return isVerdict(p) ? p : { kind: 'dispatch', what: 'url_verification' };
  }
  if (b.type === 'event_callback') {
    const p = check(eventEnvelope, b, 'event_callback');
    if (isVerdict(p)) return p;
    const what = `event ${clip(p.event.type)}`;
    if (p.event.type !== 'app_home_opened') return { kind: 'ignore', what };
    const e = check(z.object({ event: homeOpened }).loose(), b, what);
    return isVerdict(e) ? e : { kind: 'dispatch', what };
  }
  return screenInteraction(b);
}
