import { createServer, type IncomingMessage, request } from 'node:http';
import { listen } from './slack-stand-in.ts';

/** One upstream answer, read whole. */
interface Upstream {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Forwards one request to `target` (`http://127.0.0.1:<port>`). */
function forward(target: string, req: IncomingMessage, body: Buffer): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    const url = new URL(req.url ?? '/', target);
    const headers = { ...req.headers, host: url.host, 'content-length': String(body.length) };
    const out = request(url, { method: req.method, headers }, (res) => {
      void bodyOf(res).then(
        (answer) =>
          resolve({
            status: res.statusCode ?? 502,
            headers: Object.fromEntries(
              Object.entries(res.headers).flatMap(([k, v]) =>
                typeof v === 'string' && k !== 'transfer-encoding' && k !== 'connection'
                  ? [[k, v]]
                  : [],
              ),
            ),
            body: answer,
          }),
        reject,
      );
    });
    out.on('error', reject);
    out.end(body);
  });
}

/**
 * A load balancer on loopback: each request goes to the next target in turn, as Slack's
 * requests would through a round-robin balancer. A target that refuses the connection (a killed
 * instance) is skipped, as a balancer's health check would, and the request goes to the next.
 * `served` counts the requests each target answered.
 */
export async function startRoundRobinProxy(targets: () => string[]) {
  let next = 0;
  const served = new Map<string, number>();
  const server = createServer((req, res) => {
    void (async () => {
      const body = await bodyOf(req);
      const list = targets();
      for (let tried = 0; tried < list.length; tried++) {
        const target = list[next++ % list.length]!;
        try {
          const answer = await forward(target, req, body);
          served.set(target, (served.get(target) ?? 0) + 1);
          res.writeHead(answer.status, answer.headers);
          res.end(answer.body);
          return;
        } catch {
          // Connection refused or reset: the next target.
        }
      }
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('no instance answered');
    })();
  });
  const url = await listen(server);
  return {
    url,
    served,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
