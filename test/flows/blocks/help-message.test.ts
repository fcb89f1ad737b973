import { describe, expect, it } from 'vitest';
import { helpMessage } from '../../../flows/blocks/help-message.ts';

describe('helpMessage', () => {
  it('lists every command', () => {
    const message = helpMessage();

    expect(message).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": "*accessdesk* — access to Microsoft 365 and Dynamics 365
      \`/access request\` — Request an account for a new hire (or yourself).
      \`/access change\` — Request a change of roles, access mode, license or enablement.
      \`/access offboard @user [YYYY-MM-DD]\` — Close a leaver’s access on that day (or now): sign-in, groups, admin roles, licenses.
      \`/access status [id | @user]\` — Your requests, one request, or those of a person you manage.
      \`/access seats\` — Seats per license (with its SKU id): used, held by invitations, free.
      \`/access seats set <SKU id or name> <n>\` — Set the seats of a license (Global admins).
      \`/access help\` — This help.",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "text": "A Global admin decides every request. Managers follow their reports in App Home.",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
        ],
        "text": "accessdesk commands:
      /access request — Request an account for a new hire (or yourself).
      /access change — Request a change of roles, access mode, license or enablement.
      /access offboard @user [YYYY-MM-DD] — Close a leaver’s access on that day (or now): sign-in, groups, admin roles, licenses.
      /access status [id | @user] — Your requests, one request, or those of a person you manage.
      /access seats — Seats per license (with its SKU id): used, held by invitations, free.
      /access seats set <SKU id or name> <n> — Set the seats of a license (Global admins).
      /access help — This help.",
      }
    `);
  });
});
