import { z } from 'zod';
import { normalizeBlocks } from './blocks.ts';
import type { ResponseTarget, WorkspaceStore } from './store.ts';

/** A message sent to a response_url, or returned in a slash command's ack. */
export const responseMessageSchema = z.looseObject({
  text: z.string().optional(),
  blocks: z.array(z.record(z.string(), z.unknown())).optional(),
  response_type: z.enum(['ephemeral', 'in_channel']).optional(),
  replace_original: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
  delete_original: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
  thread_ts: z.string().optional(),
});

/** The response message, parsed. */
export type ResponseMessage = z.infer<typeof responseMessageSchema>;

/** Slack lets a response_url be used five times. */
const MAX_RESPONSE_USES = 5;

const truthy = (v: boolean | 'true' | 'false' | undefined) => v === true || v === 'true';

/**
 * Applies a response_url message: replace or delete the message the action came from, post in
 * the channel (`in_channel`), or, by default, show it only to the person (`ephemeral`).
 */
export function applyResponse(
  store: WorkspaceStore,
  target: ResponseTarget,
  message: ResponseMessage,
  botUserId: string,
): { ok: true } | { ok: false; error: string } {
  if (target.uses >= MAX_RESPONSE_USES) return { ok: false, error: 'used_too_many_times' };
  target.uses += 1;
  const original = target.messageTs
    ? store.findMessage(target.channel, target.messageTs)
    : undefined;
  if (truthy(message.delete_original)) {
    if (!original) return { ok: false, error: 'message_not_found' };
    store.removeMessage(original);
    return { ok: true };
  }
  if (truthy(message.replace_original) && original) {
    if (message.text !== undefined) original.text = message.text;
    original.blocks = normalizeBlocks(message.blocks ?? []);
    original.edited = store.nextTs();
    store.changed();
    return { ok: true };
  }
  if (!message.text && !message.blocks?.length) return { ok: false, error: 'no_text' };
  store.addMessage({
    channel: target.channel,
    user: botUserId,
    text: message.text ?? '',
    blocks: message.blocks,
    ...(message.thread_ts ? { threadTs: message.thread_ts } : {}),
    ...(message.response_type === 'in_channel' ? {} : { visibleTo: target.user }),
  });
  return { ok: true };
}
