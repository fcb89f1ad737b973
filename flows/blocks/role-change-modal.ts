import { GRANT_DURATIONS } from '../../src/tenant/grant-limits.rules.ts';
import { CALLBACK, CHANGE_KIND_VALUES, type ChangeKindValue, type FieldId } from '../ids.ts';
import {
  accessModeSelect,
  adminRoleOptions,
  chosenEnvironment,
  environmentOptions,
  errorBlocks,
  input,
  multiSelect,
  skuOptions,
  staticSelect,
  textInput,
} from './inputs.ts';
import { context, LIMIT, option, plain, truncate } from './kit.ts';
import type { Block, FieldErrors, ModalView, TenantOptions } from './types.ts';

/** What the requester already chose; the modal shows the fields that kind of change needs. */
export interface RoleChangeSelection {
  changeKind?: ChangeKindValue;
  environment?: string;
}

/** The modal's options beside the tenant. */
export interface RoleChangeModalOptions {
  selection?: RoleChangeSelection;
  errors?: FieldErrors;
  privateMetadata?: string;
}

const KIND_LABELS: Record<ChangeKindValue, string> = {
  security_roles_add: 'Add security roles',
  security_roles_remove: 'Remove security roles',
  admin_roles_grant: 'Grant admin roles',
  admin_roles_revoke: 'Revoke admin roles',
  access_mode: 'Change access mode',
  license_add: 'Add a license',
  license_remove: 'Remove a license',
  enable: 'Enable in an environment',
  disable: 'Disable in an environment',
};

/** The fields each kind of change needs besides the person, the kind and the justification. */
const KIND_FIELDS: Record<ChangeKindValue, FieldId[]> = {
  security_roles_add: ['environment', 'security_roles'],
  security_roles_remove: ['environment', 'security_roles'],
  admin_roles_grant: ['admin_roles'],
  admin_roles_revoke: ['admin_roles'],
  access_mode: ['environment', 'access_mode'],
  license_add: ['sku'],
  license_remove: ['sku'],
  enable: ['environment'],
  disable: ['environment'],
};

const KIND_HINTS: Partial<Record<ChangeKindValue, string>> = {
  security_roles_remove:
    'Removing every role blocks access but keeps the license and the user enabled; to cut access, choose Disable.',
  admin_roles_grant: 'Granting Global admin takes two different Global admins.',
  disable: "Removes them from the environment's security group, the recommended way.",
  enable: 'A disabled user gets a new invitation to accept.',
  license_add: 'Waits for a free seat if there is none.',
};

/** Every role of the environment's business units, once each (the unit is checked on submit). */
function roleOptions(env: TenantOptions['environments'][number] | undefined) {
  const roles = new Set((env?.businessUnits ?? []).flatMap((unit) => unit.roles));
  return [...roles].map((role) => option(role, role));
}

/** Kinds of change that can be time-bound: they give something (roles, a license). */
export const TIME_BOUND_KINDS: readonly ChangeKindValue[] = [
  'security_roles_add',
  'admin_roles_grant',
  'license_add',
];

/** "For how long": until revoked (the default), a duration, or until a date. */
function durationFields(optional: boolean): Block[] {
  const choices = Object.entries(GRANT_DURATIONS).map(([value, d]) => option(d.label, value));
  return [
    staticSelect('duration', 'For how long', choices, {
      initial: 'revoked',
      optional,
      hint: 'The time starts when the change is applied. You are warned before it ends.',
      empty: 'none',
    }),
    input('until_date', 'Until (with "Until a date")', { type: 'datepicker' }, { optional: true }),
  ];
}

/** The blocks of the fields a change needs; all of them, optional, before a kind is chosen. */
function changeFields(tenant: TenantOptions, selection: RoleChangeSelection): Block[] {
  const kind = selection.changeKind;
  const wanted = new Set(kind ? KIND_FIELDS[kind] : Object.values(KIND_FIELDS).flat());
  const optional = !kind;
  const env = chosenEnvironment(tenant, selection.environment);
  const fields: Array<[FieldId, () => Block]> = [
    [
      'environment',
      () =>
        staticSelect('environment', 'Environment', environmentOptions(tenant), {
          initial: env?.id,
          dispatch: true,
          optional,
          empty: 'the tenant has no environment.',
        }),
    ],
    [
      'security_roles',
      () =>
        multiSelect('security_roles', 'Security roles', roleOptions(env), {
          optional,
          hint: 'Only roles of their own business unit can be given.',
          empty: 'this environment has no security role.',
        }),
    ],
    [
      'admin_roles',
      () =>
        multiSelect('admin_roles', 'Admin roles', adminRoleOptions(tenant), {
          optional,
          empty: 'none defined.',
        }),
    ],
    ['access_mode', () => accessModeSelect({ optional })],
    [
      'sku',
      () =>
        staticSelect('sku', 'License (SKU)', skuOptions(tenant), {
          optional,
          empty: 'the tenant has no SKU.',
        }),
    ],
  ];
  const timed = !kind || TIME_BOUND_KINDS.includes(kind);
  return [
    ...fields.filter(([field]) => wanted.has(field)).map(([, block]) => block()),
    ...(timed ? durationFields(optional) : []),
  ];
}

/**
 * The role-change modal (callback `role_change_request`): who (a Slack user, or an email for
 * someone not in Slack), the kind of change (it dispatches an action so the modal can show only
 * that kind's fields), those fields and a justification.
 */
export function roleChangeModal(
  tenant: TenantOptions,
  { selection = {}, errors, privateMetadata = '' }: RoleChangeModalOptions = {},
): ModalView {
  const kinds = CHANGE_KIND_VALUES.map((kind) => option(KIND_LABELS[kind], kind));
  const hint = selection.changeKind && KIND_HINTS[selection.changeKind];
  return {
    type: 'modal',
    callback_id: CALLBACK.roleChangeRequest,
    title: plain('Change access', LIMIT.modalTitle),
    submit: plain('Send request', LIMIT.modalTitle),
    close: plain('Cancel', LIMIT.modalTitle),
    private_metadata: truncate(privateMetadata, LIMIT.privateMetadata),
    blocks: [
      ...errorBlocks(errors),
      context('A Global admin approves or denies. You will get a message at every step.'),
      input('subject_user', 'Person', { type: 'users_select' }, { optional: true }),
      input(
        'subject_email',
        'Or their email, if they are not in Slack',
        {
          type: 'email_text_input',
        },
        { optional: true },
      ),
      staticSelect('change_kind', 'Change', kinds, {
        initial: selection.changeKind,
        dispatch: true,
        ...(hint ? { hint } : {}),
        empty: 'none',
      }),
      ...changeFields(tenant, selection),
      textInput('justification', 'Justification', { multiline: true, maxLength: 1000 }),
    ],
  };
}
