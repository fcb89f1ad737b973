import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isValidSlackRequest } from '@slack/bolt';
import { SIGNING_SECRET } from './test-bot.ts';

export interface Captured {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A stand-in bot endpoint that records what the workspace posts and answers 200. */
export async function captureServer(reply: () => string = () => '') {
  const seen: Captured[] = [];
  const server: Server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({ headers: req.headers, body });
    const answer = reply();
    res.writeHead(200, answer ? { 'content-type': 'application/json' } : {});
    res.end(answer);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { seen, server, url: `http://127.0.0.1:${port}/slack/events` };
}

/** True when Bolt accepts the request's signature. */
export function verifies(c: Captured): boolean {
  return isValidSlackRequest({
    signingSecret: SIGNING_SECRET,
    body: c.body,
    headers: {
      'x-slack-signature': String(c.headers['x-slack-signature']),
      'x-slack-request-timestamp': Number(c.headers['x-slack-request-timestamp']),
    },
  });
}

/** The JSON of a `payload=` interaction body. */
export const payloadOf = (c: Captured) =>
  JSON.parse(new URLSearchParams(c.body).get('payload') ?? '{}') as Record<string, unknown>;
