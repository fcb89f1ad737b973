/** Input blocks for the request modals: `block_id` and element `action_id` are the same field id. */
import { ACCESS_MODE_VALUES, type AccessModeValue, type FieldId } from '../ids.ts';
import { LIMIT, option, plain, section } from './kit.ts';
import type { Block, FieldErrors, Option, TenantOptions } from './types.ts';

/** What the shared input helpers accept besides the field id and label. */
export interface InputOptions {
  optional?: boolean;
  hint?: string;
  /** Send a block action when the value changes, so the modal can update the dependent fields. */
  dispatch?: boolean;
}

type Element = Extract<Block, { type: 'input' }>['element'];

/** An input block whose block_id and action_id are both `field`. */
export function input(field: FieldId, label: string, element: Element, opts: InputOptions = {}) {
  return {
    type: 'input',
    block_id: field,
    label: plain(label, LIMIT.label),
    element: { ...element, action_id: field },
    optional: opts.optional ?? false,
    ...(opts.hint ? { hint: plain(opts.hint, LIMIT.hint) } : {}),
    ...(opts.dispatch ? { dispatch_action: true } : {}),
  } as Block;
}

/** A one-line (or multiline) plain text input. */
export function textInput(
  field: FieldId,
  label: string,
  opts: InputOptions & { multiline?: boolean; maxLength?: number; placeholder?: string } = {},
): Block {
  return input(
    field,
    label,
    {
      type: 'plain_text_input',
      multiline: opts.multiline ?? false,
      max_length: opts.maxLength ?? 150,
      ...(opts.placeholder ? { placeholder: plain(opts.placeholder, LIMIT.placeholder) } : {}),
    },
    opts,
  );
}

/** At most Slack's 100 options per select. */
function capped(options: Option[]): Option[] {
  return options.slice(0, LIMIT.optionsPerSelect);
}

/**
 * A static select, or a line saying there is nothing to choose (Slack refuses a select without
 * options); `initial` is kept only when it is one of the options.
 */
export function staticSelect(
  field: FieldId,
  label: string,
  options: Option[],
  opts: InputOptions & { initial?: string; empty: string },
): Block {
  if (options.length === 0) return section(`*${label}*: ${opts.empty}`);
  const shown = capped(options);
  const initial = shown.find((o) => o.value === opts.initial);
  return input(
    field,
    label,
    {
      type: 'static_select',
      options: shown,
      placeholder: plain('Choose one', LIMIT.placeholder),
      ...(initial ? { initial_option: initial } : {}),
    },
    opts,
  );
}

/** A multi static select, or a line saying there is nothing to choose. */
export function multiSelect(
  field: FieldId,
  label: string,
  options: Option[],
  opts: InputOptions & { empty: string },
): Block {
  if (options.length === 0) return section(`*${label}*: ${opts.empty}`);
  return input(
    field,
    label,
    {
      type: 'multi_static_select',
      options: capped(options),
      placeholder: plain('Choose one or more', LIMIT.placeholder),
    },
    opts,
  );
}

const ACCESS_MODE_LABELS: Record<AccessModeValue, string> = {
  read_write: 'Read-Write (default for licensed users)',
  administrative: 'Administrative (settings only, no business data)',
  non_interactive: 'Non-interactive (connectors; limited per environment)',
  application: 'Application user (server-to-server app identity)',
};

/** The access modes M1–M4; Read-Write is preselected unless `initial` says otherwise. */
export function accessModeSelect(opts: InputOptions & { initial?: AccessModeValue } = {}): Block {
  const options = ACCESS_MODE_VALUES.map((v) => option(ACCESS_MODE_LABELS[v], v));
  return staticSelect('access_mode', 'Access mode', options, {
    ...opts,
    initial: opts.initial ?? 'read_write',
    empty: 'none',
  });
}

/** The SKUs of the tenant file (option values are their ids). */
export function skuOptions(tenant: TenantOptions): Option[] {
  return tenant.skus.map((sku) => option(sku.name, sku.id));
}

/** The environments of the tenant file. */
export function environmentOptions(tenant: TenantOptions): Option[] {
  return tenant.environments.map((env) => option(env.name, env.id));
}

/** The admin roles (A2). */
export function adminRoleOptions(tenant: TenantOptions): Option[] {
  return tenant.adminRoles.map((role) => option(role, role));
}

/** The chosen environment, or the first one. */
export function chosenEnvironment(tenant: TenantOptions, id?: string) {
  return tenant.environments.find((env) => env.id === id) ?? tenant.environments[0];
}

/** A field's error, shown at the top of the modal when it is rebuilt (Slack shows none there). */
export function errorBlocks(errors: FieldErrors = {}): Block[] {
  const lines = Object.values(errors).filter((e): e is string => Boolean(e));
  return lines.length > 0 ? [section(lines.map((l) => `:warning: ${l}`).join('\n'))] : [];
}
