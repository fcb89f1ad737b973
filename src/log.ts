import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger as BoltLogger, LogLevel } from '@slack/bolt';
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';

/** accessdesk's logger: pino, JSON lines with a level (see `createLogger`). */
export type { Logger } from 'pino';

/** A sink of whole log lines (JSON text), as tests collect them. */
export type Log = (line: string) => void;

/** The longest message written; the rest is cut (a payload can carry anything). */
export const MAX_LOG_LINE = 500;

/** The longest id (request, Slack, token) repeated in a log line. */
export const MAX_LOG_ID = 40;

/** The levels `ACCESSDESK_LOG_LEVEL` takes. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** `value` as text of at most `max` characters, for ids taken from a payload. */
export function clip(value: unknown, max = MAX_LOG_ID): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length <= max ? text : `${text.slice(0, max)}…(+${text.length - max})`;
}

/** What a line is about: the inbound call, the access request, the Slack ids it concerns. */
export interface LogContext {
  /** One id per inbound Slack call or HTTP request (correlation). */
  reqId?: string;
  /** The access request (`REQ-…`). */
  requestId?: string;
  slackUser?: string;
  slackChannel?: string;
  slackTeam?: string;
}

const context = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `fields` added to every line logged inside it, however deep and async. */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return context.run({ ...context.getStore(), ...clipped(fields) }, fn);
}

/** The context lines are logged in now, if any. */
export function currentLogContext(): Readonly<LogContext> | undefined {
  return context.getStore();
}

/** Adds `fields` to the context `fn` runs in (a request id found once the request exists). */
export function bindLogContext(fields: LogContext): void {
  const store = context.getStore();
  if (store) Object.assign(store, clipped(fields));
}

function clipped(fields: LogContext): LogContext {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = clip(v);
  return out;
}

/**
 * Fields never written in clear, wherever a caller put them: the logger's redaction, not each
 * caller's care. Paths are pino's (fast-redact): one `*` level of nesting.
 */
export const REDACTED_PATHS = [
  'password',
  'temporaryPassword',
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'secret',
  'clientSecret',
  'authorization',
  '*.password',
  '*.temporaryPassword',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.secret',
  '*.clientSecret',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  'headers["x-slack-signature"]',
  '*.headers.authorization',
  '*.headers["x-slack-signature"]',
];

/** Slack tokens (`xoxb-`, `xapp-`, …) and bearer credentials inside message text. */
const SECRET_TEXT = /\b(xox[abeprs]|xapp)-[\w-]+|\bBearer\s+[\w.~+/=-]+/gi;

/** `text` on one line, cut to MAX_LOG_LINE, with anything shaped like a token masked. */
export function scrub(text: string): string {
  return clip(text.replace(/[\r\n]+/g, ' ').replace(SECRET_TEXT, '[Redacted]'), MAX_LOG_LINE);
}

/** How `createLogger` writes. */
export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Where JSON lines go (default stdout); tests collect them. */
  sink?: Log;
  /** Human-readable lines through pino-pretty (development only; never with `sink`). */
  pretty?: boolean;
}

/**
 * The logger: JSON lines with a level, the context of `withLogContext` on each, secrets redacted
 * by `REDACTED_PATHS`, every message one line of at most MAX_LOG_LINE characters.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const { sink } = options;
  const destination: DestinationStream | undefined = sink
    ? { write: (line: string) => sink(line.endsWith('\n') ? line.slice(0, -1) : line) }
    : options.pretty
      ? pino.transport({ target: 'pino-pretty', options: { colorize: true } })
      : undefined;
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
      mixin: () => ({ ...context.getStore() }),
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>,
          );
        },
      },
    },
    destination ?? pino.destination({ sync: true }),
  );
}

/** Where lines go when nobody passed a logger (scripts, the lifecycle built alone). */
export const defaultLogger: Logger = createLogger({ level: 'info' });

const BOLT_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** Bolt's logger interface over `logger`: lines at `level` and above, marked `source: slack`. */
export function boltLogger(logger: Logger, level: `${LogLevel}` = 'warn'): BoltLogger {
  let min = BOLT_LEVELS.indexOf(level);
  const child = logger.child({ source: 'slack' });
  const at =
    (name: (typeof BOLT_LEVELS)[number]) =>
    (...msg: unknown[]) => {
      if (BOLT_LEVELS.indexOf(name) < min) return;
      child[name](msg.map((m) => (typeof m === 'string' ? m : clip(m, 200))).join(' '));
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setLevel: (l) => {
      min = BOLT_LEVELS.indexOf(l as (typeof BOLT_LEVELS)[number]);
    },
    getLevel: () => BOLT_LEVELS[min] as LogLevel,
    setName: () => undefined,
  };
}
