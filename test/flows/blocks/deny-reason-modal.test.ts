import { describe, expect, it } from 'vitest';
import { denyReasonModal } from '../../../flows/blocks/deny-reason-modal.ts';

describe('denyReasonModal', () => {
  it('asks for a reason and carries the request id', () => {
    const view = denyReasonModal('REQ-7K3Q9D');

    expect(view).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "elements": [
              {
                "text": "Request *REQ-7K3Q9D*. The requester will read your reason.",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
          {
            "block_id": "reason",
            "element": {
              "action_id": "reason",
              "max_length": 500,
              "multiline": true,
              "type": "plain_text_input",
            },
            "label": {
              "text": "Reason",
              "type": "plain_text",
            },
            "optional": false,
            "type": "input",
          },
        ],
        "callback_id": "deny_request",
        "close": {
          "text": "Back",
          "type": "plain_text",
        },
        "private_metadata": "REQ-7K3Q9D",
        "submit": {
          "text": "Deny",
          "type": "plain_text",
        },
        "title": {
          "text": "Deny request",
          "type": "plain_text",
        },
        "type": "modal",
      }
    `);
  });
});
