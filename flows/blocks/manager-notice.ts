import { escapeMrkdwn, section } from './kit.ts';
import type { Message, RequestView } from './types.ts';

/**
 * What the manager of a leaver reads: that an offboarding of their report was asked (with its
 * effective date), and that it is done. Built from the request only.
 */
export function managerNotice(request: RequestView): Message {
  const name = request.subject.name;
  const date = request.summary.find((s) => s.label === 'Effective')?.value ?? 'now';
  const text = !request.undecided
    ? `${name}'s access is closed (${request.id}): sign-in blocked, security groups left, admin roles and licenses removed. The account stays.`
    : `${request.requester.name} asked to offboard ${name}, who reports to you (${request.id}), effective ${date}. A Global admin decides.`;
  return { text, blocks: [section(escapeMrkdwn(text))] };
}
