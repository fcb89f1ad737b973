// The local workspace page: who am I, channels and DMs, slash commands, modals, App Home.
// It never talks to the bot itself: it asks the workspace server, which signs and posts.
import { h, renderBlocks } from './blocks.js';
import { fileCards, uploadFiles } from './files.js';
import { mrkdwn, textObject } from './mrkdwn.js';

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

const ui = {
  state: null,
  me: null,
  /** { kind: 'conversation', id } or { kind: 'home' } */
  selected: null,
  /** Entered values per view id: { [viewId]: { [blockId]: { [actionId]: value } } } */
  drafts: {},
  /** What each region was last rendered from, to leave unchanged regions (and focus) alone. */
  rendered: {},
  poll: null,
  highlightTs: null,
  /** Uploads still under way per view id; submitting waits for them. */
  uploads: {},
};

function names(id) {
  if (id === ui.state?.botUserId) return ui.state.botName;
  return ui.state?.people.find((p) => p.id === id)?.name;
}

function toast(message, kind = 'error') {
  const el = h('div', { class: `toast ${kind}`, 'data-testid': 'toast', role: 'status' }, message);
  $('toasts').append(el);
  setTimeout(() => el.remove(), 6000);
}

async function post(path, body) {
  try {
    const res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: ui.me, ...body }),
    });
    const result = await res.json();
    if (!result.ok) toast(result.error ?? `HTTP ${res.status}`);
    return result;
  } catch (err) {
    toast(String(err));
    return { ok: false };
  }
}

// ---- polling ---------------------------------------------------------------------------

