import { createServer } from 'node:net';

/** A port nobody listens on right now (loopback). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const found = address && typeof address === 'object' ? address.port : 0;
      probe.close(() => resolvePort(found));
    });
  });
}
