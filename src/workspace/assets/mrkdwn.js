// Slack mrkdwn to HTML: *bold*, _italic_, ~strike~, `code`, ```pre```, > quotes,
// <url|text> links, <@U123> mentions, <#C123|name> channels, <!here>, newlines.

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML. */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

// Slack sends &amp; &lt; &gt; in mrkdwn; undo them before escaping once.
function unescapeSlack(text) {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

// The shortcodes a bot is likely to use; anything else stays as written.
const EMOJI = {
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  x: '❌',
  no_entry: '⛔',
  no_entry_sign: '🚫',
  warning: '⚠️',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  lock: '🔒',
  unlock: '🔓',
  key: '🔑',
  bust_in_silhouette: '👤',
  busts_in_silhouette: '👥',
  mailbox: '📫',
  email: '📧',
  envelope: '✉️',
  clock3: '🕒',
  calendar: '📆',
  memo: '📝',
  bell: '🔔',
  information_source: 'ℹ️',
  question: '❓',
  exclamation: '❗',
  tada: '🎉',
  wave: '👋',
  eyes: '👀',
  arrows_counterclockwise: '🔄',
  large_green_circle: '🟢',
  large_yellow_circle: '🟡',
  red_circle: '🔴',
  office: '🏢',
  gear: '⚙️',
  stopwatch: '⏱️',
  checkered_flag: '🏁',
  raised_hand: '✋',
  wastebasket: '🗑️',
};

/** Replaces known :shortcode: emoji with the character. */
export function emoji(text) {
  return text.replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] ?? whole);
}

function safeUrl(url) {
  return /^(https?:|mailto:|#|\/)/i.test(url) ? url : '#';
}

function angle(token, names) {
  const [target, label] = token.split('|');
  if (target.startsWith('@')) {
    const id = target.slice(1);
    const name = label || names(id) || id;
    return `<span class="mention" data-user-id="${escapeHtml(id)}">@${escapeHtml(name)}</span>`;
  }
  if (target.startsWith('#')) {
    return `<span class="mention">#${escapeHtml(label || target.slice(1))}</span>`;
  }
  if (target.startsWith('!date^')) {
    // <!date^seconds^format|fallback>: a date, not a mention; show it in the reader's locale.
    const seconds = Number(target.split('^')[1]);
    const date = new Date(seconds * 1000);
    const shown = Number.isNaN(date.getTime())
      ? label || ''
      : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    const iso = Number.isNaN(date.getTime()) ? '' : date.toISOString();
    return `<time datetime="${escapeHtml(iso)}">${escapeHtml(shown)}</time>`;
  }
  if (target.startsWith('!')) {
    const word = target.slice(1).split('^')[0];
    return `<span class="mention">@${escapeHtml(label || word)}</span>`;
  }
  const text = label || target.replace(/^mailto:/, '');
  return `<a href="${escapeHtml(safeUrl(target))}" target="_blank" rel="noreferrer">${escapeHtml(unescapeSlack(text))}</a>`;
}

/**
 * Renders mrkdwn as HTML. `names(userId)` gives the display name for a mention.
 * Code spans and <…> tokens are set aside first so formatting never reaches into them.
 */
export function mrkdwn(source, names = () => undefined) {
  const held = [];
  const hold = (html) => `\u0000${held.push(html) - 1}\u0000`;
  let text = String(source ?? '');
  text = text.replace(/```([\s\S]*?)```/g, (_, code) =>
    hold(`<pre>${escapeHtml(unescapeSlack(code))}</pre>`),
  );
  text = text.replace(/`([^`\n]+)`/g, (_, code) =>
    hold(`<code>${escapeHtml(unescapeSlack(code))}</code>`),
  );
  text = text.replace(/<([^<>\s][^<>]*)>/g, (_, token) => hold(angle(token, names)));
  text = emoji(escapeHtml(unescapeSlack(text)));
  text = text.replace(/(^|[^\w*])\*(?!\s)([^*\n]+?)\*(?!\w)/g, '$1<strong>$2</strong>');
  text = text.replace(/(^|[^\w])_(?!\s)([^_\n]+?)_(?!\w)/g, '$1<em>$2</em>');
  text = text.replace(/(^|[^\w~])~(?!\s)([^~\n]+?)~(?!\w)/g, '$1<del>$2</del>');
  text = text.replace(/^&gt; ?(.*)$/gm, '<blockquote>$1</blockquote>');
  text = text.replace(/\n/g, '<br>').replace(/<\/blockquote><br>/g, '</blockquote>');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL marks held-out fragments.
  return text.replace(/\u0000(\d+)\u0000/g, (_, i) => held[Number(i)]);
}

/** Renders a Block Kit text object (plain_text or mrkdwn). */
export function textObject(obj, names) {
  if (!obj) return '';
  if (typeof obj === 'string') return escapeHtml(obj);
  if (obj.type === 'mrkdwn') return mrkdwn(obj.text, names);
  const text = escapeHtml(obj.text ?? '');
  return (obj.emoji === false ? text : emoji(text)).replace(/\n/g, '<br>');
}
