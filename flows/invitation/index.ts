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

/** One field of a small urlencoded POST body (at most 1 KB is read). */
async function formField(req: IncomingMessage, name: string): Promise<string | undefined> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 1024) return undefined;
  }
  return new URLSearchParams(body).get(name) ?? undefined;
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
    const accept = '<form method="post"><button type="submit">Accept invitation</button></form>';
    // A person of a bulk onboarding got no DM with their sign-in details: the link shows a
    // fresh temporary password, once (T2), on a deliberate click (a link preview only GETs).
    const reveals = request.kind === 'bulk_member' && !!deps.bulk;
    if (req.method === 'GET') {
      const expires = new Date(request.invitation!.expiresAt).toUTCString();
      const reveal = reveals
        ? `<form method="post"><input type="hidden" name="do" value="reveal"><button type="submit">Show my user name and temporary password</button></form><p>They are shown once.</p>`
        : '';
      return page(
        res,
        200,
        'Your access is ready',
        `<p>Request ${escapeHtml(request._id)}: an account for ${escapeHtml(request.subjectEmail)}.</p><p>This invitation expires ${escapeHtml(expires)}.</p>${reveal}${accept}`,
      );
    }
    if (reveals && (await formField(req, 'do')) === 'reveal') {
      const shown = await deps.bulk!.revealSignIn(request);
      if (!shown) {
        return page(
          res,
          410,
          'Your sign-in details were already shown',
          '<p>They are shown only once. Ask the person who requested your access for a new invitation.</p>',
        );
      }
      return page(
        res,
        200,
        'Your sign-in details',
        `<p>User name: <code>${escapeHtml(shown.upn)}</code></p><p>Temporary password: <code>${escapeHtml(shown.temporaryPassword)}</code></p><p>This page shows them once: note them now. You will be asked to change the password at first sign-in.</p>${accept}`,
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
