import { describe, expect, it } from 'vitest';
import { approvalCard } from '../../../flows/blocks/approval-card.ts';
import { ACTION } from '../../../flows/ids.ts';
import { approvedRequest, graphSku, inState, onboardingRequest } from './fixtures.ts';

describe('approvalCard', () => {
  it('an undecided request shows the seats in words and Approve/Deny buttons', () => {
    const card = approvalCard(onboardingRequest());

    expect(card).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": "Onboarding request REQ-7K3Q9D",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "text": "*Onboarding for Ada Lovelace* · ada@personal.example",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "fields": [
              {
                "text": "*SKU*
      Microsoft 365 E3",
                "type": "mrkdwn",
              },
              {
                "text": "*Environment*
      Contoso Production",
                "type": "mrkdwn",
              },
              {
                "text": "*Business unit*
      Contoso",
                "type": "mrkdwn",
              },
              {
                "text": "*Security roles*
      Basic User, Salesperson",
                "type": "mrkdwn",
              },
              {
                "text": "*Access mode*
      Read-Write",
                "type": "mrkdwn",
              },
              {
                "text": "*Justification*
      New analyst &lt;starts Monday&gt;",
                "type": "mrkdwn",
              },
            ],
            "type": "section",
          },
          {
            "text": {
              "text": ":chair: *Microsoft 365 E3*: 23/25 used, 1 held by invitations, 2 free",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "text": "Requested by <@U0GRACE> · REQ-7K3Q9D",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
          {
            "elements": [
              {
                "action_id": "approve_request",
                "style": "primary",
                "text": {
                  "text": "Approve",
                  "type": "plain_text",
                },
                "type": "button",
                "value": "REQ-7K3Q9D",
              },
              {
                "action_id": "deny_request",
                "style": "danger",
                "text": {
                  "text": "Deny",
                  "type": "plain_text",
                },
                "type": "button",
                "value": "REQ-7K3Q9D",
              },
            ],
            "type": "actions",
          },
        ],
        "text": "REQ-7K3Q9D: Onboarding for Ada Lovelace, requested by Grace Hopper (grace@contoso.example) — waiting for approval. Microsoft 365 E3: 23/25 used, 1 held by invitations, 2 free.",
      }
    `);
  });

  it('each button carries the request id', () => {
    const card = approvalCard(onboardingRequest());
    const actions = card.blocks.find((b) => b.type === 'actions');

    expect(actions).toMatchObject({
      elements: [
        { action_id: ACTION.approveRequest, value: 'REQ-7K3Q9D', style: 'primary' },
        { action_id: ACTION.denyRequest, value: 'REQ-7K3Q9D', style: 'danger' },
      ],
    });
  });

  it('a decided request has no buttons and says who decided, when, and the status', () => {
    const card = approvalCard(approvedRequest());

    expect(card.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(card.blocks.at(-1)).toMatchInlineSnapshot(`
      {
        "text": {
          "text": "Approved by <@U0LINUS> on <!date^1795170600^{date_short_pretty} at {time}|2026-11-20T10:30:00.000Z>.
      Status: :gear: provisioning",
          "type": "mrkdwn",
        },
        "type": "section",
      }
    `);
    expect(card.text).toMatchInlineSnapshot(
      `"REQ-7K3Q9D: Onboarding for Ada Lovelace, requested by Grace Hopper (grace@contoso.example) — approved by Linus Admin (linus@contoso.example), now provisioning. Microsoft 365 E3: 23/25 used, 1 held by invitations, 2 free."`,
    );
  });

  it('a denied request shows the reason', () => {
    const card = approvalCard(
      approvedRequest({ ...inState('denied'), denyReason: 'No budget for a seat this quarter' }),
    );

    expect(card.blocks.at(-1)).toMatchInlineSnapshot(`
      {
        "text": {
          "text": "Denied by <@U0LINUS> on <!date^1795170600^{date_short_pretty} at {time}|2026-11-20T10:30:00.000Z>.
      Reason: No budget for a seat this quarter
      Status: :no_entry: denied",
          "type": "mrkdwn",
        },
        "type": "section",
      }
    `);
  });

  it('A2: a request granting Global admin says 1 of 2 Global admin approvals', () => {
    const card = approvalCard(
      onboardingRequest({
        ...inState('requested.awaitingSecondApproval'),
        needsSecondApproval: true,
        approvals: [{ by: 'linus@contoso.example' }],
      }),
    );

    expect(JSON.stringify(card.blocks)).toContain('1 of 2 Global admin approvals');
    expect(card.blocks.some((b) => b.type === 'actions')).toBe(true);
  });

  it.each([
    {
      what: 'L4: a SKU with no free seat says so',
      sku: {
        skuId: 'm365-e3',
        name: 'Microsoft 365 E3',
        seats: 25,
        assigned: 22,
        held: 3,
        free: 0,
      },
      says: 'Microsoft 365 E3: 25/25 used, 3 held by invitations, no free seat.',
    },
    {
      what: 'L3: in Graph mode the seats used outside accessdesk are named, so the figures add up',
      sku: graphSku(),
      says: 'Dynamics 365: 6/40 used, 1 held by invitations, 30 used outside accessdesk, 4 free.',
    },
  ])('$what', ({ sku, says }) => {
    expect(approvalCard(onboardingRequest({ sku })).text).toContain(says);
  });
});
