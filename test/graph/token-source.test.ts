import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { RetryableError } from '../../src/errors.ts';
import { DirectoryRefusal } from '../../src/graph/http.ts';
import { MsalTokenSource } from '../../src/graph/token-source.ts';
import { DATAVERSE, GRAPH, LOGIN, TENANT_ID, useNock } from './support.ts';

useNock();

const SECRET = 'very-secret-client-secret';
const source = () =>
  new MsalTokenSource({
    tenantId: TENANT_ID,
    clientId: 'c1d2e3f4-0000-4000-8000-00000000c11e',
    credential: { secret: SECRET },
    loginUrl: LOGIN,
  });
const tokenEndpoint = () => nock(LOGIN).post(`/${TENANT_ID}/oauth2/v2.0/token`).query(true);
const issued = (token: string) => ({
  token_type: 'Bearer',
  expires_in: 3599,
  ext_expires_in: 3599,
  access_token: token,
});

describe('client-credentials sign-in', () => {
  it('asks once per resource, then serves the cached token until shortly before it expires', async () => {
    let body = '';
    nock(LOGIN)
      .post(`/${TENANT_ID}/oauth2/v2.0/token`, (b) => {
        body = new URLSearchParams(b).toString();
        return true;
      })
      .query(true)
      .reply(200, issued('graph-token'));
    tokenEndpoint().reply(200, issued('dataverse-token'));
    const tokens = source();
    expect(await tokens.token(GRAPH)).toBe('graph-token');
    expect(await tokens.token(GRAPH)).toBe('graph-token');
    expect(await tokens.token(DATAVERSE)).toBe('dataverse-token');
    expect(await tokens.token(`${DATAVERSE}/`)).toBe('dataverse-token');
    const sent = new URLSearchParams(body);
    expect(sent.get('grant_type')).toBe('client_credentials');
    expect(sent.get('scope')).toBe(`${GRAPH}/.default`);
  });

  it('a refused credential is not retried, and its error names no secret', async () => {
    tokenEndpoint().reply(401, {
      error: 'invalid_client',
      error_description: 'AADSTS7000215: Invalid client secret provided.',
      error_codes: [7000215],
    });
    const error = await source()
      .token(GRAPH)
      .catch((e) => e);
    expect(error).toBeInstanceOf(DirectoryRefusal);
    expect(error.message).toBe(
      `sign-in: Microsoft refused it (401 invalid_client: the app's credential for ${GRAPH})`,
    );
    expect(JSON.stringify(error)).not.toContain(SECRET);
  });

  it('a login service that does not answer is retryable', async () => {
    tokenEndpoint().replyWithError('socket hang up');
    const error = await source()
      .token(GRAPH)
      .catch((e) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(String(error.message)).not.toContain(SECRET);
  });
});
