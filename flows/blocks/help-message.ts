import { COMMAND } from '../ids.ts';
import { context, section } from './kit.ts';
import type { Message } from './types.ts';

/** Every command with what it does. */
const COMMANDS: Array<[usage: string, what: string]> = [
  [`${COMMAND} request`, 'Request an account for a new hire (or yourself).'],
  [`${COMMAND} change`, 'Request a change of roles, access mode, license or enablement.'],
  [
    `${COMMAND} offboard @user [YYYY-MM-DD]`,
    'Close a leaver’s access on that day (or now): sign-in, groups, admin roles, licenses.',
  ],
  [
    `${COMMAND} status [id | @user]`,
    'Your requests, one request, or those of a person you manage.',
  ],
  [`${COMMAND} seats`, 'Seats per license (with its SKU id): used, held by invitations, free.'],
  [`${COMMAND} seats set <SKU id or name> <n>`, 'Set the seats of a license (Global admins).'],
  [`${COMMAND} help`, 'This help.'],
];

/** The reply to `/access help`: every command. */
export function helpMessage(): Message {
  const lines = COMMANDS.map(([usage, what]) => `\`${usage}\` — ${what}`);
  return {
    text: ['accessdesk commands:', ...COMMANDS.map(([u, w]) => `${u} — ${w}`)].join('\n'),
    blocks: [
      section(`*accessdesk* — access to Microsoft 365 and Dynamics 365\n${lines.join('\n')}`),
      context('A Global admin decides every request. Managers follow their reports in App Home.'),
    ],
  };
}
