import { describe, expect, it } from 'vitest';
import { appHome } from '../../../flows/blocks/app-home.ts';
import { ACTION } from '../../../flows/ids.ts';
import { approvedRequest, inState, onboardingRequest } from './fixtures.ts';

const grace = { email: 'grace@contoso.example', name: 'Grace Hopper', slackId: 'U0GRACE' };
const linus = { email: 'linus@contoso.example', name: 'Linus Admin', slackId: 'U0LINUS' };
const count = (view: unknown, id: string) => JSON.stringify(view).split(`"${id}"`).length - 1;

describe('appHome', () => {
  it("an employee sees their requests with Cancel and their reports' requests", () => {
    const view = appHome({
      viewer: grace,
      myRequests: [onboardingRequest()],
      reportsRequests: [approvedRequest({ id: 'REQ-2B8M4X', ...inState('invited') })],
      pendingQueue: [onboardingRequest({ id: 'REQ-HIDDEN' })],
      isGlobalAdmin: false,
    });

    expect(view).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": "Hello Grace Hopper. Ask for access here; a Global admin decides.",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "action_id": "open_onboarding",
                "style": "primary",
                "text": {
                  "text": "Request access",
                  "type": "plain_text",
                },
                "type": "button",
              },
              {
                "action_id": "open_role_change",
                "text": {
                  "text": "Change access",
                  "type": "plain_text",
                },
                "type": "button",
              },
            ],
            "type": "actions",
          },
          {
            "text": {
              "text": "Your requests",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "text": "*REQ-7K3Q9D* · Onboarding for Ada Lovelace — :hourglass_flowing_sand: waiting for approval",
              "type": "mrkdwn",
            },
            "type": "section",
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
          {
            "text": {
              "text": "Requests for your reports",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "text": "*REQ-2B8M4X* · Onboarding for Ada Lovelace — :envelope: invited",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "text": "Approved by <@U0LINUS> on <!date^1795170600^{date_short_pretty} at {time}|2026-11-20T10:30:00.000Z>.
      Status: :envelope: invited",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
        ],
        "type": "home",
      }
    `);
  });

  it('a Global admin sees the queue with Approve/Deny on requests they may decide', () => {
    const view = appHome({
      viewer: linus,
      myRequests: [],
      reportsRequests: [],
      pendingQueue: [
        onboardingRequest(),
        onboardingRequest({ id: 'REQ-LINUS1', requester: linus }),
        onboardingRequest({
          id: 'REQ-GA0002',
          ...inState('requested.awaitingSecondApproval'),
          needsSecondApproval: true,
          approvals: [{ by: 'linus@contoso.example' }],
        }),
      ],
      isGlobalAdmin: true,
    });

    expect(count(view, ACTION.approveRequest)).toBe(1);
    expect(count(view, ACTION.denyRequest)).toBe(1);
    expect(JSON.stringify(view)).toContain('another Global admin decides');
    expect(JSON.stringify(view)).toContain('a second, different Global admin must approve too');
  });

  it('A2: a grant whose ending is held shows why, not "0 min" left', () => {
    const view = appHome({
      viewer: linus,
      myRequests: [],
      reportsRequests: [],
      pendingQueue: [],
      isGlobalAdmin: true,
      runningGrants: [
        {
          requestId: 'REQ-GA0009',
          person: linus,
          what: 'Global admin',
          endsAt: '2026-03-02T10:00:00.000Z',
          timeLeft: '0 min',
          held: 'last Global admin (A2)',
        },
      ],
    });
    const text = JSON.stringify(view);
    expect(text).toContain('*Global admin*: ending held, last Global admin (A2)');
    expect(text).not.toContain('0 min');
  });

  it("stays within Slack's 100 blocks however long the lists are", () => {
    const many = Array.from({ length: 40 }, (_, i) => onboardingRequest({ id: `REQ-${i}` }));

    const view = appHome({
      viewer: linus,
      myRequests: many,
      reportsRequests: many,
      pendingQueue: many,
      isGlobalAdmin: true,
    });

    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(count(view, ACTION.approveRequest)).toBe(5);
  });

  it('A2: drift made outside accessdesk is listed for Global admins only, bounded', () => {
    const drift = [
      '3 accounts got Global admin outside accessdesk',
      ...Array.from({ length: 20 }, (_, i) => `${i + 1} seats of Sales <b> are used outside`),
    ];
    const admin = appHome({
      viewer: linus,
      myRequests: [],
      reportsRequests: [],
      pendingQueue: [],
      isGlobalAdmin: true,
      drift,
    });
    const texts = JSON.stringify(admin);
    expect(texts).toContain('Changed outside accessdesk');
    expect(texts).toContain('• 3 accounts got Global admin outside accessdesk');
    expect(texts).toContain('Sales &lt;b&gt;');
    expect(texts).not.toContain('• 8 seats');
    const employee = appHome({
      viewer: grace,
      myRequests: [],
      reportsRequests: [],
      pendingQueue: [],
      isGlobalAdmin: false,
      drift,
    });
    expect(JSON.stringify(employee)).not.toContain('outside accessdesk');
  });
});
