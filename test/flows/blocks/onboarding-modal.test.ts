import { describe, expect, it } from 'vitest';
import { onboardingModal } from '../../../flows/blocks/onboarding-modal.ts';
import { CALLBACK } from '../../../flows/ids.ts';
import { tenant } from './fixtures.ts';
import { inputs, values } from './modal-helpers.ts';

describe('onboardingModal', () => {
  it('is the onboarding form with every field of the contract', () => {
    const view = onboardingModal(tenant, { privateMetadata: 'C0CHANNEL' });

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
            "block_id": "first_name",
            "element": {
              "action_id": "first_name",
              "max_length": 64,
              "multiline": false,
              "type": "plain_text_input",
            },
            "label": {
              "text": "First name",
              "type": "plain_text",
            },
            "optional": false,
            "type": "input",
          },
          {
            "block_id": "last_name",
            "element": {
              "action_id": "last_name",
              "max_length": 64,
              "multiline": false,
              "type": "plain_text_input",
            },
            "label": {
              "text": "Last name",
              "type": "plain_text",
            },
            "optional": false,
            "type": "input",
          },
          {
            "block_id": "email",
            "element": {
              "action_id": "email",
              "type": "email_text_input",
            },
            "hint": {
              "text": "Where to reach them; their account name is made from first and last name.",
              "type": "plain_text",
            },
            "label": {
              "text": "Email",
              "type": "plain_text",
            },
            "optional": false,
            "type": "input",
          },
          {
            "block_id": "job_title",
            "element": {
              "action_id": "job_title",
              "max_length": 128,
              "multiline": false,
              "type": "plain_text_input",
            },
            "label": {
              "text": "Job title",
              "type": "plain_text",
            },
            "optional": true,
            "type": "input",
          },
          {
            "block_id": "department",
            "element": {
              "action_id": "department",
              "max_length": 64,
              "multiline": false,
              "type": "plain_text_input",
            },
            "label": {
              "text": "Department",
              "type": "plain_text",
            },
            "optional": true,
            "type": "input",
          },
          {
            "block_id": "office",
            "element": {
              "action_id": "office",
              "max_length": 64,
              "multiline": false,
              "type": "plain_text_input",
            },
            "label": {
              "text": "Office",
              "type": "plain_text",
            },
            "optional": true,
            "type": "input",
          },
          {
            "block_id": "mobile_phone",
            "element": {
              "action_id": "mobile_phone",
              "max_length": 32,
              "multiline": false,
              "type": "plain_text_input",
            },
            "label": {
              "text": "Mobile phone",
              "type": "plain_text",
            },
            "optional": true,
            "type": "input",
          },
          {
            "block_id": "manager",
            "element": {
              "action_id": "manager",
              "type": "users_select",
            },
            "hint": {
              "text": "They will follow this request in App Home.",
              "type": "plain_text",
            },
            "label": {
              "text": "Manager",
              "type": "plain_text",
            },
            "optional": true,
            "type": "input",
          },
          {
            "block_id": "sku",
            "element": {
              "action_id": "sku",
              "options": [
                {
                  "text": {
                    "text": "Microsoft 365 E3",
                    "type": "plain_text",
                  },
                  "value": "m365-e3",
                },
                {
                  "text": {
                    "text": "Dynamics 365 Sales Enterprise",
                    "type": "plain_text",
                  },
                  "value": "d365-sales",
                },
              ],
              "placeholder": {
                "text": "Choose one",
                "type": "plain_text",
              },
              "type": "static_select",
            },
            "label": {
              "text": "License (SKU)",
              "type": "plain_text",
            },
            "optional": false,
            "type": "input",
          },
          {
            "block_id": "environment",
            "dispatch_action": true,
            "element": {
              "action_id": "environment",
              "initial_option": {
                "text": {
                  "text": "Contoso Production",
                  "type": "plain_text",
                },
                "value": "prod",
              },
              "options": [
                {
                  "text": {
                    "text": "Contoso Production",
                    "type": "plain_text",
                  },
                  "value": "prod",
                },
                {
                  "text": {
                    "text": "Contoso UAT",
                    "type": "plain_text",
                  },
                  "value": "uat",
                },
              ],
              "placeholder": {
                "text": "Choose one",
                "type": "plain_text",
              },
              "type": "static_select",
            },
            "label": {
              "text": "Environment",
              "type": "plain_text",
            },
            "optional": false,
            "type": "input",
          },
          {
            "block_id": "business_unit",
            "dispatch_action": true,
            "element": {
              "action_id": "business_unit",
              "initial_option": {
                "text": {
                  "text": "Contoso",
                  "type": "plain_text",
                },
                "value": "contoso",
              },
              "options": [
                {
                  "text": {
                    "text": "Contoso",
                    "type": "plain_text",
                  },
                  "value": "contoso",
                },
              ],
              "placeholder": {
                "text": "Choose one",
                "type": "plain_text",
              },
              "type": "static_select",
            },
            "hint": {
              "text": "Security roles can only come from this unit.",
              "type": "plain_text",
            },
            "label": {
              "text": "Business unit",
              "type": "plain_text",
            },
            "optional": false,
            "type": "input",
          },
          {
            "block_id": "security_roles",
            "element": {
              "action_id": "security_roles",
              "options": [
                {
                  "text": {
                    "text": "Basic User",
                    "type": "plain_text",
                  },
                  "value": "Basic User",
                },
                {
                  "text": {
                    "text": "Salesperson",
                    "type": "plain_text",
                  },
                  "value": "Salesperson",
                },
              ],
              "placeholder": {
                "text": "Choose one or more",
                "type": "plain_text",
              },
              "type": "multi_static_select",
            },
            "hint": {
              "text": "At least one: without a role there is no access.",
              "type": "plain_text",
            },
            "label": {
              "text": "Security roles",
              "type": "plain_text",
            },
            "optional": false,
            "type": "input",
          },
          {
            "block_id": "access_mode",
            "element": {
              "action_id": "access_mode",
              "initial_option": {
                "text": {
                  "text": "Read-Write (default for licensed users)",
                  "type": "plain_text",
                },
                "value": "read_write",
              },
              "options": [
                {
                  "text": {
                    "text": "Read-Write (default for licensed users)",
                    "type": "plain_text",
                  },
                  "value": "read_write",
                },
                {
                  "text": {
                    "text": "Administrative (settings only, no business data)",
                    "type": "plain_text",
                  },
                  "value": "administrative",
                },
                {
                  "text": {
                    "text": "Non-interactive (connectors; limited per environment)",
                    "type": "plain_text",
                  },
                  "value": "non_interactive",
                },
                {
                  "text": {
                    "text": "Application user (server-to-server app identity)",
                    "type": "plain_text",
                  },
                  "value": "application",
                },
              ],
              "placeholder": {
                "text": "Choose one",
                "type": "plain_text",
              },
              "type": "static_select",
            },
            "label": {
              "text": "Access mode",
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
            "hint": {
              "text": "Tenant administration only; granting Global admin takes two Global admins.",
              "type": "plain_text",
            },
            "label": {
              "text": "Admin roles",
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
        "callback_id": "onboarding_request",
        "close": {
          "text": "Cancel",
          "type": "plain_text",
        },
        "private_metadata": "C0CHANNEL",
        "submit": {
          "text": "Send request",
          "type": "plain_text",
        },
        "title": {
          "text": "Request access",
          "type": "plain_text",
        },
        "type": "modal",
      }
    `);
  });

  it('each input has block_id equal to its action_id, exactly the public field ids', () => {
    const view = onboardingModal(tenant);

    expect(view.callback_id).toBe(CALLBACK.onboardingRequest);
    for (const [blockId, block] of inputs(view)) {
      expect((block.element as { action_id: string }).action_id).toBe(blockId);
    }
    expect([...inputs(view).keys()]).toEqual([
      'first_name',
      'last_name',
      'email',
      'job_title',
      'department',
      'office',
      'mobile_phone',
      'manager',
      'sku',
      'environment',
      'business_unit',
      'security_roles',
      'access_mode',
      'admin_roles',
      'justification',
    ]);
  });

  it('S3: business units follow the chosen environment, roles the chosen unit', () => {
    const view = onboardingModal(tenant, {
      selection: { environment: 'uat', businessUnit: 'emea' },
    });

    expect(values(view, 'environment')).toEqual(['prod', 'uat']);
    expect(values(view, 'business_unit')).toEqual(['contoso-uat', 'emea']);
    expect(values(view, 'security_roles')).toEqual(['Salesperson', 'Sales Manager']);
    expect(inputs(view).get('business_unit')?.element).toMatchObject({
      initial_option: { value: 'emea' },
    });
  });

  it('without a choice, the first environment and its first unit are offered', () => {
    const view = onboardingModal(tenant);

    expect(values(view, 'business_unit')).toEqual(['contoso']);
    expect(values(view, 'security_roles')).toEqual(['Basic User', 'Salesperson']);
  });

  it('keeps within Slack limits: at most 100 options, option text at most 75 characters', () => {
    const many = {
      ...tenant,
      adminRoles: Array.from({ length: 130 }, (_, i) => `Role ${i} ${'x'.repeat(80)}`),
    };

    const view = onboardingModal(many);
    const element = inputs(view).get('admin_roles')?.element as {
      options: Array<{ text: { text: string }; value: string }>;
    };

    expect(element.options).toHaveLength(100);
    expect(Math.max(...element.options.map((o) => o.text.text.length))).toBe(75);
  });

  it('a unit without roles says so instead of an empty select Slack would refuse', () => {
    const bare = {
      ...tenant,
      environments: [
        { id: 'dev', name: 'Dev', businessUnits: [{ id: 'bu', name: 'BU', roles: [] }] },
      ],
    };

    const view = onboardingModal(bare);

    expect(inputs(view).has('security_roles')).toBe(false);
    expect(JSON.stringify(view.blocks)).toContain('this business unit has no security role.');
  });
});
