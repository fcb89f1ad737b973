import * as z from 'zod';
import { durationSchema } from './duration.ts';
import { ErrorCode, ValidationError } from './errors.ts';
import { LOG_LEVELS } from './log.ts';

const duration = (fallback: string) => z.string().default(fallback).pipe(durationSchema());

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

const envSchema = z.object({
  MONGODB_URI: optionalText,
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_SIGNING_SECRET_PREVIOUS: optionalText,
  SLACK_BOT_TOKEN: optionalText,
  SLACK_APP_TOKEN: optionalText,
  SLACK_API_URL: optionalText,
  PUBLIC_URL: optionalText,
  ACCESSDESK_APPROVALS_CHANNEL: z.string().default('C0APPROVALS'),
  ACCESSDESK_TENANT_FILE: z.string().default('./tenant.yaml'),
  ACCESSDESK_DATA_DIR: z.string().default('./.data'),
  ACCESSDESK_INVITATION_TTL: duration('14d'),
  ACCESSDESK_REMINDER_AFTER: duration('24h'),
  ACCESSDESK_ESCALATE_AFTER: duration('72h'),
  ACCESSDESK_REQUEST_TTL: duration('7d'),
  ACCESSDESK_SWEEP_EVERY: duration('30s'),
  ACCESSDESK_EFFECT_LEASE: duration('5m'),
  /** Optional: delete a leaver's kept account this long after the offboarding (off by default). */
  ACCESSDESK_DELETE_AFTER: durationSchema().optional(),
  /** Before a time-bound grant ends, its person is warned this long before: a list like 24h,1h. */
  ACCESSDESK_GRANT_WARNINGS: z
    .string()
    .default('24h,1h')
    .transform((text) => (text.trim() ? text.split(',') : []))
    .pipe(z.array(durationSchema())),
  ACCESSDESK_DIRECTORY: z.enum(['tenant', 'graph']).default('tenant'),
  ACCESSDESK_SYNC_EVERY: duration('15m'),
  ACCESSDESK_LOGIN_URL: z.url().default('https://login.microsoftonline.com'),
  ACCESSDESK_GRAPH_URL: z.url().default('https://graph.microsoft.com'),
  ACCESSDESK_POWERPLATFORM_URL: z.url().default('https://api.bap.microsoft.com'),
  AZURE_TENANT_ID: optionalText,
  AZURE_CLIENT_ID: optionalText,
  AZURE_CLIENT_SECRET: optionalText,
  AZURE_CLIENT_CERTIFICATE_PATH: optionalText,
  ACCESSDESK_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  ACCESSDESK_LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  NODE_ENV: optionalText,
  CI: optionalText,
  ACCESSDESK_AUDIT_SINK: optionalText,
  ACCESSDESK_AUDIT_SINK_SECRET: optionalText,
  ACCESSDESK_AUDIT_SINK_EVERY: duration('2s'),
  ACCESSDESK_AUDIT_SINK_ALLOW_HTTP: z.enum(['0', '1']).default('0'),
});

/** Deadlines of the lifecycles, in milliseconds. */
export interface Deadlines {
  invitationTtl: number;
  reminderAfter: number;
  escalateAfter: number;
  requestTtl: number;
}

/** How accessdesk signs in to Microsoft Graph and Dataverse (OAuth 2.0 client credentials). */
export interface GraphSettings {
  tenantId: string;
  clientId: string;
  /** A client secret, or the path of a PEM file holding the private key and its certificate. */
  credential: { secret: string } | { certificatePath: string };
  loginUrl: string;
  graphUrl: string;
  /** The Power Platform admin API (T6: adds an Entra user to an environment's Dataverse). */
  powerPlatformUrl: string;
}

/** Which `Directory` provisions: the built-in tenant model, or Microsoft Graph. */
export type DirectorySettings = { kind: 'tenant' } | ({ kind: 'graph' } & GraphSettings);

