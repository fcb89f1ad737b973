/**
 * The Graph side of the tests: a tenant file with the fields Graph needs, Microsoft's answers
 * shaped as its docs show them, and nock standing in for login, Graph and Dataverse.
 */
import type { Connection } from 'mongoose';
import nock from 'nock';
import { afterEach, beforeAll, beforeEach } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { GraphDirectory, type GraphDirectoryOptions } from '../../src/graph/graph-directory.ts';
import type { RetryPolicy } from '../../src/graph/http.ts';
import type { TokenSource } from '../../src/graph/token-source.ts';
import { TenantDirectory } from '../../src/lifecycle/tenant-directory.ts';
import { TenantService } from '../../src/tenant/tenant.service.ts';
import { parseTenantConfig } from '../../src/tenant/tenant-file.ts';
import { resetDatabase } from '../lifecycle/support.ts';
import { GLOBAL_ADMINS, salesTenantYaml } from '../support/sales-tenant.ts';

export const LOGIN = 'https://login.microsoftonline.com';
export const GRAPH = 'https://graph.microsoft.com';
export const DATAVERSE = 'https://contoso.crm4.dynamics.com';
export const DV = '/api/data/v9.2';
/** The Power Platform admin API (T6's "add user") and the sales environment's id there. */
export const POWER_PLATFORM = 'https://api.bap.microsoft.com';
export const PP_ENVIRONMENT = '2b6b7e0c-5f0e-4c1a-9b7e-6d2f0a1c3e41';
export const ADD_USER = `/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${PP_ENVIRONMENT}/addUser`;
export const TENANT_ID = '8f1c2c4e-2d8b-4b38-9a1e-1b1d1c0a0001';
export const SKU_GUID = '6fd2c87f-b296-42f0-b197-1e91e994b900';
export const GROUP_ID = '4e1e7c8a-3f5b-4c5e-8d1a-5a6b7c8d9e01';
export const USER_ID = 'a0b1c2d3-0000-4000-8000-00000000ada1';
export const SYSTEMUSER_ID = '11111111-2222-4333-8444-555555555555';
export const ROOT_BU = '00000000-0000-4000-8000-0000000000b0';
export const SALES_BU = '00000000-0000-4000-8000-0000000000b1';
export const SALESPERSON = '00000000-0000-4000-8000-0000000000c1';
export const GLOBAL_ADMIN_TEMPLATE = '62e90394-69f5-4237-9190-012177145e10';
export const BILLING_ADMIN_TEMPLATE = 'b0f54661-2d74-4c50-afa3-1ec803f12efe';

/** The sales tenant of the lifecycle tests, with what the Graph directory needs. */
export function graphTenantYaml(seats = 5): string {
  return withGraphFields(
    salesTenantYaml(seats, [
      ...GLOBAL_ADMINS(),
      '{ email: ada@contoso.example, firstName: Ada, lastName: Lovelace, slackId: U0ADA, managerEmail: grace@contoso.example }',
    ]),
    seats,
  );
}

/** A sales tenant file (see salesTenantYaml) given the Graph fields. */
export function withGraphFields(yaml: string, seats: number, dataverseUrl = DATAVERSE): string {
  return yaml
    .replace('domain: contoso.example', 'domain: contoso.example\nusageLocation: GB')
    .replace(`seats: ${seats} }`, `seats: ${seats}, skuId: ${SKU_GUID} }`)
    .replace(
      'securityGroup: sg-sales-prod',
      `securityGroup: sg-sales-prod\n    securityGroupId: ${GROUP_ID}\n    dataverseUrl: ${dataverseUrl}\n    powerPlatformEnvironmentId: ${PP_ENVIRONMENT}`,
    );
}

/** A token source that never signs in (tests of MsalTokenSource sign in through nock). */
export const staticTokens: TokenSource = { token: async (resource) => `token-for-${resource}` };

