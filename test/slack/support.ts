import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import nock from 'nock';
import { ACTION, FIELD } from '../../flows/ids.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { describeEngine } from '../../src/db/index.ts';
import type { Directory } from '../../src/lifecycle/ports.ts';
import { type Accessdesk, startAccessdesk } from '../../src/server.ts';
import { interceptDirectory } from '../lifecycle/directories.ts';
import { GLOBAL_ADMINS, salesTenantYaml } from '../support/sales-tenant.ts';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const APPROVALS = 'C0APPROVALS';
export const RESPONSE_HOST = 'https://hooks.slack.test';
/** Where files uploaded to Slack are downloaded from (url_private) and uploaded to. */
export const FILE_HOST = 'https://files.slack.test';

/** Slack ids of the tenant's people (and of one invitee who is in Slack but not in the file). */
export const U = {
  grace: 'U0GRACE', // Global admin
  linus: 'U0LINUS', // Global admin
  ada: 'U0ADA', // employee, reports to Margaret
  margaret: 'U0MARGARET', // manager, not an admin
  alan: 'U0ALAN', // employee, unrelated to everyone
} as const;

/** A tenant: one SKU with `seats` seats, one Dynamics environment, admins, a manager and reports. */
export function slackTenantYaml(seats: number): string {
  return salesTenantYaml(seats, [
    ...GLOBAL_ADMINS(U.grace, U.linus),
    `{ email: margaret@contoso.example, firstName: Margaret, lastName: Hamilton, slackId: ${U.margaret} }`,
    `{ email: ada@contoso.example, firstName: Ada, lastName: Lovelace, slackId: ${U.ada}, managerEmail: margaret@contoso.example }`,
    `{ email: alan@contoso.example, firstName: Alan, lastName: Turing, slackId: ${U.alan} }`,
  ]);
}

/** One call accessdesk made to the Slack Web API (or to a response_url), body decoded. */
export interface SlackCall {
  method: string;
  body: Record<string, unknown>;
}

/** Decodes a Web API body: JSON, or a form whose nested values (blocks, view) are JSON text. */
export function decode(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text);
  } catch {
    const out: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(text)) {
      try {
        out[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
      } catch {
        out[k] = v;
      }
    }
    return out;
  }
}

/**
 * nock standing in for `https://slack.com/api/*` and for the response_url host; real network
 * off except loopback. Every call is recorded; `emails` maps Slack ids of people who are not in
 * the tenant file to their profile email (users.info / users.lookupByEmail).
 */
export class FakeSlack {
  readonly calls: SlackCall[] = [];
  /** Files people uploaded (a modal's file_input), by id: what files.info and url_private give. */
  readonly files = new Map<string, { name: string; content: string }>();
  /** Files the bot uploaded (files.uploadV2's upload step), as received. */
  readonly uploads: string[] = [];
  /** Slack's error for the next call of a method (`ok: false`), then it answers again. */
  readonly failNext = new Map<string, string>();
  #ts = 1_700_000_000;

  constructor(private readonly emails: Record<string, string> = {}) {}

  install(): void {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    nock('https://slack.com')
      .persist()
      .post(/^\/api\/.+/)
      .reply(async (request: Request) => {
        const method = new URL(request.url).pathname.replace(/^\/api\//, '');
        const decoded = decode(await request.text());
        this.calls.push({ method, body: decoded });
        return [200, this.answer(method, decoded)];
      });
    nock(FILE_HOST)
      .persist()
      .get(/^\/files-pri\/.+/)
      .reply(async (request: Request) => {
        // url_private answers only with the bot token, as Slack's does.
        if (request.headers.get('authorization') !== 'Bearer xoxb-test') return [403, 'forbidden'];
        const path = new URL(request.url).pathname;
        const file = [...this.files].find(([id]) => path.includes(`/${id}/`))?.[1];
        return file ? [200, file.content] : [404, 'not found'];
      })
      .post(/^\/upload\/.+/)
      .reply(async (request: Request) => {
        this.uploads.push(await request.text());
        return [200, 'OK'];
      });
    nock(RESPONSE_HOST)
      .persist()
      .post(/.*/)
      .reply(async (request: Request) => {
        const { pathname, search } = new URL(request.url);
        this.calls.push({
          method: `response_url${pathname}${search}`,
          body: decode(await request.text()),
        });
        return [200, 'ok'];
      });
  }

  /** What Slack answers to `method` called with `body` (the stand-ins in test/scale use it too). */
  answer(method: string, body: Record<string, unknown>): Record<string, unknown> {
    const failure = this.failNext.get(method);
    if (failure) {
      this.failNext.delete(method);
      return { ok: false, error: failure };
    }
    switch (method) {
      case 'auth.test':
        return { ok: true, user_id: 'U0ACCESSDESK', bot_id: 'B0ACCESSDESK', team_id: 'T0TEST' };
      case 'chat.postMessage':
        return { ok: true, channel: body.channel, ts: `${this.#ts++}.000100` };
      case 'chat.update':
        return { ok: true, channel: body.channel, ts: body.ts };
      case 'users.info': {
        const email = this.emails[String(body.user)];
        return email
          ? { ok: true, user: { id: body.user, real_name: email, profile: { email } } }
          : { ok: false, error: 'user_not_found' };
      }
      case 'files.info': {
        const file = this.files.get(String(body.file));
        return file
          ? {
              ok: true,
              file: {
                id: body.file,
                name: file.name,
                size: file.content.length,
                url_private_download: `${FILE_HOST}/files-pri/T0TEST-${body.file}/${body.file}/${file.name}`,
              },
            }
          : { ok: false, error: 'file_not_found' };
      }
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(body.users).slice(1)}` } };
      case 'files.getUploadURLExternal':
        return {
          ok: true,
          upload_url: `${FILE_HOST}/upload/v1/${this.#ts++}`,
          file_id: 'F0RESULTS',
        };
      case 'files.completeUploadExternal':
        return { ok: true, files: [{ id: 'F0RESULTS' }] };
      case 'users.lookupByEmail': {
        const id = Object.entries(this.emails).find(([, e]) => e === body.email)?.[0];
        return id ? { ok: true, user: { id } } : { ok: false, error: 'users_not_found' };
      }
      default:
        return { ok: true };
    }
  }

