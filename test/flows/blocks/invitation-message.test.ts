import { describe, expect, it } from 'vitest';
import { credentialsMessage } from '../../../flows/blocks/credentials-message.ts';
import {
  invitationForRequester,
  invitationMessage,
} from '../../../flows/blocks/invitation-message.ts';

describe('invitationMessage', () => {
  it('L4: has an Accept button with the request id and says when it expires', () => {
    const message = invitationMessage({
      requestId: 'REQ-7K3Q9D',
      upn: 'ada.lovelace@contoso.example',
      expiresAt: '2026-12-04T10:32:00.000Z',
      acceptUrl: 'https://portal.example/accept?r=REQ-7K3Q9D',
    });

    expect(message).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": ":wave: *You are invited.* Your account \`ada.lovelace@contoso.example\` is ready.
      Accept before <!date^1796380320^{date_short_pretty} at {time}|2026-12-04T10:32:00.000Z>; after that the invitation expires and its seat is released.",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "action_id": "accept_invitation",
                "style": "primary",
                "text": {
                  "text": "Accept",
                  "type": "plain_text",
                },
                "type": "button",
                "value": "REQ-7K3Q9D",
              },
              {
                "action_id": "open_portal",
                "text": {
                  "text": "Open the portal",
                  "type": "plain_text",
                },
                "type": "button",
                "url": "https://portal.example/accept?r=REQ-7K3Q9D",
              },
            ],
            "type": "actions",
          },
          {
            "elements": [
              {
                "text": "Request REQ-7K3Q9D. Your sign-in details come in a separate message, shown once. The services open once your roles are set up.",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
        ],
        "text": "You are invited: your account ada.lovelace@contoso.example is ready. Accept before 2026-12-04 10:32 UTC.",
      }
    `);
  });
});

describe('credentialsMessage', () => {
  const credentials = {
    upn: 'ada.lovelace@contoso.example',
    temporaryPassword: 'Xy7&kq!Pz2_mW9#a',
  };

  it('T1: shows the temporary password once and says to change it at first sign-in', () => {
    const message = credentialsMessage(credentials);

    expect(message).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": ":key: *Sign-in details*
      User name: \`ada.lovelace@contoso.example\`
      Temporary password: \`Xy7&amp;kq!Pz2_mW9#a\`",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "You must change this password at your first sign-in.",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "text": "Shown once: accessdesk does not keep them and cannot show them again.",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
        ],
        "text": "Sign-in details for ada.lovelace@contoso.example are in this message (shown once; open Slack to read them).",
      }
    `);
  });

  it('T2: the notification text never carries the password', () => {
    const message = credentialsMessage(credentials);

    expect(message.text).not.toContain(credentials.temporaryPassword);
  });

  it('T1: a permanent password set by an admin does not ask for a change', () => {
    const message = credentialsMessage({ ...credentials, mustChangeAtFirstSignIn: false });

    expect(JSON.stringify(message.blocks)).toContain('This password is permanent');
  });
});

describe('invitationForRequester', () => {
  it('T2: addressed to the requester, with the one-time link to pass on and no Accept button', () => {
    const message = invitationForRequester({
      requestId: 'REQ-7K3Q9D',
      upn: 'ada.lovelace@contoso.example',
      expiresAt: '2026-12-04T10:32:00.000Z',
      acceptUrl: 'https://accessdesk.example/invitations/tok',
      inviteeName: 'Ada Lovelace',
    });

    expect(message).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": ":envelope: *The account for Ada Lovelace is ready:* \`ada.lovelace@contoso.example\`.
      Ada Lovelace is not in Slack, so the invitation comes to you to pass on privately. They accept it at this one-time link before <!date^1796380320^{date_short_pretty} at {time}|2026-12-04T10:32:00.000Z>:
      <https://accessdesk.example/invitations/tok>",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "text": "Request REQ-7K3Q9D. Their sign-in details follow in a separate message, shown once: hand them over privately too, never in a channel.",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
        ],
        "text": "The account for Ada Lovelace (ada.lovelace@contoso.example) is ready. Pass on the one-time link https://accessdesk.example/invitations/tok before 2026-12-04 10:32 UTC.",
      }
    `);
    expect(JSON.stringify(message)).not.toContain('accept_invitation');
  });

  it('T2: the sign-in details say whose they are when the requester passes them on', () => {
    const message = credentialsMessage({
      upn: 'ada.lovelace@contoso.example',
      temporaryPassword: 'pw',
      forName: 'Ada Lovelace',
    });
    expect(JSON.stringify(message.blocks)).toContain('Sign-in details for Ada Lovelace');
    expect(JSON.stringify(message.blocks)).toContain('Ada Lovelace must change this password');
  });
});
