import { randomBytes } from 'node:crypto';

/** A Block Kit text object. */
export interface TextObject {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}

/** A select option. */
export interface OptionObject {
  text: TextObject;
  value: string;
  description?: TextObject;
}

/** An interactive element (button, select, input); only the fields the workspace reads. */
export interface BlockElement {
  type: string;
  action_id?: string;
  value?: string;
  text?: TextObject;
  options?: OptionObject[];
  option_groups?: Array<{ label: TextObject; options: OptionObject[] }>;
  [key: string]: unknown;
}

/** A layout block; only the fields the workspace reads. */
export interface Block {
  type: string;
  block_id?: string;
  element?: BlockElement;
  elements?: BlockElement[];
  accessory?: BlockElement;
  [key: string]: unknown;
}

/** One entry of `view.state.values[block_id][action_id]`, shaped per element type. */
export type StateValue = Record<string, unknown> & { type: string };

/** What a person entered into one element: text, one value, several values, or nothing. */
export type RawInput = string | string[] | null;

const INTERACTIVE = new Set([
  'button',
  'static_select',
  'multi_static_select',
  'users_select',
  'multi_users_select',
  'conversations_select',
  'channels_select',
  'plain_text_input',
  'email_text_input',
  'url_text_input',
  'number_input',
  'datepicker',
  'checkboxes',
  'radio_buttons',
  'overflow',
  'file_input',
]);

/** Looks up an uploaded file by id, as the `file_input` state carries it. */
export type FileLookup = (fileId: string) => Record<string, unknown> | undefined;

function shortId(): string {
  return randomBytes(4).toString('base64url').replace(/[-_]/g, 'x').slice(0, 5);
}

function elementsOf(block: Block): BlockElement[] {
  if (block.type === 'input' && block.element) return [block.element];
  if (block.type === 'section' && block.accessory) return [block.accessory];
  if (block.type === 'actions' && Array.isArray(block.elements)) return block.elements;
  return [];
}

/** Gives every block a block_id and every interactive element an action_id, as Slack does. */
export function normalizeBlocks(blocks: unknown): Block[] {
  if (!Array.isArray(blocks)) return [];
  return blocks.map((raw) => {
    const block = { ...(raw as Block) };
    block.block_id ??= shortId();
    if (block.type === 'input' && block.element) {
      block.element = withActionId(block.element);
    } else if (block.type === 'section' && block.accessory) {
      block.accessory = withActionId(block.accessory);
    } else if (block.type === 'actions' && Array.isArray(block.elements)) {
      block.elements = block.elements.map(withActionId);
    }
    return block;
  });
}

function withActionId(element: BlockElement): BlockElement {
  if (!INTERACTIVE.has(element.type) || element.action_id) return element;
  return { ...element, action_id: shortId() };
}

/** Finds the element a person interacted with. */
export function findElement(
  blocks: Block[],
  blockId: string,
  actionId: string,
): BlockElement | undefined {
  const block = blocks.find((b) => b.block_id === blockId);
  return block ? elementsOf(block).find((e) => e.action_id === actionId) : undefined;
}

function allOptions(element: BlockElement): OptionObject[] {
  const grouped = (element.option_groups ?? []).flatMap((g) => g.options);
  return [...(element.options ?? []), ...grouped];
}

function option(element: BlockElement, value: string): OptionObject | null {
  return allOptions(element).find((o) => o.value === value) ?? null;
}

/** The value entry Slack reports for `element` given what the person entered. */
export function stateValueFor(
  element: BlockElement,
  input: RawInput,
  fileOf: FileLookup = () => undefined,
): StateValue {
  const values = input === null ? [] : Array.isArray(input) ? input : [input];
  const first = values[0] ?? null;
  switch (element.type) {
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input':
      return { type: element.type, value: first === '' ? null : first };
    case 'static_select':
    case 'radio_buttons':
      return {
        type: element.type,
        selected_option: first === null ? null : option(element, first),
      };
    case 'multi_static_select':
    case 'checkboxes':
      return {
        type: element.type,
        selected_options: values.map((v) => option(element, v)).filter((o) => o !== null),
      };
    case 'users_select':
      return { type: element.type, selected_user: first };
    case 'multi_users_select':
      return { type: element.type, selected_users: values };
    case 'conversations_select':
      return { type: element.type, selected_conversation: first };
    case 'channels_select':
      return { type: element.type, selected_channel: first };
    case 'datepicker':
      return { type: element.type, selected_date: first };
    case 'file_input':
      return { type: element.type, files: values.map(fileOf).filter((f) => f !== undefined) };
    default:
      return { type: element.type, value: first };
  }
}

/** Builds `state.values` for every input element of a surface from what the person entered. */
export function buildStateValues(
  blocks: Block[],
  inputs: Record<string, Record<string, RawInput>>,
  fileOf?: FileLookup,
): Record<string, Record<string, StateValue>> {
  const values: Record<string, Record<string, StateValue>> = {};
  for (const block of blocks) {
    if (!block.block_id) continue;
    const stateful = elementsOf(block).filter((e) => e.type !== 'button' && e.action_id);
    for (const element of stateful) {
      const actionId = element.action_id as string;
      const entered = inputs[block.block_id]?.[actionId];
      const fallback = block.type === 'input' ? initialInput(element) : undefined;
      const input = entered !== undefined ? entered : fallback;
      if (input === undefined) continue;
      values[block.block_id] ??= {};
      values[block.block_id]![actionId] = stateValueFor(element, input, fileOf);
    }
  }
  return values;
}

/** What an element shows before anyone touches it. */
export function initialInput(element: BlockElement): RawInput {
  const e = element as Record<string, unknown>;
  if (typeof e.initial_value === 'string') return e.initial_value;
  if (typeof e.initial_user === 'string') return e.initial_user;
  const one = e.initial_option as OptionObject | undefined;
  if (one) return one.value;
  const many = e.initial_options as OptionObject[] | undefined;
  if (many) return many.map((o) => o.value);
  return null;
}

/** The `actions[0]` entry of a block_actions payload. */
export function buildAction(
  element: BlockElement,
  blockId: string,
  input: RawInput,
  actionTs: string,
): Record<string, unknown> {
  const base = { action_id: element.action_id, block_id: blockId, action_ts: actionTs };
  if (element.type === 'button') {
    const text = element.text ?? { type: 'plain_text', text: '' };
    return { ...base, type: 'button', text, value: element.value, style: element.style };
  }
  const { type: _type, ...shape } = stateValueFor(element, input);
  return { ...base, type: element.type, ...shape };
}
