/** Calls to Microsoft Graph and Dataverse: bearer token, throttling, and Microsoft's errors. */
import { AccessdeskError, ErrorCode, RetryableError } from '../errors.ts';
import { directoryApiErrors, directoryApiRetries } from '../observability/metrics.ts';
import type { TokenSource } from './token-source.ts';

/** A response Microsoft gave (any status but a throttling one), its JSON body parsed. */
export interface ApiResponse {
  status: number;
  ok: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: Microsoft's JSON, read field by field by callers
  body: any;
  headers: Headers;
}

/** How hard to try before handing a throttled call back to the outbox as a RetryableError. */
export interface RetryPolicy {
  /** Tries per call, the first included. */
  attempts: number;
  /** The longest wait between tries; a longer Retry-After goes back to the outbox. */
  maxWaitMs: number;
  sleep: (ms: number) => Promise<void>;
  /** In [0, 1): the jitter. */
  random: () => number;
}

/** Graph's and Dataverse's throttling answers (throttling.md; service protection limits). */
const THROTTLED = new Set([429, 503, 504]);

export const defaultRetryPolicy: RetryPolicy = {
  attempts: 4,
  maxWaitMs: 30_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Microsoft refused a step for good: names the step and Microsoft's error code. */
export class DirectoryRefusal extends AccessdeskError {
  constructor(
    readonly step: string,
    readonly status: number,
    readonly apiCode: string,
    apiMessage: string,
  ) {
    super(
      ErrorCode.DirectoryRefused,
      `${step}: Microsoft refused it (${status} ${apiCode}: ${apiMessage.slice(0, 300)})`,
      { step, status, apiCode },
    );
  }
}

/** The error code and message of a Graph (`{error:{code,message}}`) or Dataverse answer. */
export function apiError(response: ApiResponse): { code: string; message: string } {
  const error = response.body?.error;
  return {
    code: typeof error?.code === 'string' ? error.code : `HTTP${response.status}`,
    message: typeof error?.message === 'string' ? error.message : '',
  };
}

/** The refusal for a response the caller has no special meaning for. */
export function refused(step: string, response: ApiResponse): DirectoryRefusal {
  const { code, message } = apiError(response);
  return new DirectoryRefusal(step, response.status, code, message);
}

/**
 * One API (Graph, or one Dataverse environment) at `baseUrl`, with a token for `resource`.
 * Throttled calls wait as Retry-After says (capped, with jitter) and try again; the written
 * retry loop exists because p-retry and friends compute their own delays and cannot be told
 * "wait exactly what the server said".
 */
export class MicrosoftApi {
  constructor(
    private readonly baseUrl: string,
    private readonly resource: string,
    private readonly tokens: TokenSource,
    private readonly retry: RetryPolicy = defaultRetryPolicy,
  ) {}

  /** Sends one request; returns any answer but a throttling one, which it retries. */
  async call(
    step: string,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.tokens.token(this.resource);
      let response: Response;
      try {
        response = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...headers,
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (error) {
        // The request may or may not have landed: every step reads before it writes, so the
        // retry the outbox makes finds what this one did.
        directoryApiErrors.inc({ reason: 'unreachable' });
        throw new RetryableError(`${step}: Microsoft unreachable (${(error as Error).name})`, {
          step,
        });
      }
      const answer = await read(response);
      if (answer.status >= 500 && !THROTTLED.has(answer.status)) {
        directoryApiErrors.inc({ reason: 'server_error' });
      }
      if (!THROTTLED.has(answer.status)) return answer;
      const wait = this.#waitFor(response.headers.get('retry-after'), attempt);
      if (attempt >= this.retry.attempts || wait === undefined) {
        const { code } = apiError(answer);
        directoryApiErrors.inc({ reason: 'throttled' });
        throw new RetryableError(`${step}: Microsoft is throttling (${answer.status} ${code})`, {
          step,
          status: answer.status,
          ...(wait === undefined ? {} : { retryAfterMs: wait }),
        });
      }
      directoryApiRetries.inc();
      await this.retry.sleep(wait);
    }
  }

  /**
   * How long to wait before try `attempt + 1`: Retry-After (seconds or a date) plus up to 10%
   * jitter, else exponential backoff with full jitter; undefined when longer than the cap.
   */
  #waitFor(retryAfter: string | null, attempt: number): number | undefined {
    const told = parseRetryAfter(retryAfter);
    if (told !== undefined) {
      if (told > this.retry.maxWaitMs) return undefined;
      return Math.min(this.retry.maxWaitMs, Math.round(told * (1 + 0.1 * this.retry.random())));
    }
    const ceiling = Math.min(this.retry.maxWaitMs, 1000 * 2 ** (attempt - 1));
    return Math.round(ceiling * (0.5 + 0.5 * this.retry.random()));
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

async function read(response: Response): Promise<ApiResponse> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, ok: response.ok, body, headers: response.headers };
}

/** An OData string literal: single quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
