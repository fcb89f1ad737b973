// Block Kit renderer for the local workspace: turns a surface's blocks into DOM.
// Every interactive element carries data-block-id and data-action-id for tests.
import { escapeHtml, textObject } from './mrkdwn.js';

/** Creates an element with attributes (`on*` functions become listeners) and children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'html') {
      el.innerHTML = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const plain = (obj) => (obj && typeof obj === 'object' ? (obj.text ?? '') : (obj ?? ''));

function ids(block, element) {
  return { 'data-block-id': block.block_id, 'data-action-id': element.action_id };
}

function optionList(element) {
  return [
    ...(element.options ?? []),
    ...(element.option_groups ?? []).flatMap((g) => g.options ?? []),
  ];
}

function initialValue(element) {
  if (typeof element.initial_value === 'string') return element.initial_value;
  if (typeof element.initial_user === 'string') return element.initial_user;
  if (element.initial_option) return element.initial_option.value;
  if (element.initial_options) return element.initial_options.map((o) => o.value);
  return null;
}

function current(block, element, ctx) {
  const draft = ctx.value?.(block.block_id, element.action_id);
  return draft !== undefined ? draft : initialValue(element);
}

// Inside an input block a change only reaches the app when the block asks for it, as in Slack.
function dispatches(block) {
  return block.type !== 'input' || block.dispatch_action === true;
}

function optionNodes(element, selected) {
  const isSelected = (v) => (Array.isArray(selected) ? selected.includes(v) : selected === v);
  const option = (o) =>
    h('option', { value: o.value, selected: isSelected(o.value) }, plain(o.text));
  if (element.option_groups) {
    return element.option_groups.map((g) =>
      h('optgroup', { label: plain(g.label) }, (g.options ?? []).map(option)),
    );
  }
  return (element.options ?? []).map(option);
}

function renderSelect(block, element, ctx) {
  const multi = element.type.startsWith('multi_');
  const selected = current(block, element, ctx);
  const options = element.type.endsWith('users_select')
    ? ctx.people.map((p) => ({ value: p.id, text: { type: 'plain_text', text: p.name } }))
    : null;
  const nodes = options ? optionNodes({ options }, selected) : optionNodes(element, selected);
  const placeholder = plain(element.placeholder) || (multi ? 'Select options' : 'Select an item');
  const count = options ? options.length : optionList(element).length;
  const select = h(
    'select',
    {
      class: multi ? 'select multi' : 'select',
      multiple: multi,
      size: multi ? Math.min(Math.max(count, 2), 6) : undefined,
      'aria-label': placeholder,
      ...ids(block, element),
      'data-element-type': element.type,
    },
    multi ? null : h('option', { value: '', selected: selected == null }, placeholder),
    nodes,
  );
  select.addEventListener('change', () => {
    const value = multi
      ? [...select.selectedOptions].map((o) => o.value)
      : select.value === ''
        ? null
        : select.value;
    ctx.onInput(block.block_id, element.action_id, value);
    if (dispatches(block)) ctx.onAction(block.block_id, element.action_id, value);
  });
  return select;
}

function renderTextInput(block, element, ctx) {
  const value = current(block, element, ctx) ?? '';
  const attrs = {
    class: 'text-input',
    placeholder: plain(element.placeholder),
    maxlength: element.max_length,
    ...ids(block, element),
    'data-element-type': element.type,
  };
  const type = {
    email_text_input: 'email',
    url_text_input: 'url',
    number_input: 'number',
    datepicker: 'date',
  };
  const input = element.multiline
    ? h('textarea', { ...attrs, rows: 4 }, value)
    : h('input', { ...attrs, type: type[element.type] ?? 'text', value });
  input.addEventListener('input', () =>
    ctx.onInput(block.block_id, element.action_id, input.value),
  );
  return input;
}

function renderButton(block, element, ctx) {
  const style = element.style === 'primary' || element.style === 'danger' ? element.style : '';
  const button = h(
    'button',
    {
      type: 'button',
      class: `btn ${style}`.trim(),
      ...ids(block, element),
      'data-value': element.value,
    },
    plain(element.text),
  );
  button.addEventListener('click', () => {
    if (element.url) window.open(element.url, '_blank', 'noreferrer');
    ctx.onAction(block.block_id, element.action_id, null);
  });
  return button;
}

// A real file chooser: the chosen files are uploaded at once and the block's value becomes
// their ids, which the workspace turns into Slack's `files: [{ id, … }]` on submit.
function renderFileInput(block, element, ctx) {
  const accept = (element.filetypes ?? []).map((t) => `.${t}`).join(',');
  const input = h('input', {
    type: 'file',
    class: 'file-input',
    accept: accept || undefined,
    multiple: (element.max_files ?? 10) > 1,
    ...ids(block, element),
    'data-element-type': element.type,
  });
  const status = h('span', { class: 'file-status', 'data-testid': 'file-status' });
  input.addEventListener('change', async () => {
    status.textContent = input.files.length ? 'Uploading…' : '';
    const names = await ctx.upload(block.block_id, element.action_id, [...input.files]);
    status.textContent = names ? `Uploaded ${names.join(', ')}` : 'Upload failed';
  });
  return h('div', { class: 'file-input-wrap' }, input, status);
}

/** Renders one interactive element. */
export function renderElement(block, element, ctx) {
  switch (element.type) {
    case 'button':
      return renderButton(block, element, ctx);
    case 'static_select':
    case 'multi_static_select':
    case 'users_select':
    case 'multi_users_select':
      return renderSelect(block, element, ctx);
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input':
    case 'datepicker':
      return renderTextInput(block, element, ctx);
    case 'file_input':
      return renderFileInput(block, element, ctx);
    case 'image':
      return h('img', { class: 'accessory-image', src: element.image_url, alt: element.alt_text });
    default:
      return h('span', { class: 'unsupported' }, `[${element.type}]`);
  }
}

