import { z } from 'zod';

/**
 * The shapes of the ids accessdesk takes from Slack and from its own links. A value that does
 * not match is refused at the edge, so no query ever sees anything but a string of this shape.
 */

/** A Slack user id: `U…` or `W…` (Enterprise Grid), upper-case letters and digits. */
export const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,31}$/, 'not a Slack user id');

/** A Slack workspace id: `T…`. */
export const slackTeamId = z.string().regex(/^T[A-Z0-9]{2,31}$/, 'not a Slack team id');

/** A Slack conversation id: channel `C…`, direct message `D…`, private group `G…`. */
export const slackChannelId = z.string().regex(/^[CDG][A-Z0-9]{2,31}$/, 'not a Slack channel id');

/** An Enterprise Grid organisation id: `E…`. */
export const slackEnterpriseId = z.string().regex(/^E[A-Z0-9]{2,31}$/, 'not a Slack enterprise id');

/** Characters of a request id: no 0/O or 1/I to confuse. */
export const REQUEST_ID_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** A request id as accessdesk makes them: `REQ-` and eight characters of the alphabet. */
export const REQUEST_ID = /^REQ-[2-9A-HJ-NP-Z]{8}$/;

/** A request id (what buttons carry as their value and the deny modal as its metadata). */
export const requestId = z.string().regex(REQUEST_ID, 'not a request id');
