import type { Clock } from '../clock.ts';
import type { LifecycleObserver } from '../lifecycle/lifecycle.service.ts';
import type { MachineRegistry } from '../lifecycle/machine-registry.ts';
import type { RequestDoc } from '../lifecycle/request.model.ts';
import type { Logger } from '../log.ts';
import { decisionToProvisioned, refusals, requestsEnded, requestsSubmitted } from './metrics.ts';

/** The status words that say a request's access is in place (the end of provisioning). */
const IN_PLACE = new Set(['provisioned', 'invited', 'applied', 'offboarded']);

/**
 * Logs every audited change of a request (one info line, with its request id) and counts it:
 * requests by kind and end state, refusals by reason, time from approval to access in place.
 */
export function lifecycleObserver(
  logger: Logger,
  machines: MachineRegistry,
  clock: Clock,
): LifecycleObserver {
  const word = (request: RequestDoc, status: string) => {
    try {
      return machines.wordOf(request.kind, status);
    } catch {
      return undefined;
    }
  };
  const about = (request: RequestDoc) => ({ requestId: request._id, kind: request.kind });
  return {
    submitted(request) {
      requestsSubmitted.inc({ kind: request.kind });
      logger.info({ ...about(request), to: request.status }, `${request._id} submitted`);
    },
    transitioned(request, from, to, event) {
      logger.info({ ...about(request), from, to, event }, `${request._id}: ${from} → ${to}`);
      if (request.done) requestsEnded.inc({ kind: request.kind, state: to });
      const now = word(request, to);
      if (
        request.approvedAt &&
        now &&
        IN_PLACE.has(now) &&
        !IN_PLACE.has(word(request, from) ?? '')
      ) {
        const seconds = (clock.now().getTime() - new Date(request.approvedAt).getTime()) / 1000;
        decisionToProvisioned.observe({ kind: request.kind }, Math.max(0, seconds));
      }
    },
    refused(request, action, reason) {
      refusals.inc({ reason });
      logger.info(
        { ...about(request), refused: action, reason },
        `${request._id}: refused ${action} (${reason})`,
      );
    },
  };
}
