/** Pieces every surface shows about a request: title, summary, seats, decision, timeline. */
import { context, escapeMrkdwn, LIMIT, mrkdwn, truncate, when, who, whoPlain } from './kit.ts';
import { statusBadge } from './status.ts';
import type { Block, RequestView, SeatView } from './types.ts';

/** Global admin approvals a request needs: two when it grants Global admin. */
export function approvalsNeeded(request: RequestView): number {
  return request.needsSecondApproval ? 2 : 1;
}

/** `*Onboarding for Ada Lovelace* (@ada) · ada@…`: who the request is for. */
export function subjectLine(request: RequestView): string {
  const { slackId, email } = request.subject;
  return `*${escapeMrkdwn(requestTitle(request))}*${slackId ? ` (<@${slackId}>)` : ''} · ${email}`;
}

const KIND_WORDS: Record<RequestView['kind'], string> = {
  onboarding: 'Onboarding',
  role_change: 'Role change',
  offboarding: 'Offboarding',
  bulk_onboarding: 'Bulk onboarding',
  bulk_member: 'Onboarding',
  time_bound_grant: 'Time-bound grant',
};

/** `Onboarding`, `Role change`, `Offboarding`. */
export function requestKindWord(request: RequestView): string {
  return KIND_WORDS[request.kind];
}

/** `Onboarding for Ada Lovelace` / `Role change for Ada Lovelace`. */
export function requestTitle(request: RequestView): string {
  const kind = request.extends ? `Extension of ${request.extends}` : KIND_WORDS[request.kind];
  return `${kind} for ${request.subject.name}`;
}

/** One line: id, title and status, for lists. */
export function requestLine(request: RequestView): string {
  return `*${request.id}* · ${escapeMrkdwn(requestTitle(request))} — ${statusBadge(request.word)}`;
}

/** The same line in plain words, for `text` fallbacks. */
export function requestLinePlain(request: RequestView): string {
  return `${request.id} · ${requestTitle(request)} — ${request.word}`;
}

/** `23/25 used, 1 held by invitations, 2 free` (used = assigned + held, L4). */
export function seatWords(sku: SeatView): string {
  return `${usedWords(sku)}, ${sku.free > 0 ? `${sku.free} free` : 'no free seat'}`;
}

/** `23/25 used, 1 held by invitations` (Graph mode: `, 30 used outside accessdesk` too). */
export function usedWords(sku: SeatView): string {
  const held = sku.held > 0 ? `, ${sku.held} held by invitations` : '';
  const outside = sku.external ? `, ${sku.external} used outside accessdesk` : '';
  return `${sku.assigned + sku.held}/${sku.seats} used${held}${outside}`;
}

/** The summary as section fields, ten per section (Slack's limit). */
export function summaryBlocks(request: RequestView): Block[] {
  const fields = request.summary.map(({ label, value }) =>
    mrkdwn(`*${escapeMrkdwn(label)}*\n${escapeMrkdwn(value)}`, LIMIT.field),
  );
  const blocks: Block[] = [];
  for (let i = 0; i < fields.length; i += LIMIT.fieldsPerSection) {
    blocks.push({ type: 'section', fields: fields.slice(i, i + LIMIT.fieldsPerSection) });
  }
  return blocks;
}

/** The summary in plain lines, for `text` fallbacks. */
export function summaryPlain(request: RequestView): string {
  return request.summary.map(({ label, value }) => `${label}: ${value}`).join('\n');
}

/** The seat line of the request's SKU, when it has one. */
export function seatLine(request: RequestView): string | undefined {
  return request.sku && `:chair: *${escapeMrkdwn(request.sku.name)}*: ${seatWords(request.sku)}`;
}

/** `1 of 2 Global admin approvals (grace@…)` while a second approval is needed. */
export function approvalsLine(request: RequestView): string | undefined {
  if (!request.needsSecondApproval || !request.undecided) return undefined;
  const approvals = request.approvals ?? [];
  const by = approvals.length > 0 ? ` (${approvals.map((a) => a.by).join(', ')})` : '';
  return `${approvals.length} of ${approvalsNeeded(request)} Global admin approvals${by}: this request grants Global admin.`;
}

/** Who decided and when, or how the request ended without a decision; undefined while open. */
export function outcomeLine(request: RequestView): string | undefined {
  if (request.undecided) return undefined;
  const word = request.word;
  const at = request.decidedAt ? ` on ${when(request.decidedAt)}` : '';
  const lines: string[] = [];
  if (request.decidedBy) {
    const verb = word === 'denied' ? 'Denied' : 'Approved';
    lines.push(`${verb} by ${who(request.decidedBy)}${at}.`);
  }
  const approvals = request.approvals ?? [];
  if (approvals.length > 1) lines.push(`Approvals: ${approvals.map((a) => a.by).join(', ')}.`);
  if (request.denyReason) lines.push(`Reason: ${escapeMrkdwn(request.denyReason)}`);
  if (request.endReason && word !== 'denied')
    lines.push(`Ended: ${escapeMrkdwn(request.endReason)}.`);
  if (request.failureReason) lines.push(`Failed: ${escapeMrkdwn(request.failureReason)}`);
  lines.push(`Status: ${statusBadge(request.word)}`);
  return lines.join('\n');
}

/** The outcome in plain words, for `text` fallbacks: `approved by Linus (…), now invited`. */
export function outcomePlain(request: RequestView): string {
  const word = request.word;
  if (request.undecided || !request.decidedBy) return word;
  const verb = word === 'denied' ? 'denied' : 'approved';
  const now = word === verb ? '' : `, now ${word}`;
  return `${verb} by ${whoPlain(request.decidedBy)}${now}`;
}

/** The timeline, oldest first, as one context block (cut to Slack's limits). */
export function timelineBlock(request: RequestView): Block | undefined {
  if (request.timeline.length === 0) return undefined;
  const lines = request.timeline.map((entry) => `${when(entry.at)} — ${escapeMrkdwn(entry.text)}`);
  return context(truncate(lines.join('\n'), LIMIT.sectionText));
}