/** A retry policy that records the waits instead of sleeping them. */
export function recordingRetry(attempts = 4, maxWaitMs = 30_000) {
  const waits: number[] = [];
  const policy: RetryPolicy = {
    attempts,
    maxWaitMs,
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
  };
  return { policy, waits };
}

/** Graph's error body (`{ error: { code, message, innerError } }`). */
export function graphError(code: string, message: string, details?: unknown[]) {
  return {
    error: {
      code,
      message,
      ...(details ? { details } : {}),
      innerError: {
        date: '2026-12-06T10:00:00',
        'request-id': '5e4b3a2c-0000-4000-8000-000000000001',
        'client-request-id': '5e4b3a2c-0000-4000-8000-000000000002',
      },
    },
  };
}

/** Dataverse's error body (`{ error: { code: "0x…", message } }`). */
export function dataverseError(code: string, message: string) {
  return { error: { code, message } };
}

/** Microsoft's documented refusals the matrices answer with. */
export const GRAPH_NOT_FOUND = graphError(
  'Request_ResourceNotFound',
  "Resource 'a0b1c2d3' does not exist or one of its queried reference-property objects are not present.",
);
export const GRAPH_DENIED = graphError(
  'Authorization_RequestDenied',
  'Insufficient privileges to complete the operation.',
);
export const DV_DENIED = dataverseError(
  '0x80040220',
  'Principal user is missing prvWriteUser privilege.',
);
export const THROTTLED = graphError('TooManyRequests', 'Too many requests.');

/** Real network off for the file; every interceptor must have been used by the end of a test. */
export function useNock() {
  beforeEach(() => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    nock.enableNetConnect();
    if (pending.length > 0) throw new Error(`unused Microsoft answers: ${pending.join(', ')}`);
  });
}

/**
 * A GraphDirectory over the seat ledger `seats` and the tenant file `config`, talking to nock's
 * Microsoft (GRAPH) with static tokens and a recording retry policy unless `options` say else.
 */
export function graphDirectoryOver(
  seats: GraphDirectoryOptions['seats'],
  config: GraphDirectoryOptions['tenant'],
  connection: Connection,
  options: Partial<GraphDirectoryOptions> = {},
): GraphDirectory {
  return new GraphDirectory({
    seats,
    tenant: config,
    connection,
    tokens: staticTokens,
    graphUrl: GRAPH,
    retry: recordingRetry().policy,
    ...options,
  });
}

/**
 * An emptied database with the tenant file `yaml` applied, and a GraphDirectory over it that
 * talks to nock's Microsoft (GRAPH, DATAVERSE) with static tokens and a recording retry policy.
 */
export async function freshGraphDirectory(
  connection: Connection,
  tenant: TenantService,
  yaml = graphTenantYaml(3),
  options: Partial<GraphDirectoryOptions> = {},
) {
  await resetDatabase(connection);
  const config = parseTenantConfig(yaml, 'tenant.yaml');
  await tenant.applyConfig(config);
  const retry = recordingRetry();
  const directory = new GraphDirectory({
    seats: new TenantDirectory(tenant),
    tenant: config,
    connection,
    tokens: staticTokens,
    graphUrl: GRAPH,
    retry: retry.policy,
    ...options,
  });
  return { retry, directory };
}

/**
 * For a file of nock tests: the tenant model on the file's database, and before each test an
 * emptied database with a fresh GraphDirectory over it (see freshGraphDirectory).
 */
export function useGraphDirectory(db: { connection: Connection }, yaml = graphTenantYaml(3)) {
  const ctx = {} as {
    tenant: TenantService;
    directory: GraphDirectory;
    retry: ReturnType<typeof recordingRetry>;
  };
  beforeAll(() => {
    ctx.tenant = new TenantService(db.connection, new ManualClock());
  });
  beforeEach(async () => {
    Object.assign(ctx, await freshGraphDirectory(db.connection, ctx.tenant, yaml));
  });
  return ctx;
}