  /** Calls of `method`, optionally only those whose JSON mentions `text`. */
  of(method: string, text?: string): SlackCall[] {
    return this.calls.filter(
      (c) => c.method.startsWith(method) && (!text || JSON.stringify(c.body).includes(text)),
    );
  }

  /** How many calls were made so far: pass it to `waitFor` to see only later ones. */
  mark(): number {
    return this.calls.length;
  }

  /** Waits (10 s at most) for a call of `method` mentioning `text`, made after `since`. */
  async waitFor(method: string, text?: string, since = 0): Promise<SlackCall> {
    return eventually(() => {
      const found = this.calls
        .slice(since)
        .filter(
          (c) => c.method.startsWith(method) && (!text || JSON.stringify(c.body).includes(text)),
        )
        .at(-1);
      if (!found) throw new Error(`no ${method} call mentioning ${text ?? 'anything'}`);
      return found;
    });
  }

  static uninstall(): void {
    nock.cleanAll();
    nock.enableNetConnect();
  }
}

/** Retries `check` until it stops throwing (the handler runs after the ack), 10 s at most. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Delays `createAccount` by `ms`: a directory that provisions slowly. */
export function slowDirectory(inner: Directory, ms: number): Directory {
  return interceptDirectory(inner, async (method, call) => {
    if (method === 'createAccount') await new Promise((r) => setTimeout(r, ms));
    return call();
  });
}

/** Starts accessdesk on port 0 over `connection` (the test file's database), Slack in HTTP mode. */
export async function startDesk(
  connection: Connection,
  options: {
    seats?: number;
    clock?: ManualClock;
    directory?: (d: Directory) => Directory;
    /** Lines added to the tenant file (e.g. `grantLimits`). */
    tenantExtra?: string;
    /** More environment variables (e.g. ACCESSDESK_GRANT_WARNINGS). */
    env?: Record<string, string>;
  } = {},
): Promise<Accessdesk & { clock: ManualClock; errors: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'accessdesk-slack-'));
  const tenantFile = join(dir, 'tenant.yaml');
  writeFileSync(tenantFile, slackTenantYaml(options.seats ?? 5) + (options.tenantExtra ?? ''));
  const config = loadConfig({
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test',
    PORT: '0',
    ACCESSDESK_TENANT_FILE: tenantFile,
    ACCESSDESK_APPROVALS_CHANNEL: APPROVALS,
    ACCESSDESK_DATA_DIR: dir,
    ...options.env,
  });
  const clock = options.clock ?? new ManualClock();
  const errors: string[] = [];
  const desk = await startAccessdesk(config, {
    clock,
    sweep: false,
    log: (line) => errors.push(line),
    database: {
      connection,
      engine: await describeEngine(connection),
      origin: 'test database',
      close: async () => {},
    },
    ...(options.directory ? { directory: options.directory } : {}),
  });
  return Object.assign(desk, { clock, errors });
}

/** `v0=` + HMAC-SHA256 of `v0:<ts>:<body>`, as Slack signs requests. */
export function sign(body: string, ts: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
}

/** A request body for /slack/events and how it is encoded. */
export interface SlackBody {
  body: string;
  contentType: string;
}

