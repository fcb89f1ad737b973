import { ACTION } from '../ids.ts';
import { decisionButtons, requestDetails } from './approval-card.ts';
import { extendButton } from './grant-notice.ts';
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
  /** Running time-bound grants of the viewer and their reports, soonest end first. */
  runningGrants?: GrantLine[];
}

/** One running time-bound grant as App Home lists it. */
export interface GrantLine {
  requestId: string;
  person: PersonRef;
  /** What it gives, e.g. "Global admin". */
  what: string;
  /** ISO 8601 instant. */
  endsAt: string;
  /** "45 min", "3 h", "12 d". */
  timeLeft: string;
  /** Past its end, its revocation held: why ("last Global admin (A2)"). */
  held?: string;
}

/** Running grants: the viewer's own with Extend, their reports' read-only. */
function grantRows(lines: GrantLine[], email: string): Block[] {
  if (!lines.length) return [];
  return [
    header('Time-bound access'),
    ...lines.slice(0, PER_LIST).flatMap((g) => {
      const own = g.person.email.toLowerCase() === email;
      const whose = own ? 'You have' : `${escapeMrkdwn(g.person.name)} has`;
      return [
        section(
          g.held
            ? `${whose} *${escapeMrkdwn(g.what)}*: ending held, ${escapeMrkdwn(g.held)} (ended ${g.endsAt.slice(0, 16).replace('T', ' ')} UTC) · ${g.requestId}`
            : `${whose} *${escapeMrkdwn(g.what)}* for ${g.timeLeft} more (until ${g.endsAt.slice(0, 16).replace('T', ' ')} UTC) · ${g.requestId}`,
        ),
        ...(own ? [extendButton(g.requestId)] : []),
      ];
    }),
  ];
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
    ...grantRows(home.runningGrants ?? [], email),
    ...list('Your requests', home.myRequests, 'You have no request yet.', mine),
    ...(home.reportsRequests.length > 0
      ? list('Requests for your reports', home.reportsRequests, '', requestRow)
      : []),
  ];
  return { type: 'home', blocks: blocks.slice(0, LIMIT.homeBlocks) };
}