/** Everything accessdesk reads from its environment, parsed once. */
export interface Config {
  mongodbUri: string | undefined;
  port: number;
  slack: {
    signingSecret: string | undefined;
    /** The secret being rotated out, accepted alongside `signingSecret` until it is unset. */
    previousSigningSecret: string | undefined;
    botToken: string | undefined;
    appToken: string | undefined;
    apiUrl: string | undefined;
  };
  publicUrl: string;
  /** False when PUBLIC_URL was not given and `publicUrl` was derived from the port. */
  publicUrlGiven: boolean;
  approvalsChannel: string;
  tenantFile: string;
  dataDir: string;
  deadlines: Deadlines;
  sweepEvery: number;
  /** How long an instance keeps the outbox items it runs before another may take them over. */
  effectLease: number;
  /** How long before a time-bound grant ends its person is warned (ms, each). */
  grantWarnings: number[];
  /** How long a leaver's account is kept before it is deleted (ms); undefined: kept. */
  deleteAfter: number | undefined;
  /** Graph mode: how often the directory sync runs (it also runs at start). */
  syncEvery: number;
  directory: DirectorySettings;
  log: {
    level: (typeof LOG_LEVELS)[number];
    /** `pretty` in development (not CI, not production) unless ACCESSDESK_LOG_FORMAT says. */
    format: 'json' | 'pretty';
  };
  /** Where the audit trail streams to, if anywhere (see src/observability/audit-stream.ts). */
  auditSink: AuditSinkSettings | undefined;
}

/** The audit sink: stdout (JSON lines) or a webhook whose batches are HMAC-signed. */
export type AuditSinkSettings = { everyMs: number } & (
  | { kind: 'stdout' }
  | { kind: 'webhook'; url: string; secret: string }
);

