/**
 * Files in the local workspace, as Slack keeps them: a person's upload through a modal's
 * `file_input`, read by the bot with `files.info` and its `url_private` (bot token only), and the
 * bot's own uploads through `files.uploadV2` (getUploadURLExternal, the upload, then
 * completeUploadExternal, which shares the file into a conversation).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { fail, isFailure, jsonField, type Method, parse } from './api-args.ts';
import type { WorkspaceIdentity } from './api-shapes.ts';
import type { WorkspaceStore } from './store.ts';

/** The largest file the workspace takes (the import reads files up to 64 MB). */
export const FILE_LIMIT = 64 * 1024 * 1024;
/** Files are kept in memory; beyond this many the oldest are forgotten. */
export const FILES_KEPT = 50;

/** A file as the workspace keeps it. `content` is null until its upload arrived. */
export interface StoredFile {
  id: string;
  name: string;
  title: string;
  /** Who uploaded it: a person, or the bot user. */
  user: string;
  mimetype: string;
  created: number;
  content: Buffer | null;
  /** Conversations it was shared into. */
  channels: string[];
  /** The secret part of its upload URL (bot uploads only). */
  ticket?: string;
}

const MIME: Record<string, string> = {
  csv: 'text/csv',
  txt: 'text/plain',
  json: 'application/json',
};

const extensionOf = (name: string) => /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';

/** Every file of the workspace, newest last, at most `FILES_KEPT`. */
export class WorkspaceFiles {
  readonly #files = new Map<string, StoredFile>();

  add(input: { name: string; title?: string; user: string; content?: Buffer }): StoredFile {
    const id = `F${randomBytes(5).toString('hex').toUpperCase()}`;
    const file: StoredFile = {
      id,
      name: input.name,
      title: input.title ?? input.name,
      user: input.user,
      mimetype: MIME[extensionOf(input.name)] ?? 'application/octet-stream',
      created: Math.floor(Date.now() / 1000),
      content: input.content ?? null,
      channels: [],
    };
    this.#files.set(id, file);
    for (const old of this.#files.keys()) {
      if (this.#files.size <= FILES_KEPT) break;
      this.#files.delete(old);
    }
    return file;
  }

  get(id: string): StoredFile | undefined {
    return this.#files.get(id);
  }

  byTicket(ticket: string): StoredFile | undefined {
    return [...this.#files.values()].find((f) => f.ticket === ticket);
  }
}

/** Where the bot reads a file with its token, as Slack's `files-pri` URLs. */
export function privateUrl(file: StoredFile, id: WorkspaceIdentity): string {
  const base = id.publicUrl.replace(/\/$/, '');
  return `${base}/files-pri/${id.teamId}-${file.id}/${encodeURIComponent(file.name)}`;
}

/** A file as `files.info`, `files.completeUploadExternal` and `file_input` state carry it. */
export function fileJson(file: StoredFile, id: WorkspaceIdentity): Record<string, unknown> {
  const url = privateUrl(file, id);
  const filetype = extensionOf(file.name) || 'binary';
  return {
    id: file.id,
    created: file.created,
    timestamp: file.created,
    name: file.name,
    title: file.title,
    mimetype: file.mimetype,
    filetype,
    pretty_type: filetype.toUpperCase(),
    user: file.user,
    user_team: id.teamId,
    mode: 'hosted',
    is_external: false,
    is_public: false,
    size: file.content?.length ?? 0,
    url_private: url,
    url_private_download: `${url}?download=1`,
    permalink: `${id.publicUrl.replace(/\/$/, '')}/#/files/${file.id}`,
    channels: file.channels.filter((c) => c.startsWith('C')),
    ims: file.channels.filter((c) => c.startsWith('D')),
  };
}

/** Whether `userId` may open the file: they uploaded it, or it is in a conversation they see. */
export function canOpen(store: WorkspaceStore, file: StoredFile, userId: string): boolean {
  if (file.user === userId) return true;
  return file.channels.some(
    (c) => store.channels.some((ch) => ch.id === c) || c === store.dmId(userId),
  );
}

/** The files of a `file_input` as Slack reports them: only the person's own uploads. */
export function fileResolver(store: WorkspaceStore, id: WorkspaceIdentity, userId: string) {
  return (fileId: string): Record<string, unknown> | undefined => {
    const file = store.files.get(fileId);
    return file?.content && file.user === userId ? fileJson(file, id) : undefined;
  };
}

const fileList = jsonField(
  z.array(z.object({ id: z.string(), title: z.string().optional() })).min(1),
);

/** Web API methods for files. */
export const fileMethods: Record<string, Method> = {
  'files.info': (args, store, id) => {
    const a = parse(z.object({ file: z.string() }), args);
    if (isFailure(a)) return a;
    const file = store.files.get(a.file);
    return file?.content ? { ok: true, file: fileJson(file, id) } : fail('file_not_found');
  },

  'files.getUploadURLExternal': (args, store, id) => {
    const a = parse(
      z.object({ filename: z.string().min(1), length: z.coerce.number().int().min(1) }),
      args,
    );
    if (isFailure(a)) return a;
    if (a.length > FILE_LIMIT) return fail('file_too_large');
    const file = store.files.add({ name: a.filename, user: id.botUserId });
    file.ticket = randomBytes(16).toString('hex');
    const base = id.publicUrl.replace(/\/$/, '');
    return { ok: true, upload_url: `${base}/workspace/upload/${file.ticket}`, file_id: file.id };
  },

  'files.completeUploadExternal': (args, store, id) => {
    const a = parse(
      z.object({
        files: fileList,
        channel_id: z.string().optional(),
        initial_comment: z.string().optional(),
        thread_ts: z.string().optional(),
      }),
      args,
    );
    if (isFailure(a)) return a;
    const files = a.files.map((f) => ({ ref: f, file: store.files.get(f.id) }));
    if (files.some(({ file }) => !file?.content || file.user !== id.botUserId)) {
      return fail('file_not_found');
    }
    const channel = a.channel_id ? store.resolveChannel(a.channel_id) : undefined;
    if (a.channel_id && !channel) return fail('channel_not_found');
    for (const { ref, file } of files) {
      if (ref.title) file!.title = ref.title;
      if (channel) file!.channels.push(channel);
    }
    if (channel) shareMessage(store, id, channel, a.initial_comment ?? '', files, a.thread_ts);
    return { ok: true, files: files.map(({ file }) => fileJson(file!, id)) };
  },
};

function shareMessage(
  store: WorkspaceStore,
  id: WorkspaceIdentity,
  channel: string,
  text: string,
  files: Array<{ file?: StoredFile }>,
  threadTs: string | undefined,
): void {
  store.addMessage({
    channel,
    user: id.botUserId,
    text,
    files: files.map(({ file }) => file!.id),
    ...(threadTs ? { threadTs } : {}),
  });
}
