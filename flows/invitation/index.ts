import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App, CustomRoute } from '@slack/bolt';
import { refusalFor } from '../decide/index.ts';
import type { FlowDeps } from '../deps.ts';
import { resolveViewer } from '../identity.ts';
import { ACTION } from '../ids.ts';
import { takeTurn } from '../turns.ts';

/** The Accept button of the invitation DM. */
export function register(app: App, deps: FlowDeps): void {
  app.action(ACTION.acceptInvitation, async ({ ack, body, action, client, context }) => {
    await ack();
    await takeTurn(context);
    const requestId = 'value' in action ? String(action.value) : '';
    const viewer = await resolveViewer(deps.tenant, client, body.user.id);
    if (!viewer) return;
    const outcome = await deps.lifecycle.act(requestId, viewer.email, { type: 'invitee.accepted' });
    const refusal = await refusalFor(deps, outcome);
    await client.chat.postMessage({
      channel: body.user.id,
      ...(refusal ?? {
        text: `Welcome! Your invitation ${requestId} is accepted; your access is ready.`,
      }),
    });
  });
  app.action(ACTION.openPortal, async ({ ack }) => ack());
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: ServerResponse, status: number, title: string, body: string) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
      `<meta name="viewport" content="width=device-width, initial-scale=1">` +
      `<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}` +
      `button{font-size:1rem;padding:.6rem 1.4rem;background:#007a5a;color:#fff;border:0;border-radius:4px}</style>` +
      `</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  );
}

/**
 * The one-time invitation link for invitees who are not in Slack: GET shows it, POST accepts.
 * Only the token's hash is stored; it works once and not after the invitation expired (L4).
 */
export function invitationRoutes(deps: FlowDeps): CustomRoute[] {
  const handler = async (
    req: IncomingMessage & { params?: Record<string, string> },
    res: ServerResponse,
  ) => {
    // Whether the link still works is the lifecycle's to say (L4, one use).
    const request = await deps.requests.openInvitation(req.params?.token ?? '', deps.clock);
    if (!request) {
      return page(
        res,
        410,
        'This invitation cannot be used',
        '<p>It was already accepted, or it expired. Ask the person who requested your access for a new one.</p>',
      );
    }
    if (req.method === 'GET') {
      const expires = new Date(request.invitation!.expiresAt).toUTCString();
      return page(
        res,
        200,
        'Your access is ready',
        `<p>Request ${escapeHtml(request._id)}: an account for ${escapeHtml(request.subjectEmail)}.</p><p>This invitation expires ${escapeHtml(expires)}.</p><form method="post"><button type="submit">Accept invitation</button></form>`,
      );
    }
    const outcome = await deps.lifecycle.act(request._id, request.subjectEmail, {
      type: 'invitee.accepted',
    });
    if (outcome.kind !== 'transitioned') {
      return page(res, 410, 'This invitation cannot be used', '<p>It was already accepted.</p>');
    }
    return page(
      res,
      200,
      'Invitation accepted',
      '<p>Welcome! Sign in with the details you were given; you will be asked to change your password.</p>',
    );
  };
  const safe = (req: IncomingMessage, res: ServerResponse) => {
    handler(req, res).catch(() =>
      page(res, 500, 'Something went wrong', '<p>Nothing was changed; please try again.</p>'),
    );
  };
  return [
    { path: '/invitations/:token', method: 'GET', handler: safe },
    { path: '/invitations/:token', method: 'POST', handler: safe },
  ];
}
