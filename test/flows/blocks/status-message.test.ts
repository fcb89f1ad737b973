import { describe, expect, it } from 'vitest';
import { statusMessage } from '../../../flows/blocks/status-message.ts';
import { approvedRequest, inState, onboardingRequest } from './fixtures.ts';

describe('statusMessage', () => {
  it('shows each request with its status and timeline', () => {
    const invited = approvedRequest({
      id: 'REQ-2B8M4X',
      ...inState('invited'),
      timeline: [
        { at: '2026-11-20T10:30:00.000Z', text: 'Approved by Linus Admin' },
        { at: '2026-11-20T10:32:00.000Z', text: 'Invitation sent; it expires in 14 days' },
      ],
    });

    const message = statusMessage([onboardingRequest(), invited]);

    expect(message).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": "*REQ-7K3Q9D* · Onboarding for Ada Lovelace — :hourglass_flowing_sand: waiting for approval",
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
            "type": "divider",
          },
          {
            "text": {
              "text": "*REQ-2B8M4X* · Onboarding for Ada Lovelace — :envelope: invited",
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
            "elements": [
              {
                "text": "Approved by <@U0LINUS> on <!date^1795170600^{date_short_pretty} at {time}|2026-11-20T10:30:00.000Z>.
      Status: :envelope: invited",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
          {
            "elements": [
              {
                "text": "<!date^1795170600^{date_short_pretty} at {time}|2026-11-20T10:30:00.000Z> — Approved by Linus Admin
      <!date^1795170720^{date_short_pretty} at {time}|2026-11-20T10:32:00.000Z> — Invitation sent; it expires in 14 days",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
        ],
        "text": "REQ-7K3Q9D · Onboarding for Ada Lovelace — waiting for approval
      REQ-2B8M4X · Onboarding for Ada Lovelace — invited",
      }
    `);
  });

  it('says how to start when there is no request', () => {
    expect(statusMessage([]).text).toBe(
      'You have no access requests. Start one with `/access request`.',
    );
  });

  it("keeps within Slack's 50 blocks and says how many more there are", () => {
    const many = Array.from({ length: 20 }, (_, i) => onboardingRequest({ id: `REQ-${i}` }));

    const message = statusMessage(many);

    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(message.blocks.at(-1))).toContain('…and 12 more.');
  });
});
