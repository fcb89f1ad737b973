/** The Microsoft Graph directory, built from its settings: what the composition root imports. */
import type { Connection } from 'mongoose';
import type { Clock } from '../clock.ts';
import type { GraphSettings } from '../config.ts';
import { ErrorCode, RetryableError, ValidationError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { TenantConfig } from '../tenant/tenant.schema.ts';
import { GraphDirectory, type GraphDirectoryOptions } from './graph-directory.ts';
import { DirectoryRefusal, MicrosoftApi } from './http.ts';
import { DirectorySync, type SyncReport } from './sync.ts';
import { MsalTokenSource, type TokenSource } from './token-source.ts';

export { GraphDirectory } from './graph-directory.ts';
export { DirectoryRefusal } from './http.ts';
export { assertGraphReady, graphTenantProblems } from './requirements.ts';
export { DirectorySync, type SyncReport } from './sync.ts';

/** A GraphDirectory signing in with the client credentials of `settings`. */
export function graphDirectory(
  settings: GraphSettings,
  options: Omit<GraphDirectoryOptions, 'tokens' | 'graphUrl' | 'powerPlatformUrl'>,
): GraphDirectory {
  return new GraphDirectory({
    ...options,
    tokens: tokensFor(settings),
    graphUrl: settings.graphUrl,
    powerPlatformUrl: settings.powerPlatformUrl,
  });
}

/** One MSAL client (and token cache) per settings: the directory and the sync share it. */
const tokenSources = new WeakMap<GraphSettings, TokenSource>();
function tokensFor(settings: GraphSettings): TokenSource {
  let tokens = tokenSources.get(settings);
  if (!tokens) {
    tokens = new MsalTokenSource(settings);
    tokenSources.set(settings, tokens);
  }
  return tokens;
}

/** The directory sync over the same client credentials and token cache as the directory. */
export function directorySync(
  settings: GraphSettings,
  options: { connection: Connection; tenant: TenantConfig; clock: Clock; tokens?: TokenSource },
): DirectorySync {
  const tokens = options.tokens ?? tokensFor(settings);
  return new DirectorySync({
    api: new MicrosoftApi(settings.graphUrl, settings.graphUrl, tokens),
    graphUrl: settings.graphUrl,
    connection: options.connection,
    tenant: options.tenant,
    clock: options.clock,
  });
}

/**
 * The sync at start. A probe (one small read of each kind) runs first: credentials Microsoft
 * refuses, or permissions it lacks, stop the start with what to fix; a Microsoft that does not
 * answer is logged and the sync tried again on schedule. The full read then goes on while
 * accessdesk serves: a large tenant takes minutes, and the ledger never counts too few seats
 * as used meanwhile (Graph refuses a license it has not, and the request waits, L3).
 */
export async function firstSync(sync: DirectorySync, logger: Logger): Promise<void> {
  try {
    await sync.probe();
  } catch (error) {
    if (error instanceof DirectoryRefusal) throw startRefused(error);
    if (!(error instanceof RetryableError)) throw error;
    logger.warn(`directory sync at start: ${(error as Error).message}; trying again later`);
    return;
  }
  sync
    .run()
    .then((report) => logger.info(`directory sync: ${describeSync(report)}`))
    .catch((error) => logger.warn(`directory sync: ${(error as Error).message}`));
}

/** Runs the sync every `everyMs`; returns what stops it. */
export function scheduleSync(sync: DirectorySync, everyMs: number, logger: Logger): () => void {
  const timer = setInterval(() => {
    sync
      .run()
      .then((report) => logger.info(`directory sync: ${describeSync(report)}`))
      .catch((error) => logger.warn(`directory sync: ${(error as Error).message}`));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** One line: what a sync read and the seats it set. */
export function describeSync(report: SyncReport): string {
  const skus = report.skus
    .map(
      (s) =>
        `${s.skuId} ${s.seats} seats (${s.held + s.assigned} by accessdesk, ${s.external} outside, ${s.free} free)`,
    )
    .join('; ');
  return `${report.users} users in ${report.pages} pages, ${report.roleAssignments} admin role assignments, ${report.groupMembers} group members; ${skus || 'no SKU'}`;
}

/** Why Microsoft would not let accessdesk start, in words that say what to fix. */
function startRefused(error: DirectoryRefusal): ValidationError {
  const signIn = error.step === 'sign-in' || error.status === 401;
  const fix = signIn
    ? 'check AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH'
    : 'grant the application permissions the README lists, with admin consent';
  return new ValidationError(ErrorCode.ConfigInvalid, [
    `Microsoft Graph refused accessdesk (${error.step}: ${error.status} ${error.apiCode}): ${fix}.`,
  ]);
}
