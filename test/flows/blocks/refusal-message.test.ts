import { describe, expect, it } from 'vitest';
import { refusalMessage } from '../../../flows/blocks/refusal-message.ts';

describe('refusalMessage', () => {
  it('says each refusal of the machine in plain words', () => {
    const reasons = [
      'not_global_admin',
      'own_request',
      'same_approver_twice',
      'not_requester',
      'not_invitee',
    ] as const;

    const texts = reasons.map((reason) => refusalMessage({ reason }).text);

    expect(texts).toMatchInlineSnapshot(`
      [
        "Only a Global admin can approve or deny access requests.",
        "You cannot decide a request you made or one that is about you.",
        "You already approved this request; a second, different Global admin must approve it too.",
        "Only the person who made this request can cancel it.",
        "This invitation is for someone else; only the invited person can accept it.",
      ]
    `);
  });

  it('a request already decided says by whom, when, and what it is now', () => {
    const message = refusalMessage({
      reason: 'already_decided',
      by: { email: 'linus@contoso.example', name: 'Linus Admin', slackId: 'U0LINUS' },
      at: '2026-11-20T10:30:00.000Z',
      word: 'invited',
    });

    expect(message).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": "This request was already *approved* by <@U0LINUS> on <!date^1795170600^{date_short_pretty} at {time}|2026-11-20T10:30:00.000Z>; it is now invited.",
              "type": "mrkdwn",
            },
            "type": "section",
          },
        ],
        "text": "This request was already approved by Linus Admin (linus@contoso.example) on 2026-11-20 10:30 UTC; it is now invited.",
      }
    `);
  });

  it('a request that ended without a decision says how it ended', () => {
    const message = refusalMessage({ reason: 'already_decided', word: 'cancelled' });

    expect(message.text).toBe('This request is no longer waiting for a decision: it is cancelled.');
  });
});
