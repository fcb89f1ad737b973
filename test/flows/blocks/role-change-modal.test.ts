import { describe, expect, it } from 'vitest';
import { roleChangeModal } from '../../../flows/blocks/role-change-modal.ts';
import { CALLBACK, CHANGE_KIND_VALUES } from '../../../flows/ids.ts';
import { tenant } from './fixtures.ts';
import { inputs, values } from './modal-helpers.ts';

describe('roleChangeModal', () => {
  it('granting admin roles asks for the person, the change, the roles and why', () => {
    const view = roleChangeModal(tenant, { selection: { changeKind: 'admin_roles_grant' } });

    expect(view).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "elements": [
              {
                "text": "A Global admin approves or denies. You will get a message at every step.",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
          {
            "block_id": "subject_user",
            "element": {
              "action_id": "subject_user",
              "type": "users_select",
            },
            "label": {
              "text": "Person",
              "type": "plain_text",
            },
            "optional": true,
            "type": "input",
          },
          {
            "block_id": "subject_email",
            "element": {
              "action_id": "subject_email",
              "type": "email_text_input",
            },
            "label": {
              "text": "Or their email, if they are not in Slack",
              "type": "plain_text",
            },
            "optional": true,
            "type": "input",
          },
          {
            "block_id": "change_kind",
            "dispatch_action": true,
            "element": {
              "action_id": "change_kind",
              "initial_option": {
                "text": {
                  "text": "Grant admin roles",
                  "type": "plain_text",
                },
                "value": "admin_roles_grant",
              },
              "options": [
                {
                  "text": {
                    "text": "Add security roles",
                    "type": "plain_text",
                  },
                  "value": "security_roles_add",
                },
                {
                  "text": {
                    "text": "Remove security roles",
                    "type": "plain_text",
                  },
                  "value": "security_roles_remove",
                },
                {
                  "text": {
                    "text": "Grant admin roles",
                    "type": "plain_text",
                  },
                  "value": "admin_roles_grant",
                },
                {
                  "text": {
                    "text": "Revoke admin roles",
                    "type": "plain_text",
                  },
                  "value": "admin_roles_revoke",
                },
                {
                  "text": {
                    "text": "Change access mode",
                    "type": "plain_text",
                  },
                  "value": "access_mode",
                },
                {
                  "text": {
                    "text": "Add a license",
                    "type": "plain_text",
                  },
                  "value": "license_add",
                },
                {
                  "text": {
                    "text": "Remove a license",
                    "type": "plain_text",
                  },
                  "value": "license_remove",
                },
                {
                  "text": {
                    "text": "Enable in an environment",
                    "type": "plain_text",
                  },
                  "value": "enable",
                },
                {
                  "text": {
                    "text": "Disable in an environment",
                    "type": "plain_text",
                  },
                  "value": "disable",
                },
              ],
              "placeholder": {
                "text": "Choose one",
                "type": "plain_text",
              },
              "type": "static_select",
            },
            "hint": {
              "text": "Granting Global admin takes two different Global admins.",
              "type": "plain_text",
            },
            "label": {
              "text": "Change",
              "type": "plain_text",
            },
            "optional": false,
            "type": "input",
          },
          {
            "block_id": "admin_roles",
            "element": {
              "action_id": "admin_roles",
              "options": [
                {
                  "text": {
                    "text": "Global admin",
                    "type": "plain_text",
                  },
                  "value": "Global admin",
                },
                {
                  "text": {
                    "text": "Billing admin",
                    "type": "plain_text",
                  },
                  "value": "Billing admin",
                },
                {
                  "text": {
                    "text": "Password admin",
                    "type": "plain_text",
                  },
                  "value": "Password admin",
                },
              ],
              "placeholder": {
                "text": "Choose one or more",
                "type": "plain_text",
              },
              "type": "multi_static_select",
            },
            "label": {
              "text": "Admin roles",
              "type": "plain_text",
            },
            "optional": false,
            "type": "input",
          },
          {
            "block_id": "duration",
            "element": {
              "action_id": "duration",
              "initial_option": {
                "text": {
                  "text": "Until revoked",
                  "type": "plain_text",
                },
                "value": "revoked",
              },
              "options": [
                {
                  "text": {
                    "text": "Until revoked",
                    "type": "plain_text",
                  },
                  "value": "revoked",
                },
                {
                  "text": {
                    "text": "1 hour",
                    "type": "plain_text",
                  },
                  "value": "1h",
                },
                {
                  "text": {
                    "text": "8 hours",
                    "type": "plain_text",
                  },
                  "value": "8h",
                },
                {
                  "text": {
                    "text": "1 day",
                    "type": "plain_text",
                  },
                  "value": "1d",
                },
                {
                  "text": {
                    "text": "7 days",
                    "type": "plain_text",
                  },
                  "value": "7d",
                },
                {
                  "text": {
                    "text": "30 days",
                    "type": "plain_text",
                  },
                  "value": "30d",
                },
                {
                  "text": {
                    "text": "90 days",
                    "type": "plain_text",
                  },
                  "value": "90d",
                },
                {
                  "text": {
                    "text": "Until a date",
                    "type": "plain_text",
                  },
                  "value": "date",
                },
              ],
              "placeholder": {
                "text": "Choose one",
                "type": "plain_text",
              },
              "type": "static_select",
            },
            "hint": {
              "text": "The time starts when the change is applied. You are warned before it ends.",
              "type": "plain_text",
            },
            "label": {
              "text": "For how long",
              "type": "plain_text",
            },
            "optional": false,
            "type": "input",
          },
          {
            "block_id": "until_date",
            "element": {
              "action_id": "until_date",
              "type": "datepicker",
            },
            "label": {
              "text": "Until (with "Until a date")",
              "type": "plain_text",
            },
            "optional": true,
            "type": "input",
          },
          {
            "block_id": "justification",
            "element": {
              "action_id": "justification",
              "max_length": 1000,
              "multiline": true,
              "type": "plain_text_input",
            },
            "label": {
              "text": "Justification",
              "type": "plain_text",
            },
            "optional": false,
            "type": "input",
          },
        ],
        "callback_id": "role_change_request",
        "close": {
          "text": "Cancel",
          "type": "plain_text",
        },
        "private_metadata": "",
        "submit": {
          "text": "Send request",
          "type": "plain_text",
        },
        "title": {
          "text": "Change access",
          "type": "plain_text",
        },
        "type": "modal",
      }
    `);
  });

  it('before a kind is chosen, shows every field of the contract, each optional', () => {
    const view = roleChangeModal(tenant);

    expect(view.callback_id).toBe(CALLBACK.roleChangeRequest);
    expect([...inputs(view).keys()]).toEqual([
      'subject_user',
      'subject_email',
      'change_kind',
      'environment',
      'security_roles',
      'admin_roles',
      'access_mode',
      'sku',
      'duration',
      'until_date',
      'justification',
    ]);
    for (const [blockId, block] of inputs(view)) {
      expect((block.element as { action_id: string }).action_id).toBe(blockId);
      if (!['change_kind', 'justification'].includes(blockId ?? ''))
        expect(block.optional).toBe(true);
    }
    expect(values(view, 'change_kind')).toEqual([...CHANGE_KIND_VALUES]);
  });

  it('a chosen kind shows only its fields, required', () => {
    const view = roleChangeModal(tenant, {
      selection: { changeKind: 'security_roles_add', environment: 'uat' },
    });

    expect([...inputs(view).keys()]).toEqual([
      'subject_user',
      'subject_email',
      'change_kind',
      'environment',
      'security_roles',
      'duration',
      'until_date',
      'justification',
    ]);
    expect(inputs(view).get('security_roles')?.optional).toBe(false);
    expect(values(view, 'security_roles')).toEqual([
      'Basic User',
      'System Customizer',
      'Salesperson',
      'Sales Manager',
    ]);
  });

  it('S6: removing security roles warns that it is not the way to cut access', () => {
    const view = roleChangeModal(tenant, { selection: { changeKind: 'security_roles_remove' } });

    expect(inputs(view).get('change_kind')?.hint?.text).toContain('to cut access, choose Disable');
  });
});