/** POSTs `req` to the desk's /slack/events, signed unless told otherwise. */
export async function post(
  desk: { url: string },
  req: SlackBody,
  options: {
    signature?: string | null;
    timestamp?: number;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; text: string; json: unknown; ms: number }> {
  const ts = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': req.contentType,
    'x-slack-request-timestamp': String(ts),
    ...options.headers,
  };
  const signature = options.signature === undefined ? sign(req.body, ts) : options.signature;
  if (signature !== null) headers['x-slack-signature'] = signature;
  const started = Date.now();
  const res = await fetch(`${desk.url}/slack/events`, { method: 'POST', headers, body: req.body });
  const text = await res.text();
  const ms = Date.now() - started;
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, ms };
}

let seq = 0;
const form = (fields: Record<string, string>): SlackBody => ({
  body: new URLSearchParams(fields).toString(),
  contentType: 'application/x-www-form-urlencoded',
});

/** An interactivity payload (`payload=<json>`). */
export function interaction(payload: Record<string, unknown>): SlackBody {
  return form({ payload: JSON.stringify({ token: 'legacy', api_app_id: 'A0TEST', ...payload }) });
}

/** A block_actions click on `actionId` with `value` by `user` on a message in `channel`. */
export function click(
  user: string,
  actionId: string,
  value: string,
  channel: string = APPROVALS,
): SlackBody {
  seq++;
  return interaction({
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), team_id: 'T0TEST' },
    team: { id: 'T0TEST', domain: 'contoso' },
    trigger_id: `trigger-${seq}`,
    response_url: `${RESPONSE_HOST}/actions/${seq}`,
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: channel },
    channel: { id: channel, name: 'access-approvals' },
    message: { ts: '1700000000.000100', text: 'card' },
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: 'decision',
        value,
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  });
}

/** Approve button on the card of `requestId`. */
export const approve = (user: string, requestId: string) =>
  click(user, ACTION.approveRequest, requestId);

/** A view_submission of modal `callbackId` with `values` (`view.state.values`). */
export function submit(
  user: string,
  callbackId: string,
  values: Record<string, Record<string, unknown>>,
  privateMetadata = '',
): SlackBody {
  seq++;
  return interaction({
    type: 'view_submission',
    user: { id: user, team_id: 'T0TEST' },
    team: { id: 'T0TEST', domain: 'contoso' },
    trigger_id: `trigger-${seq}`,
    view: {
      id: `V${seq}`,
      type: 'modal',
      callback_id: callbackId,
      private_metadata: privateMetadata,
      hash: `hash-${seq}`,
      state: { values },
      team_id: 'T0TEST',
    },
  });
}

/** `view.state.values` of the onboarding modal for a new hire; `over` replaces fields. */
export function onboardingValues(
  n: string | number,
  over: Partial<Record<string, Record<string, unknown>>> = {},
): Record<string, Record<string, unknown>> {
  const field = (id: string, v: Record<string, unknown>) => ({ [id]: { [id]: v } });
  const text = (value: string) => ({ type: 'plain_text_input', value });
  const option = (value: string) => ({ type: 'static_select', selected_option: { value } });
  const values = {
    ...field(FIELD.firstName, text('Katherine')),
    ...field(FIELD.lastName, text(`Johnson${n}`)),
    ...field(FIELD.email, text(`katherine${n}@example.org`)),
    ...field(FIELD.jobTitle, text('Analyst')),
    ...field(FIELD.sku, option('D365_SALES')),
    ...field(FIELD.environment, option('sales-prod')),
    ...field(FIELD.businessUnit, option('sales')),
    ...field(FIELD.securityRoles, {
      type: 'multi_static_select',
      selected_options: [{ value: 'Salesperson' }],
    }),
    ...field(FIELD.accessMode, option('read_write')),
    ...field(FIELD.adminRoles, { type: 'multi_static_select', selected_options: [] }),
    ...field(FIELD.justification, text('joins the sales team')),
  };
  for (const [k, v] of Object.entries(over)) {
    if (v) values[k] = { [k]: v };
  }
  return values;
}

/** `/access <text>` typed by `user`. */
export function command(user: string, text: string): SlackBody {
  seq++;
  return form({
    token: 'legacy',
    team_id: 'T0TEST',
    team_domain: 'contoso',
    channel_id: 'D0DM',
    channel_name: 'directmessage',
    user_id: user,
    user_name: user.toLowerCase(),
    command: '/access',
    text,
    api_app_id: 'A0TEST',
    response_url: `${RESPONSE_HOST}/commands/${seq}`,
    trigger_id: `trigger-${seq}`,
  });
}

/** An Events API envelope around `event`. */
export function event(payload: Record<string, unknown>): SlackBody {
  seq++;
  return {
    contentType: 'application/json',
    body: JSON.stringify({
      token: 'legacy',
      team_id: 'T0TEST',
      api_app_id: 'A0TEST',
      type: 'event_callback',
      event_id: `Ev${seq}`,
      event_time: Math.floor(Date.now() / 1000),
      event: { event_ts: `${Date.now() / 1000}`, ...payload },
    }),
  };
}