function renderSection(block, ctx) {
  const body = h('div', { class: 'section-body' });
  if (block.text)
    body.append(h('div', { class: 'section-text', html: textObject(block.text, ctx.names) }));
  if (block.fields?.length) {
    body.append(
      h(
        'div',
        { class: 'section-fields' },
        block.fields.map((f) => h('div', { class: 'field', html: textObject(f, ctx.names) })),
      ),
    );
  }
  const accessory = block.accessory ? renderElement(block, block.accessory, ctx) : null;
  return [body, accessory && h('div', { class: 'accessory' }, accessory)];
}

function renderInput(block, ctx) {
  const label = h(
    'label',
    { class: 'input-label' },
    plain(block.label),
    block.optional ? h('span', { class: 'optional' }, ' (optional)') : null,
  );
  const parts = [label, renderElement(block, block.element, ctx)];
  if (block.hint) parts.push(h('div', { class: 'hint' }, plain(block.hint)));
  return parts;
}

function renderContext(block, ctx) {
  return (block.elements ?? []).map((e) =>
    e.type === 'image'
      ? h('img', { class: 'context-image', src: e.image_url, alt: e.alt_text })
      : h('span', { class: 'context-text', html: textObject(e, ctx.names) }),
  );
}

function renderBlock(block, ctx) {
  switch (block.type) {
    case 'header':
      return [h('h3', { class: 'header' }, plain(block.text))];
    case 'section':
      return renderSection(block, ctx);
    case 'divider':
      return [h('hr')];
    case 'context':
      return renderContext(block, ctx);
    case 'actions':
      return (block.elements ?? []).map((e) => renderElement(block, e, ctx));
    case 'input':
      return renderInput(block, ctx);
    case 'image':
      return [
        block.title ? h('div', { class: 'image-title' }, plain(block.title)) : null,
        h('img', { class: 'block-image', src: block.image_url, alt: block.alt_text }),
      ];
    default:
      return [
        h('span', { class: 'unsupported' }, `[unsupported block: ${escapeHtml(block.type)}]`),
      ];
  }
}

/** Renders a list of blocks; `ctx.errors[block_id]` shows under that block. */
export function renderBlocks(blocks, ctx) {
  const root = h('div', { class: 'blocks' });
  for (const block of blocks ?? []) {
    const error = ctx.errors?.[block.block_id];
    root.append(
      h(
        'div',
        {
          class: `block block-${block.type}${error ? ' has-error' : ''}`,
          'data-block-id': block.block_id,
          'data-block-type': block.type,
        },
        renderBlock(block, ctx),
        error ? h('div', { class: 'block-error', 'data-testid': 'block-error' }, error) : null,
      ),
    );
  }
  return root;
}
