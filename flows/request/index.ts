import type { App } from '@slack/bolt';
import { describeError } from '../../src/errors.ts';
import { submitGrant, submitOnboarding, submitRoleChange } from '../../src/lifecycle/submit.ts';
import { onboardingModal } from '../blocks/onboarding-modal.ts';
import { roleChangeModal } from '../blocks/role-change-modal.ts';
import type { ModalView } from '../blocks/types.ts';
import type { FlowDeps } from '../deps.ts';
import { knownViewer, resolveViewer } from '../identity.ts';
import { CALLBACK, type ChangeKindValue, FIELD } from '../ids.ts';
import { takeTurn } from '../turns.ts';
import {
  grantOf,
  parseGrantLength,
  parseOnboarding,
  parseRoleChange,
  readFields,
} from './parse.ts';

type Values = Record<string, Record<string, never>>;

/** Opens the onboarding modal (command, shortcut, App Home button). */
export async function openOnboarding(deps: FlowDeps, client: App['client'], triggerId: string) {
  await client.views.open({
    trigger_id: triggerId,
    view: onboardingModal(await deps.tenant.choices()),
  });
}

/** Opens the role-change modal. */
export async function openRoleChange(deps: FlowDeps, client: App['client'], triggerId: string) {
  await client.views.open({
    trigger_id: triggerId,
    view: roleChangeModal(await deps.tenant.choices()),
  });
}

/** The request modals: open, follow dependent selects, validate and submit. */
export function register(app: App, deps: FlowDeps): void {
  app.shortcut(CALLBACK.openOnboarding, async ({ ack, shortcut, client }) => {
    await ack();
    await openOnboarding(deps, client, shortcut.trigger_id);
  });

  // Environment / business unit / kind of change: rebuild the modal with the dependent options.
  for (const field of [FIELD.environment, FIELD.businessUnit, FIELD.changeKind]) {
    app.action(field, async ({ ack, body, client }) => {
      await ack();
      if (body.type !== 'block_actions' || !body.view) return;
      const fields = readFields(body.view.state.values as Values);
      const choices = await deps.tenant.choices();
      const view: ModalView =
        body.view.callback_id === CALLBACK.roleChangeRequest
          ? roleChangeModal(choices, {
              selection: {
                ...(fields.change_kind
                  ? { changeKind: fields.change_kind as ChangeKindValue }
                  : {}),
                ...(fields.environment ? { environment: String(fields.environment) } : {}),
              },
            })
          : onboardingModal(choices, {
              selection: {
                ...(fields.environment ? { environment: String(fields.environment) } : {}),
                ...(fields.business_unit ? { businessUnit: String(fields.business_unit) } : {}),
              },
            });
      await client.views.update({ view_id: body.view.id, hash: body.view.hash, view });
    });
  }

  // View submissions ack before any Slack or database call (users.info alone can take 1.5 s):
  // the fields are checked against the tenant's choices, which are read once at start; who
  // submitted, the manager and the subject are resolved after the ack, and a problem found
  // then is told privately.
  app.view(CALLBACK.onboardingRequest, async ({ ack, body, view, client, context }) => {
    const fields = readFields(view.state.values as Values);
    const result = parseOnboarding(fields, await deps.tenant.choices());
    if ('errors' in result) {
      await ack({ response_action: 'errors', errors: result.errors as Record<string, string> });
      return;
    }
    await ack();
    await takeTurn(context);
    const known = await knownViewer(deps.tenant, client, body.user.id);
    if (!known) return;
    const { viewer, tell } = known;
    const managerId = typeof fields.manager === 'string' ? fields.manager : undefined;
    const manager = managerId ? await resolveViewer(deps.tenant, client, managerId) : undefined;
    if (managerId && !manager?.known) {
      return void (await tell(`Your request was not sent: ${NOT_IN_TENANT(managerId)}`));
    }
    const details = { ...result.details, ...(manager ? { managerEmail: manager.email } : {}) };
    const request = await submitOnboarding(deps.lifecycle, viewer.email, details);
    await tell(
      `Your request ${request._id} for ${details.firstName} ${details.lastName} was sent to the Global admins. I will message you at every change.`,
    );
  });

  app.view(CALLBACK.roleChangeRequest, async ({ ack, body, view, client, context }) => {
    const fields = readFields(view.state.values as Values);
    const choices = await deps.tenant.choices();
    const result = parseRoleChange(fields, choices);
    const errors = 'errors' in result ? { ...result.errors } : {};
    const timing =
      'details' in result
        ? parseGrantLength(fields, result.details, choices, deps.clock.now())
        : {};
    if ('errors' in timing) Object.assign(errors, timing.errors);
    if (!hasSubject(fields))
      errors[FIELD.subjectUser] = 'Choose a person, or give the email of someone not in Slack.';
    if (Object.keys(errors).length || !('details' in result)) {
      await ack({ response_action: 'errors', errors: errors as Record<string, string> });
      return;
    }
    await ack();
    await takeTurn(context);
    const known = await knownViewer(deps.tenant, client, body.user.id);
    if (!known) return;
    const { viewer, tell } = known;
    const subject = await subjectEmail(deps, client, fields);
    if (!subject) {
      return void (await tell(
        `Your change request was not sent: ${NOT_IN_TENANT(String(fields.subject_user))}`,
      ));
    }
    if (!(await deps.tenant.hasAccount(subject))) {
      return void (await tell(
        `Your change request was not sent: ${subject} has no account yet; request an account instead.`,
      ));
    }
    try {
      const { details } = result;
      const length = 'length' in timing ? timing.length : undefined;
      const request = length
        ? await submitGrant(deps.lifecycle, viewer.email, subject, grantOf(details, length))
        : await submitRoleChange(deps.lifecycle, viewer.email, subject, details);
      await tell(
        `Your change request ${request._id} for ${subject} was sent to the Global admins.`,
      );
    } catch (error) {
      await tell(describeError(error));
    }
  });
}

/** Names a Slack user accessdesk could not find in the tenant file. */
const NOT_IN_TENANT = (slackId: string) => `<@${slackId}> is not in the tenant file.`;

/** Whether the role-change modal names its subject: a Slack user, or a well-formed email. */
function hasSubject(fields: Record<string, string | string[] | undefined>): boolean {
  if (typeof fields.subject_user === 'string') return true;
  return typeof fields.subject_email === 'string' && EMAIL.test(fields.subject_email);
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

async function subjectEmail(
  deps: FlowDeps,
  client: App['client'],
  fields: Record<string, string | string[] | undefined>,
): Promise<string | undefined> {
  if (typeof fields.subject_user === 'string') {
    return (await resolveViewer(deps.tenant, client, fields.subject_user))?.email;
  }
  const email =
    typeof fields.subject_email === 'string' ? fields.subject_email.toLowerCase() : undefined;
  return email && EMAIL.test(email) ? email : undefined;
}
