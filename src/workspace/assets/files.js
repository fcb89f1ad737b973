// Files in the local workspace page: a modal's file_input uploads, files under messages.
import { h } from './blocks.js';

/** Uploads each chosen file as `user`; resolves to the uploaded files ({ id, name, size }). */
export async function uploadFiles(user, files) {
  const uploaded = [];
  for (const file of files) {
    const query = new URLSearchParams({ user, name: file.name });
    const res = await fetch(`/workspace/files?${query}`, {
      method: 'POST',
      headers: { 'content-type': file.type || 'application/octet-stream' },
      body: file,
    });
    const result = await res.json();
    if (!result.ok) throw new Error(result.error ?? `HTTP ${res.status}`);
    uploaded.push(result.file);
  }
  return uploaded;
}

function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The files shared with a message, each with a download link for the person looking. */
export function fileCards(files) {
  return h(
    'div',
    { class: 'files' },
    (files ?? []).map((f) =>
      h(
        'div',
        { class: 'file-card', 'data-testid': 'file', 'data-file-id': f.id },
        h('span', { class: 'file-icon', 'aria-hidden': 'true' }, '📄'),
        h(
          'span',
          { class: 'file-meta' },
          h('span', { class: 'file-title' }, f.title),
          h('span', { class: 'file-size' }, `${f.name} · ${size(f.size)}`),
        ),
        h(
          'a',
          { class: 'btn', href: f.url, download: f.name, 'data-testid': 'file-download' },
          'Download',
        ),
      ),
    ),
  );
}
