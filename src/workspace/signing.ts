import { createHmac } from 'node:crypto';

/** The two headers Slack adds to every request it sends an app. */
export interface SlackSignatureHeaders {
  'x-slack-request-timestamp': string;
  'x-slack-signature': string;
}

/** Signs `rawBody` the way Slack does: `v0=` + hex HMAC-SHA256 of `v0:<ts>:<body>`. */
export function signSlackRequest(
  signingSecret: string,
  rawBody: string,
  timestampSeconds: number,
): SlackSignatureHeaders {
  const ts = String(Math.floor(timestampSeconds));
  const hmac = createHmac('sha256', signingSecret).update(`v0:${ts}:${rawBody}`).digest('hex');
  return { 'x-slack-request-timestamp': ts, 'x-slack-signature': `v0=${hmac}` };
}

/** What the bot answered to a request the workspace posted. */
export interface BotReply {
  status: number;
  contentType: string;
  body: string;
}

/** Posts a signed request to the bot's events URL and returns its HTTP answer. */
export async function postSigned(
  url: string,
  signingSecret: string,
  rawBody: string,
  contentType: 'application/json' | 'application/x-www-form-urlencoded',
  nowSeconds: number,
): Promise<BotReply> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      ...signSlackRequest(signingSecret, rawBody, nowSeconds),
    },
    body: rawBody,
    signal: AbortSignal.timeout(10_000),
  });
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    body: await res.text(),
  };
}
