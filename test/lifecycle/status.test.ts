import { describe, expect, it } from 'vitest';
import { STATUS_WORDS, TAG } from '../../machines/tags.ts';
import { requestMachines } from '../../src/lifecycle/machines.ts';
import type { RequestKind } from '../../src/lifecycle/request.model.ts';
import { statusFacts } from '../../src/lifecycle/status.ts';

const KINDS: RequestKind[] = ['onboarding', 'role_change'];
const ADA = 'ada@contoso.example';

describe('where a request is comes from its machine', () => {
  it('every state a request can rest in carries exactly one status word', () => {
    for (const kind of KINDS) {
      for (const status of requestMachines.statuses(kind)) {
        const words = STATUS_WORDS.filter((w) => requestMachines.hasTag(kind, status, w));
        expect({ kind, status, words: words.length }).toEqual({ kind, status, words: 1 });
      }
    }
  });

  it('the requester can cancel while undecided or waiting for a seat, and nowhere else', () => {
    const cancellable = KINDS.flatMap((kind) =>
      requestMachines
        .statuses(kind)
        .filter((status) => statusFacts(kind, status, ADA).cancellable)
        .map((status) => `${kind}:${status}`),
    );
    expect(cancellable.sort()).toEqual([
      'onboarding:approved.waitingForSeat',
      'onboarding:requested.awaitingApproval',
      'onboarding:requested.awaitingSecondApproval',
      'role_change:approved.waitingForSeat',
      'role_change:requested.awaitingApproval',
      'role_change:requested.awaitingSecondApproval',
    ]);
  });

  it('the queries by tag find the states the machines tag', () => {
    // `admitted`: a person of a batch for the moment between their creation and admission.
    expect(requestMachines.statusesTagged(TAG.undecided)).toEqual([
      'admitted',
      'requested.awaitingApproval',
      'requested.awaitingSecondApproval',
    ]);
    expect(requestMachines.statusesTagged(TAG.waitingForSeat)).toEqual(['approved.waitingForSeat']);
    expect(statusFacts('onboarding', 'requested.awaitingSecondApproval', ADA)).toEqual({
      word: 'waiting for approval',
      undecided: true,
      cancellable: true,
    });
    expect(statusFacts('role_change', 'approved.applying', ADA).word).toBe('approved');
  });
});
