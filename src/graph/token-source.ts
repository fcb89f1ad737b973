/** Access tokens for Graph and Dataverse: OAuth 2.0 client credentials through MSAL. */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfidentialClientApplication, type Configuration } from '@azure/msal-node';
import type { GraphSettings } from '../config.ts';
import { RetryableError } from '../errors.ts';
import { DirectoryRefusal } from './http.ts';

/** Gives a bearer token for a resource (`https://graph.microsoft.com`, a Dataverse URL). */
export interface TokenSource {
  token(resource: string): Promise<string>;
}

/**
 * Client-credentials tokens from MSAL, whose cache keeps each one until shortly before it expires
 * (MSAL renews five minutes early). Tokens and the secret are never logged: MSAL's logger is left
 * off, and errors carry MSAL's error code only.
 */
export class MsalTokenSource implements TokenSource {
  readonly #app: Promise<ConfidentialClientApplication>;

  constructor(settings: Pick<GraphSettings, 'tenantId' | 'clientId' | 'credential' | 'loginUrl'>) {
    this.#app = msalConfiguration(settings).then((c) => new ConfidentialClientApplication(c));
    this.#app.catch(() => undefined); // reported by the first token() call
  }

  async token(resource: string): Promise<string> {
    const app = await this.#app;
    try {
      const result = await app.acquireTokenByClientCredential({
        scopes: [`${resource.replace(/\/+$/, '')}/.default`],
      });
      if (!result?.accessToken) throw new Error('no access token');
      return result.accessToken;
    } catch (error) {
      const code = (error as { errorCode?: string }).errorCode ?? 'unknown';
      // A refused credential will not get better by retrying; a network failure might.
      if (/invalid_client|unauthorized_client|invalid_request|invalid_scope/.test(code)) {
        throw new DirectoryRefusal('sign-in', 401, code, `the app's credential for ${resource}`);
      }
      throw new RetryableError(`sign-in to ${resource} failed (${code})`, { step: 'token' });
    }
  }
}

/**
 * MSAL's configuration. The authority's metadata is given rather than discovered: no discovery
 * round trips at start, and ACCESSDESK_LOGIN_URL (a sovereign cloud, a test stand-in) is used
 * as given.
 */
async function msalConfiguration(
  s: Pick<GraphSettings, 'tenantId' | 'clientId' | 'credential' | 'loginUrl'>,
): Promise<Configuration> {
  const authority = `${s.loginUrl}/${s.tenantId}`;
  const host = new URL(s.loginUrl).host;
  const metadata = {
    token_endpoint: `${authority}/oauth2/v2.0/token`,
    authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
    issuer: `${authority}/v2.0`,
    jwks_uri: `${authority}/discovery/v2.0/keys`,
  };
  const discovery = {
    tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  };
  return {
    auth: {
      clientId: s.clientId,
      authority,
      knownAuthorities: [host],
      authorityMetadata: JSON.stringify(metadata),
      cloudDiscoveryMetadata: JSON.stringify(discovery),
      ...('secret' in s.credential
        ? { clientSecret: s.credential.secret }
        : { clientCertificate: await certificate(s.credential.certificatePath) }),
    },
    system: { networkClient: fetchNetworkClient },
  };
}

/**
 * MSAL over the global `fetch`, like every other call to Microsoft here: one HTTP stack, whose
 * proxy settings and test stand-ins (nock) apply to sign-in too.
 */
const fetchNetworkClient = {
  sendGetRequestAsync: <T>(url: string, options?: { headers?: Record<string, string> }) =>
    send<T>(url, { method: 'GET', headers: options?.headers ?? {} }),
  sendPostRequestAsync: <T>(
    url: string,
    options?: { headers?: Record<string, string>; body?: string },
  ) =>
    send<T>(url, {
      method: 'POST',
      headers: options?.headers ?? {},
      ...(options?.body !== undefined ? { body: options.body } : {}),
    }),
};

async function send<T>(url: string, init: RequestInit) {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  let body: unknown = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = {};
  }
  return { headers, body: body as T, status: response.status };
}

/** A PEM file with the private key and the certificate, as Azure tools write it. */
async function certificate(path: string) {
  const pem = await readFile(path, 'utf8');
  const key = pem.match(
    /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/,
  );
  const cert = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/);
  if (!key || !cert) {
    throw new Error('AZURE_CLIENT_CERTIFICATE_PATH: needs a private key and a certificate (PEM)');
  }
  const x509 = new X509Certificate(cert[0]);
  return {
    thumbprintSha256: x509.fingerprint256.replace(/:/g, ''),
    privateKey: key[0],
    x5c: cert[0],
  };
}
