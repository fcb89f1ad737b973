import { describe, expect, it } from 'vitest';
import { requesterUpdate } from '../../../flows/blocks/requester-update.ts';
import { ACTION } from '../../../flows/ids.ts';
import { approvedRequest, inState, onboardingRequest } from './fixtures.ts';

const hasCancel = (blocks: unknown[]) => JSON.stringify(blocks).includes(ACTION.cancelRequest);

describe('requesterUpdate', () => {
  it('a new request says it waits for a Global admin and offers Cancel', () => {
    const message = requesterUpdate(onboardingRequest());

    expect(message).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": "*REQ-7K3Q9D* · Onboarding for Ada Lovelace — :hourglass_flowing_sand: waiting for approval
      Your request is waiting for a Global admin.",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "text": "<!date^1795165200^{date_short_pretty} at {time}|2026-11-20T09:00:00.000Z> — Requested by Grace Hopper
      <!date^1795165201^{date_short_pretty} at {time}|2026-11-20T09:00:01.000Z> — Sent to 3 Global admins",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
          {
            "elements": [
              {
                "action_id": "cancel_request",
                "confirm": {
                  "confirm": {
                    "text": "Cancel it",
                    "type": "plain_text",
                  },
                  "deny": {
                    "text": "Keep it",
                    "type": "plain_text",
                  },
                  "text": {
                    "text": "Nobody will be able to approve it afterwards.",
                    "type": "plain_text",
                  },
                  "title": {
                    "text": "Cancel this request?",
                    "type": "plain_text",
                  },
                },
                "text": {
                  "text": "Cancel request",
                  "type": "plain_text",
                },
                "type": "button",
                "value": "REQ-7K3Q9D",
              },
            ],
            "type": "actions",
          },
        ],
        "text": "REQ-7K3Q9D (Onboarding for Ada Lovelace): Your request is waiting for a Global admin.",
      }
    `);
  });

  it('L3: waiting for a seat says which SKU is full and keeps Cancel', () => {
    const sku = {
      skuId: 'm365-e3',
      name: 'Microsoft 365 E3',
      seats: 25,
      assigned: 24,
      held: 1,
      free: 0,
    };

    const message = requesterUpdate(
      approvedRequest({ ...inState('approved.waitingForSeat'), sku }),
    );

    expect(message.text).toMatchInlineSnapshot(
      `"REQ-7K3Q9D (Onboarding for Ada Lovelace): Approved by Linus Admin (linus@contoso.example). There is no free seat of Microsoft 365 E3 (25/25 used, 1 held by invitations) yet; it goes ahead as soon as one is free."`,
    );
    expect(hasCancel(message.blocks)).toBe(true);
  });

  it('L3: passing through the seat step with seats free says nothing of seats', () => {
    const sku = {
      skuId: 'm365-e3',
      name: 'Microsoft 365 E3',
      seats: 25,
      assigned: 3,
      held: 0,
      free: 22,
    };

    const message = requesterUpdate(
      approvedRequest({ ...inState('approved.waitingForSeat'), sku }),
    );

    expect(message.text).toMatchInlineSnapshot(
      `"REQ-7K3Q9D (Onboarding for Ada Lovelace): Approved by Linus Admin (linus@contoso.example). It is being carried out."`,
    );
    expect(JSON.stringify(message)).not.toContain('seat');
  });

  it('tells every later step in one sentence, without Cancel', () => {
    const steps = [
      approvedRequest({ ...inState('approved.provisioning') }),
      approvedRequest({ ...inState('provisioned') }),
      approvedRequest({ ...inState('invited') }),
      approvedRequest({ ...inState('accepted') }),
      approvedRequest({ kind: 'role_change', ...inState('applied', 'role_change') }),
      approvedRequest({ ...inState('denied'), denyReason: 'Not in budget' }),
      onboardingRequest({ ...inState('cancelled'), endReason: 'cancelled by the requester' }),
      approvedRequest({
        ...inState('expired'),
        endReason: 'the invitation was not accepted in time',
      }),
      approvedRequest({ ...inState('failed'), failureReason: 'the directory refused the UPN' }),
    ];

    const messages = steps.map(requesterUpdate);

    expect(messages.map((m) => m.text)).toMatchInlineSnapshot(`
      [
        "REQ-7K3Q9D (Onboarding for Ada Lovelace): Approved by Linus Admin (linus@contoso.example). The account for Ada Lovelace is being created.",
        "REQ-7K3Q9D (Onboarding for Ada Lovelace): The account for Ada Lovelace exists; the invitation is on its way.",
        "REQ-7K3Q9D (Onboarding for Ada Lovelace): Ada Lovelace is invited. The invitation holds a seat until it is accepted or expires.",
        "REQ-7K3Q9D (Onboarding for Ada Lovelace): Ada Lovelace accepted the invitation. Done.",
        "REQ-7K3Q9D (Role change for Ada Lovelace): Approved by Linus Admin (linus@contoso.example). The change is in effect.",
        "REQ-7K3Q9D (Onboarding for Ada Lovelace): Denied by Linus Admin (linus@contoso.example). Reason: Not in budget",
        "REQ-7K3Q9D (Onboarding for Ada Lovelace): Cancelled: cancelled by the requester.",
        "REQ-7K3Q9D (Onboarding for Ada Lovelace): Expired: the invitation was not accepted in time.",
        "REQ-7K3Q9D (Onboarding for Ada Lovelace): It failed: the directory refused the UPN. What was done has been undone.",
      ]
    `);
    expect(messages.some((m) => hasCancel(m.blocks))).toBe(false);
  });
});
