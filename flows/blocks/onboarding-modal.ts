import { CALLBACK } from '../ids.ts';
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

/** What the requester already chose; the dependent selects follow it. */
export interface OnboardingSelection {
  environment?: string;
  businessUnit?: string;
}

/** The modal's options beside the tenant. */
export interface OnboardingModalOptions {
  selection?: OnboardingSelection;
  /** Problems to show at the top when the modal is rebuilt. */
  errors?: FieldErrors;
  /** Carried back on submit (e.g. the channel to answer in). */
  privateMetadata?: string;
}

/** The profile fields of the new hire (T3). */
function profileBlocks(): Block[] {
  return [
    textInput('first_name', 'First name', { maxLength: 64 }),
    textInput('last_name', 'Last name', { maxLength: 64 }),
    input(
      'email',
      'Email',
      { type: 'email_text_input' },
      {
        hint: 'Where to reach them; their account name is made from first and last name.',
      },
    ),
    textInput('job_title', 'Job title', { optional: true, maxLength: 128 }),
    textInput('department', 'Department', { optional: true, maxLength: 64 }),
    textInput('office', 'Office', { optional: true, maxLength: 64 }),
    textInput('mobile_phone', 'Mobile phone', { optional: true, maxLength: 32 }),
    input(
      'manager',
      'Manager',
      { type: 'users_select' },
      {
        optional: true,
        hint: 'They will follow this request in App Home.',
      },
    ),
  ];
}

/**
 * The onboarding request modal (callback `onboarding_request`). Business units are the chosen
 * environment's (or the first one's); security roles are the chosen unit's (S3). Environment
 * and business unit dispatch an action so the modal can be rebuilt with the dependent options.
 */
export function onboardingModal(
  tenant: TenantOptions,
  { selection = {}, errors, privateMetadata = '' }: OnboardingModalOptions = {},
): ModalView {
  const env = chosenEnvironment(tenant, selection.environment);
  const units = env?.businessUnits ?? [];
  const unit = units.find((u) => u.id === selection.businessUnit) ?? units[0];
  return {
    type: 'modal',
    callback_id: CALLBACK.onboardingRequest,
    title: plain('Request access', LIMIT.modalTitle),
    submit: plain('Send request', LIMIT.modalTitle),
    close: plain('Cancel', LIMIT.modalTitle),
    private_metadata: truncate(privateMetadata, LIMIT.privateMetadata),
    blocks: [
      ...errorBlocks(errors),
      context('A Global admin approves or denies. You will get a message at every step.'),
      ...profileBlocks(),
      staticSelect('sku', 'License (SKU)', skuOptions(tenant), {
        empty: 'the tenant has no SKU; ask a Global admin.',
      }),
      staticSelect('environment', 'Environment', environmentOptions(tenant), {
        initial: env?.id,
        dispatch: true,
        empty: 'the tenant has no environment; ask a Global admin.',
      }),
      staticSelect(
        'business_unit',
        'Business unit',
        units.map((u) => option(u.name, u.id)),
        {
          initial: unit?.id,
          dispatch: true,
          hint: 'Security roles can only come from this unit.',
          empty: 'this environment has no business unit.',
        },
      ),
      multiSelect(
        'security_roles',
        'Security roles',
        (unit?.roles ?? []).map((r) => option(r, r)),
        {
          hint: 'At least one: without a role there is no access.',
          empty: 'this business unit has no security role.',
        },
      ),
      accessModeSelect(),
      multiSelect('admin_roles', 'Admin roles', adminRoleOptions(tenant), {
        optional: true,
        hint: 'Tenant administration only; granting Global admin takes two Global admins.',
        empty: 'none defined.',
      }),
      textInput('justification', 'Justification', { multiline: true, maxLength: 1000 }),
    ],
  };
}
