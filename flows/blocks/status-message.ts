import { context, divider, LIMIT, section } from './kit.ts';
import {
  approvalsLine,
  outcomeLine,
  requestLine,
  requestLinePlain,
  summaryBlocks,
  timelineBlock,
} from './request.ts';
import type { Block, Message, RequestView } from './types.ts';

/** Blocks per request: line, summary (≤2), outcome or approvals, timeline, divider. */
const BLOCKS_PER_REQUEST = 6;

/** One request with its outcome and timeline. */
function requestBlocks(request: RequestView): Block[] {
  const outcome = outcomeLine(request) ?? approvalsLine(request);
  const timeline = timelineBlock(request);
  return [
    section(requestLine(request)),
    ...summaryBlocks(request).slice(0, 2),
    ...(outcome ? [context(outcome)] : []),
    ...(timeline ? [timeline] : []),
  ];
}

/**
 * The private reply to `/access status`: each request with its status and timeline, newest
 * first as given; past Slack's 50 blocks it lists how many more there are.
 */
export function statusMessage(requests: RequestView[]): Message {
  if (requests.length === 0) {
    const text = 'You have no access requests. Start one with `/access request`.';
    return { text, blocks: [section(text)] };
  }
  const fit = Math.floor((LIMIT.messageBlocks - 1) / BLOCKS_PER_REQUEST);
  const shown = requests.slice(0, fit);
  const blocks = shown.flatMap((request, i) => [
    ...(i > 0 ? [divider()] : []),
    ...requestBlocks(request),
  ]);
  const more = requests.length - shown.length;
  if (more > 0)
    blocks.push(context(`…and ${more} more. Ask for one with \`/access status <id>\`.`));
  const text = requests.map(requestLinePlain).join('\n');
  return { text, blocks };
}
