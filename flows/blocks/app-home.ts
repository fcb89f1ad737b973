import { ACTION } from '../ids.ts';
import { decisionButtons, requestDetails } from './approval-card.ts';
import { context, divider, escapeMrkdwn, header, LIMIT, plain, section } from './kit.ts';
import { outcomeLine, requestLine } from './request.ts';
import { cancelButton } from './requester-update.ts';
import type { Block, HomeView, PersonRef, RequestView } from './types.ts';

/** What App Home shows one person. */
export interface AppHomeView {
  viewer: PersonRef;
  /** Requests the viewer made or that are about them. */
  myRequests: RequestView[];
  /** Requests about the people who report to the viewer (read-only). */
  reportsRequests: RequestView[];
  /** Requests waiting for a Global admin; shown only when `isGlobalAdmin`. */
  pendingQueue: RequestView[];
  isGlobalAdmin: boolean;
  /** Graph mode, Global admins only: changes made in Entra outside accessdesk (bounded). */
  drift?: string[];
}

/** Requests shown per list, so the tab stays within Slack's 100 blocks (queue cards are big). */
const PER_LIST = 8;
const PER_QUEUE = 5;

/** A list under a heading; the requester of an open request gets Cancel. */
function list(
  title: string,
  requests: RequestView[],
  empty: string,
  row: (r: RequestView) => Block[],
  max = PER_LIST,
): Block[] {
  const shown = requests.slice(0, max);
  const more = requests.length - shown.length;
  return [
    header(title),
    ...(shown.length === 0 ? [context(empty)] : shown.flatMap(row)),
    ...(more > 0 ? [context(`…and ${more} more: \`/access status\` lists them all.`)] : []),
  ];
}

/** One request in a list: its line, and how it ended or who decided. */
function requestRow(request: RequestView): Block[] {
  const outcome = outcomeLine(request);
  return [section(requestLine(request)), ...(outcome ? [context(outcome)] : [])];
}

/** Approve/Deny, unless the viewer may not decide this one (own request, already approved). */
function queueAction(request: RequestView, email: string): Block {
  if ([request.requester.email, request.subject.email].some((e) => e.toLowerCase() === email)) {
    return context('You made this request or it is about you: another Global admin decides.');
  }
  if ((request.approvals ?? []).some((a) => a.by === email)) {
    return context('You approved it; a second, different Global admin must approve too.');
  }
  return decisionButtons(request);
}

/**
 * The App Home tab: buttons to start a request, the viewer's requests (with Cancel while they
 * can), their reports' requests, and for Global admins the queue with Approve/Deny.
 */
export function appHome(home: AppHomeView): HomeView {
  const email = home.viewer.email.toLowerCase();
  const mine = (r: RequestView) => [
    ...requestRow(r),
    ...(r.requester.email.toLowerCase() === email && r.cancellable ? [cancelButton(r.id)] : []),
  ];
  const blocks: Block[] = [
    section(
      `Hello ${escapeMrkdwn(home.viewer.name)}. Ask for access here; a Global admin decides.`,
    ),
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION.openOnboarding,
          text: plain('Request access', LIMIT.buttonText),
          style: 'primary',
        },
        {
          type: 'button',
          action_id: ACTION.openRoleChange,
          text: plain('Change access', LIMIT.buttonText),
        },
      ],
    },
    ...(home.isGlobalAdmin
      ? list(
          'Waiting for a decision',
          home.pendingQueue,
          'Nothing is waiting.',
          (r) => [divider(), ...requestDetails(r), queueAction(r, email)],
          PER_QUEUE,
        )
      : []),
    ...(home.isGlobalAdmin && home.drift?.length
      ? [
          header('Changed outside accessdesk'),
          ...home.drift.slice(0, PER_LIST).map((line) => section(`• ${escapeMrkdwn(line)}`)),
          context(
            'Read from Microsoft 365 by the directory sync. accessdesk changes nothing in Entra without a request.',
          ),
        ]
      : []),
    ...list('Your requests', home.myRequests, 'You have no request yet.', mine),
    ...(home.reportsRequests.length > 0
      ? list('Requests for your reports', home.reportsRequests, '', requestRow)
      : []),
  ];
  return { type: 'home', blocks: blocks.slice(0, LIMIT.homeBlocks) };
}