async function pollLoop() {
  ui.poll?.abort();
  const controller = new AbortController();
  ui.poll = controller;
  let since = null;
  while (!controller.signal.aborted) {
    const query = new URLSearchParams({ user: ui.me ?? '' });
    if (since !== null) query.set('since', String(since));
    try {
      const res = await fetch(`/workspace/state?${query}`, { signal: controller.signal });
      const state = await res.json();
      if (controller.signal.aborted) return;
      since = state.version;
      ui.state = state;
      render();
    } catch {
      if (controller.signal.aborted) return;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

// ---- rendering --------------------------------------------------------------------------

function changed(region, key) {
  const json = JSON.stringify(key);
  if (ui.rendered[region] === json) return false;
  ui.rendered[region] = json;
  return true;
}

function render() {
  const { state } = ui;
  if (!state) return;
  document.body.dataset.user = ui.me ?? '';
  $('team-name').textContent = state.teamName;
  if (!ui.selected || (ui.selected.kind === 'conversation' && !state.messages[ui.selected.id])) {
    ui.selected = { kind: 'conversation', id: state.conversations[0]?.id };
  }
  renderIdentity();
  renderSidebar();
  renderPane();
  renderModal();
}

function renderIdentity() {
  if (!changed('identity', [ui.state.people, ui.me])) return;
  const select = $('identity-switch');
  select.replaceChildren(
    ...ui.state.people.map((p) =>
      h(
        'option',
        { value: p.id, selected: p.id === ui.me },
        p.title ? `${p.name} — ${p.title}` : p.name,
      ),
    ),
  );
}

function navItem(conversation) {
  const selected = ui.selected.kind === 'conversation' && ui.selected.id === conversation.id;
  const count = ui.state.messages[conversation.id]?.length ?? 0;
  const testid =
    conversation.kind === 'dm' ? `dm-${conversation.name}` : `channel-${conversation.name}`;
  return h(
    'button',
    {
      type: 'button',
      class: `nav-item${selected ? ' selected' : ''}`,
      'data-testid': testid,
      'data-channel-id': conversation.id,
      onClick: () => select({ kind: 'conversation', id: conversation.id }),
    },
    h('span', { class: 'nav-icon' }, conversation.kind === 'dm' ? '●' : '#'),
    ` ${conversation.name}`,
    count ? h('span', { class: 'count' }, String(count)) : null,
  );
}

function renderSidebar() {
  const convs = ui.state.conversations;
  const counts = convs.map((c) => ui.state.messages[c.id]?.length ?? 0);
  if (!changed('sidebar', [convs, counts, ui.selected])) return;
  $('channel-list').replaceChildren(...convs.filter((c) => c.kind === 'channel').map(navItem));
  $('dm-list').replaceChildren(...convs.filter((c) => c.kind === 'dm').map(navItem));
  $('app-home-tab').classList.toggle('selected', ui.selected.kind === 'home');
}

function blockCtx(source, errors = {}) {
  const viewId = source.kind === 'view' ? source.viewId : null;
  const draftOf = () => {
    if (!viewId) return {};
    ui.drafts[viewId] ??= {};
    return ui.drafts[viewId];
  };
  return {
    names,
    people: ui.state.people,
    errors,
    value: (blockId, actionId) => draftOf()[blockId]?.[actionId],
    onInput: (blockId, actionId, value) => {
      const draft = draftOf();
      draft[blockId] ??= {};
      draft[blockId][actionId] = value;
    },
    upload: (blockId, actionId, files) => {
      const draft = draftOf();
      const pending = uploadFiles(ui.me, files).then(
        (uploaded) => {
          draft[blockId] ??= {};
          draft[blockId][actionId] = uploaded.map((f) => f.id);
          return uploaded.map((f) => f.name);
        },
        (err) => toast(`Upload failed: ${err.message}`),
      );
      ui.uploads[viewId] = [...(ui.uploads[viewId] ?? []), pending];
      return pending;
    },
    onAction: (blockId, actionId, value) =>
      post('/workspace/action', { source, blockId, actionId, value, inputs: draftOf() }),
  };
}

function formatTs(ts) {
  const date = new Date(Number(ts) * 1000);
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function renderMessage(channel, m) {
  const body = m.blocks?.length
    ? renderBlocks(m.blocks, blockCtx({ kind: 'message', channel, ts: m.ts }))
    : h('div', { class: 'message-text', html: mrkdwn(m.text, names) });
  const files = m.files?.length ? fileCards(m.files) : null;
  const initials = m.userName
    .split(/\s+/)
    .map((w) => w[0])
    .join('')
    .slice(0, 2)
    .toUpperCase();
  return h(
    'article',
    {
      class: `message${m.ephemeral ? ' ephemeral' : ''}${m.ts === ui.highlightTs ? ' highlight' : ''}`,
      'data-testid': 'message',
      'data-ts': m.ts,
      'data-ephemeral': m.ephemeral ? 'true' : 'false',
    },
    h('div', { class: `avatar${m.isBot ? ' bot' : ''}` }, initials),
    h(
      'div',
      { class: 'message-content' },
      h(
        'div',
        { class: 'message-meta' },
        h('span', { class: 'author' }, m.userName),
        m.isBot ? h('span', { class: 'badge' }, 'APP') : null,
        h('span', { class: 'time' }, formatTs(m.ts)),
        m.edited ? h('span', { class: 'edited' }, '(edited)') : null,
      ),
      m.ephemeral
        ? h(
            'div',
            { class: 'ephemeral-label', 'data-testid': 'ephemeral-label' },
            'Only visible to you',
          )
        : null,
      body,
      files,
    ),
  );
}

function renderPane() {
  const { state, selected } = ui;
  const header = $('main-header');
  const pane = $('pane');
  $('composer').hidden = selected.kind === 'home';
  if (selected.kind === 'home') {
    if (!changed('pane', ['home', state.me, state.home])) return;
    header.replaceChildren(h('h2', {}, 'accessdesk'), h('span', { class: 'tab' }, 'Home'));
    const home = state.home;
    pane.replaceChildren(
      h(
        'div',
        { class: 'home', 'data-testid': 'app-home', 'data-view-id': home?.id },
        home
          ? renderBlocks(home.view.blocks, blockCtx({ kind: 'view', viewId: home.id }))
          : h('p', { class: 'muted' }, 'accessdesk has not published a Home tab for you yet.'),
      ),
    );
    return;
  }
  const conversation = state.conversations.find((c) => c.id === selected.id);
  const messages = state.messages[selected.id] ?? [];
  if (!changed('pane', [selected.id, state.me, messages, ui.highlightTs])) return;
  header.replaceChildren(
    h('h2', {}, conversation?.kind === 'dm' ? conversation.name : `# ${conversation?.name ?? ''}`),
  );
  const list = h(
    'div',
    { class: 'messages', 'data-testid': 'message-list', 'data-channel-id': selected.id },
    messages.length
      ? messages.map((m) => renderMessage(selected.id, m))
      : h('p', { class: 'muted empty' }, 'No messages yet. Try a slash command below.'),
  );
  pane.replaceChildren(list);
  const target = ui.highlightTs && list.querySelector(`[data-ts="${ui.highlightTs}"]`);
  (target || list.lastElementChild)?.scrollIntoView({ block: 'end' });
  $('command-input').placeholder =
    `Message ${conversation?.kind === 'dm' ? conversation.name : `#${conversation?.name}`} — try /access request`;
}

function collectInputs(viewId) {
  return ui.drafts[viewId] ?? {};
}

function renderModal() {
  const overlay = $('modal-overlay');
  const modal = ui.state.modal;
  if (!changed('modal', [modal, ui.me])) return;
  if (!modal) {
    overlay.hidden = true;
    overlay.replaceChildren();
    return;
  }
  const { view } = modal;
  const source = { kind: 'view', viewId: modal.id };
  const general = modal.errors[''];
  const submit = async () => {
    await Promise.all(ui.uploads[modal.id] ?? []);
    await post(`/workspace/views/${modal.id}/submit`, { inputs: collectInputs(modal.id) });
  };
  overlay.hidden = false;
  overlay.replaceChildren(
    h(
      'div',
      {
        class: 'modal',
        role: 'dialog',
        'aria-modal': 'true',
        'data-testid': 'modal',
        'data-view-id': modal.id,
        'data-callback-id': view.callback_id ?? '',
        'data-depth': modal.depth,
      },
      h(
        'div',
        { class: 'modal-header' },
        h('h2', { 'data-testid': 'modal-title' }, view.title?.text ?? ''),
        h(
          'button',
          {
            type: 'button',
            class: 'icon-btn',
            'aria-label': 'Close',
            'data-testid': 'modal-dismiss',
            onClick: () => post(`/workspace/views/${modal.id}/close`, {}),
          },
          '✕',
        ),
      ),
      h(
        'div',
        { class: 'modal-body' },
        general ? h('div', { class: 'modal-error', 'data-testid': 'modal-error' }, general) : null,
        renderBlocks(view.blocks, blockCtx(source, modal.errors)),
      ),
      h(
        'div',
        { class: 'modal-footer' },
        h(
          'button',
          {
            type: 'button',
            class: 'btn',
            'data-testid': 'modal-close',
            onClick: () => post(`/workspace/views/${modal.id}/close`, {}),
          },
          view.close?.text ?? 'Cancel',
        ),
        view.submit
          ? h(
              'button',
              {
                type: 'button',
                class: 'btn primary',
                'data-testid': 'modal-submit',
                onClick: submit,
              },
              view.submit.text,
            )
          : null,
      ),
    ),
  );
}

// ---- navigation and commands --------------------------------------------------------------

function select(target) {
  ui.selected = target;
  ui.highlightTs = null;
  render();
  if (target.kind === 'home') post('/workspace/home', {});
}

function setIdentity(userId) {
  ui.me = userId;
  localStorage.setItem('accessdesk.workspace.me', userId);
  const url = new URL(location.href);
  url.searchParams.set('as', userId);
  history.replaceState(null, '', url);
  ui.rendered = {};
  ui.state = null;
  pollLoop();
  if (ui.selected?.kind === 'home') post('/workspace/home', {});
}

function followPermalink() {
  const match = /^#\/archives\/([^/]+)\/p(\d+)(\d{6})$/.exec(location.hash);
  if (!match) return;
  ui.selected = { kind: 'conversation', id: match[1] };
  ui.highlightTs = `${match[2]}.${match[3]}`;
}

async function sendCommand(event) {
  event.preventDefault();
  const input = $('command-input');
  const text = input.value.trim();
  if (!text) return;
  if (!text.startsWith('/')) {
    toast('The local workspace only runs slash commands, e.g. /access request', 'info');
    return;
  }
  if (ui.selected.kind !== 'conversation') return;
  input.value = '';
  const result = await post('/workspace/command', { channel: ui.selected.id, text });
  if (!result.ok) input.value = text;
}

async function start() {
  const res = await fetch('/workspace/state');
  const bare = await res.json();
  const wanted =
    new URL(location.href).searchParams.get('as') ??
    localStorage.getItem('accessdesk.workspace.me');
  const me = bare.people.some((p) => p.id === wanted) ? wanted : bare.people[0]?.id;
  $('identity-switch').addEventListener('change', (e) => setIdentity(e.target.value));
  $('composer').addEventListener('submit', sendCommand);
  $('app-home-tab').addEventListener('click', () => select({ kind: 'home' }));
  window.addEventListener('hashchange', () => {
    followPermalink();
    render();
  });
  followPermalink();
  setIdentity(me);
}

// Exposed for tests and the console: the text renderer only.
window.accessdeskWorkspace = { mrkdwn, textObject };

start();
