import type { ROLE_CHANGE_EFFECTS } from '../../machines/role-change.machine.ts';
import type { Effect } from './effect-runner.ts';
import type { EffectDeps } from './effects.ts';
import { applyRoleChange } from './provisioning.ts';
import type { RoleChangeDetails } from './request.model.ts';

/** The effects only a role change names: applying it, and a re-enabling's acceptance (E3). */
export function roleChangeEffects(
  deps: EffectDeps,
): Record<(typeof ROLE_CHANGE_EFFECTS)[number], Effect> {
  const { lifecycle, directory } = deps;
  return {
    applyChange: async (request, _item, completes) => {
      await applyRoleChange(directory, request, request.details as RoleChangeDetails);
      await lifecycle.send(request._id, { type: 'directory.applied' }, { completes });
      return undefined;
    },
    completeReenable: async (request) => {
      const details = request.details as RoleChangeDetails;
      const accountId = await directory.accountIdByEmail(request.subjectEmail);
      if (!accountId) return undefined;
      await directory.setSignInAllowed(accountId, true);
      if (details.environment) await directory.addToSecurityGroup(details.environment, accountId);
      return undefined;
    },
  };
}
