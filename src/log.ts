import type { Logger, LogLevel } from '@slack/bolt';

/** Where accessdesk's one-line log messages go. */
export type Log = (line: string) => void;

/** The longest log line written; the rest is cut (a payload can carry anything). */
export const MAX_LOG_LINE = 500;

/** The longest id (request, Slack, token) repeated in a log line. */
export const MAX_LOG_ID = 40;

/** `value` as text of at most `max` characters, for ids taken from a payload. */
export function clip(value: unknown, max = MAX_LOG_ID): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length <= max ? text : `${text.slice(0, max)}…(+${text.length - max})`;
}

/** A log that cuts every line to MAX_LOG_LINE characters and keeps it on one line. */
export function boundedLog(sink: Log): Log {
  return (line) => sink(clip(line.replace(/[\r\n]+/g, ' '), MAX_LOG_LINE));
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** Bolt's logger interface over `log`: lines at `level` and above, each bounded. */
export function boltLogger(log: Log, level: `${LogLevel}` = 'warn'): Logger {
  let min = LEVELS.indexOf(level);
  const at =
    (name: (typeof LEVELS)[number]) =>
    (...msg: unknown[]) => {
      if (LEVELS.indexOf(name) < min) return;
      log(
        `[slack ${name}] ${msg.map((m) => (typeof m === 'string' ? m : clip(m, 200))).join(' ')}`,
      );
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setLevel: (l) => {
      min = LEVELS.indexOf(l as (typeof LEVELS)[number]);
    },
    getLevel: () => LEVELS[min] as LogLevel,
    setName: () => undefined,
  };
}