/** Parses `env` (default `process.env`), failing fast with every problem listed. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ValidationError(
      ErrorCode.ConfigInvalid,
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) {
    problems.push(
      'SLACK_SIGNING_SECRET: required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)',
    );
  }
  if (e.SLACK_SIGNING_SECRET_PREVIOUS && !e.SLACK_SIGNING_SECRET) {
    problems.push('SLACK_SIGNING_SECRET_PREVIOUS: give the new SLACK_SIGNING_SECRET with it');
  }
  if ((e.SLACK_SIGNING_SECRET || e.SLACK_APP_TOKEN) && !e.SLACK_BOT_TOKEN) {
    problems.push('SLACK_BOT_TOKEN: required when Slack credentials are given');
  }
  if (e.ACCESSDESK_DIRECTORY === 'graph') problems.push(...graphProblems(e));
  problems.push(...auditSinkProblems(e));
  if (problems.length) throw new ValidationError(ErrorCode.ConfigInvalid, problems);
  return {
    mongodbUri: e.MONGODB_URI,
    port: e.PORT,
    slack: {
      signingSecret: e.SLACK_SIGNING_SECRET,
      previousSigningSecret: e.SLACK_SIGNING_SECRET_PREVIOUS,
      botToken: e.SLACK_BOT_TOKEN,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
    },
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    publicUrlGiven: !!e.PUBLIC_URL,
    approvalsChannel: e.ACCESSDESK_APPROVALS_CHANNEL,
    tenantFile: e.ACCESSDESK_TENANT_FILE,
    dataDir: e.ACCESSDESK_DATA_DIR,
    deadlines: {
      invitationTtl: e.ACCESSDESK_INVITATION_TTL,
      reminderAfter: e.ACCESSDESK_REMINDER_AFTER,
      escalateAfter: e.ACCESSDESK_ESCALATE_AFTER,
      requestTtl: e.ACCESSDESK_REQUEST_TTL,
    },
    sweepEvery: e.ACCESSDESK_SWEEP_EVERY,
    effectLease: e.ACCESSDESK_EFFECT_LEASE,
    grantWarnings: e.ACCESSDESK_GRANT_WARNINGS,
    deleteAfter: e.ACCESSDESK_DELETE_AFTER,
    syncEvery: e.ACCESSDESK_SYNC_EVERY,
    directory:
      e.ACCESSDESK_DIRECTORY === 'graph'
        ? {
            kind: 'graph',
            tenantId: e.AZURE_TENANT_ID!,
            clientId: e.AZURE_CLIENT_ID!,
            credential: e.AZURE_CLIENT_SECRET
              ? { secret: e.AZURE_CLIENT_SECRET }
              : { certificatePath: e.AZURE_CLIENT_CERTIFICATE_PATH! },
            loginUrl: e.ACCESSDESK_LOGIN_URL.replace(/\/+$/, ''),
            graphUrl: e.ACCESSDESK_GRAPH_URL.replace(/\/+$/, ''),
            powerPlatformUrl: e.ACCESSDESK_POWERPLATFORM_URL.replace(/\/+$/, ''),
          }
        : { kind: 'tenant' },
    log: {
      level: e.ACCESSDESK_LOG_LEVEL,
      format: e.ACCESSDESK_LOG_FORMAT ?? (e.NODE_ENV === 'production' || e.CI ? 'json' : 'pretty'),
    },
    auditSink: auditSinkOf(e),
  };
}

function auditSinkOf(e: z.output<typeof envSchema>): AuditSinkSettings | undefined {
  const everyMs = e.ACCESSDESK_AUDIT_SINK_EVERY;
  if (!e.ACCESSDESK_AUDIT_SINK) return undefined;
  if (e.ACCESSDESK_AUDIT_SINK === 'stdout') return { kind: 'stdout', everyMs };
  return {
    kind: 'webhook',
    url: e.ACCESSDESK_AUDIT_SINK,
    secret: e.ACCESSDESK_AUDIT_SINK_SECRET!,
    everyMs,
  };
}

/** An audit sink is `stdout` or an https URL with a secret; plain http only on loopback, by flag. */
function auditSinkProblems(e: z.output<typeof envSchema>): string[] {
  const sink = e.ACCESSDESK_AUDIT_SINK;
  if (!sink || sink === 'stdout') return [];
  let url: URL;
  try {
    url = new URL(sink);
  } catch {
    return ['ACCESSDESK_AUDIT_SINK: `stdout` or an https:// URL'];
  }
  const problems: string[] = [];
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  const httpAllowed =
    url.protocol === 'http:' && loopback && e.ACCESSDESK_AUDIT_SINK_ALLOW_HTTP === '1';
  if (url.protocol !== 'https:' && !httpAllowed) {
    problems.push(
      'ACCESSDESK_AUDIT_SINK: must be https:// (http:// only to loopback with ACCESSDESK_AUDIT_SINK_ALLOW_HTTP=1)',
    );
  }
  if (!e.ACCESSDESK_AUDIT_SINK_SECRET) {
    problems.push('ACCESSDESK_AUDIT_SINK_SECRET: required when ACCESSDESK_AUDIT_SINK is a URL');
  }
  return problems;
}

/** What ACCESSDESK_DIRECTORY=graph needs and was not given (never echoing a secret). */
function graphProblems(e: z.output<typeof envSchema>): string[] {
  const problems: string[] = [];
  const needed = 'required when ACCESSDESK_DIRECTORY=graph';
  if (!e.AZURE_TENANT_ID) problems.push(`AZURE_TENANT_ID: ${needed}`);
  if (!e.AZURE_CLIENT_ID) problems.push(`AZURE_CLIENT_ID: ${needed}`);
  if (!e.AZURE_CLIENT_SECRET && !e.AZURE_CLIENT_CERTIFICATE_PATH) {
    problems.push(`AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH: one is ${needed}`);
  }
  if (e.AZURE_CLIENT_SECRET && e.AZURE_CLIENT_CERTIFICATE_PATH) {
    problems.push('AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH: give one, not both');
  }
  return problems;
}
