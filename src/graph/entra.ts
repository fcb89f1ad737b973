/** Entra ID through Microsoft Graph v1.0: users, licenses, group members, directory roles. */
import { ErrorCode, RuleViolation } from '../errors.ts';
import type { OnboardingDetails } from '../lifecycle/request.model.ts';
import { fullName, generateTemporaryPassword, upnCandidate } from '../tenant/accounts.rules.ts';
import {
  isUpnConflict,
  MARK_ATTRIBUTE,
  type MarkedUser,
  marked,
  noLicenseLeft,
  query,
  SELECT_MARKED,
} from './entra-shapes.ts';
import { apiError, type MicrosoftApi, odataString, refused } from './http.ts';

export { noLicenseLeft } from './entra-shapes.ts';

const MAX_UPN_ATTEMPTS = 50;

/** The mark an account made for request `key` carries. */
export const accountMark = (key: string) => `accessdesk:${key}`;

/** Users, licenses, groups and roles of one tenant; every write reads first or tolerates "done". */
export class Entra {
  constructor(
    private readonly api: MicrosoftApi,
    /** The Graph root for `@odata.id` references, e.g. https://graph.microsoft.com. */
    private readonly graphUrl: string,
  ) {}

  /**
   * T1: the account of request `key`, created once. The person's email is looked up first: an
   * account carrying this request's mark is the one a crashed try made; any other is the person's
   * existing account, and a second one is refused (L1). Then candidates `first.last`,
   * `first.last2`, … are read before one is written: a name held by someone else takes the next
   * suffix, as the tenant model does.
   */
  async createAccount(
    key: string,
    person: OnboardingDetails,
    domain: string,
    usageLocation: string,
  ) {
    const mark = accountMark(key);
    const known = await this.#usersByEmail('createAccount', person.email);
    const ours = known.find((u) => u.mark === mark);
    if (ours) return { accountId: ours.id, upn: ours.upn };
    if (known[0]) {
      throw new RuleViolation(
        ErrorCode.Conflict,
        'L1',
        `${person.email} already has an account (${known[0].upn}); one account per person.`,
      );
    }
    for (let attempt = 1; attempt <= MAX_UPN_ATTEMPTS; attempt++) {
      const upn = upnCandidate(person.firstName, person.lastName, domain, attempt);
      const existing = await this.#userByUpn(upn);
      if (existing) {
        if (existing.mark === mark) return { accountId: existing.id, upn };
        continue;
      }
      const created = await this.api.call('createAccount', 'POST', '/v1.0/users', {
        accountEnabled: true,
        displayName: fullName(person.firstName, person.lastName),
        givenName: person.firstName,
        surname: person.lastName,
        mailNickname: upn.split('@')[0],
        userPrincipalName: upn,
        usageLocation,
        otherMails: [person.email.toLowerCase()],
        ...(person.jobTitle ? { jobTitle: person.jobTitle } : {}),
        ...(person.department ? { department: person.department } : {}),
        ...(person.office ? { officeLocation: person.office } : {}),
        ...(person.mobilePhone ? { mobilePhone: person.mobilePhone } : {}),
        onPremisesExtensionAttributes: { [MARK_ATTRIBUTE]: mark },
        // Required by Graph; never kept: the invitation issues the password the person gets (T2).
        passwordProfile: {
          password: generateTemporaryPassword(),
          forceChangePasswordNextSignIn: true,
        },
      });
      if (created.status === 201) return { accountId: String(created.body.id), upn };
      if (!isUpnConflict(created)) throw refused('createAccount', created);
      // Taken between the read and the write: by our own earlier try, or by someone else.
      const winner = await this.#userByUpn(upn);
      if (winner?.mark === mark) return { accountId: winner.id, upn };
    }
    throw new RuleViolation(ErrorCode.Conflict, 'T1', 'No free user name was found.');
  }

  /** The account carrying request `key`'s mark (an advanced query: eventually consistent). */
  async accountIdByMark(key: string): Promise<string | undefined> {
    const filter = `onPremisesExtensionAttributes/${MARK_ATTRIBUTE} eq ${odataString(accountMark(key))}`;
    const found = await this.api.call(
      'accountIdByKey',
      'GET',
      `/v1.0/users?${query({ $filter: filter, $count: 'true', $select: 'id' })}`,
      undefined,
      { ConsistencyLevel: 'eventual' },
    );
    if (!found.ok) throw refused('accountIdByKey', found);
    return found.body?.value?.[0]?.id;
  }

  /** The account whose user name, mail or other mails is `email`. */
  async accountIdByEmail(email: string): Promise<string | undefined> {
    return (await this.#usersByEmail('accountIdByEmail', email))[0]?.id;
  }

  /** Accounts known by `email`: as user name or mail first, then among other mails. */
  async #usersByEmail(step: string, email: string): Promise<MarkedUser[]> {
    const e = odataString(email.toLowerCase());
    for (const filter of [
      `userPrincipalName eq ${e} or mail eq ${e}`,
      `otherMails/any(m:m eq ${e})`,
    ]) {
      const found = await this.api.call(
        step,
        'GET',
        `/v1.0/users?${query({ $filter: filter, $select: SELECT_MARKED })}`,
      );
      if (!found.ok) throw refused(step, found);
      const users = ((found.body?.value ?? []) as unknown[]).map(marked);
      if (users.length > 0) return users;
    }
    return [];
  }

  /** L2: assigns the SKU; already assigned is success; no license left is L3's no free seat. */
  async assignLicense(accountId: string, skuId: string): Promise<void> {
    if ((await this.#licenses('assignLicense', accountId)).includes(skuId)) return;
    const res = await this.api.call(
      'assignLicense',
      'POST',
      `/v1.0/users/${accountId}/assignLicense`,
      {
        addLicenses: [{ skuId, disabledPlans: [] }],
        removeLicenses: [],
      },
    );
    if (res.ok) return;
    if (/available licenses/i.test(apiError(res).message)) throw noLicenseLeft(skuId);
    throw refused('assignLicense', res);
  }

  /** L6/T5: removes the SKU; not assigned (or no such user) is success. */
  async removeLicense(accountId: string, skuId: string): Promise<void> {
    const held = await this.#licenses('removeLicense', accountId, { missingOk: true });
    if (!held.includes(skuId)) return;
    const res = await this.api.call(
      'removeLicense',
      'POST',
      `/v1.0/users/${accountId}/assignLicense`,
      {
        addLicenses: [],
        removeLicenses: [skuId],
      },
    );
    if (!res.ok && res.status !== 404) throw refused('removeLicense', res);
  }

  /** E1: direct membership of the group; "already exists" is success. */
  async addMember(groupId: string, accountId: string): Promise<void> {
    const res = await this.api.call(
      'addToSecurityGroup',
      'POST',
      `/v1.0/groups/${groupId}/members/$ref`,
      {
        '@odata.id': `${this.graphUrl}/v1.0/directoryObjects/${accountId}`,
      },
    );
    if (res.ok) return;
    if (res.status === 400 && /already exist/i.test(apiError(res).message)) return;
    throw refused('addToSecurityGroup', res);
  }

  /** E2: ends the membership; not a member (404) is success. */
  async removeMember(groupId: string, accountId: string): Promise<void> {
    const res = await this.api.call(
      'removeFromSecurityGroup',
      'DELETE',
      `/v1.0/groups/${groupId}/members/${accountId}/$ref`,
    );
    if (!res.ok && res.status !== 404) throw refused('removeFromSecurityGroup', res);
  }

  /** The ids of the tenant-wide assignments of a role, of one principal or of everyone. */
  async roleAssignments(roleTemplateId: string, principalId?: string) {
    const filter = `roleDefinitionId eq ${odataString(roleTemplateId)}${
      principalId ? ` and principalId eq ${odataString(principalId)}` : ''
    }`;
    const res = await this.api.call(
      'roleAssignments',
      'GET',
      `/v1.0/roleManagement/directory/roleAssignments?${query({ $filter: filter })}`,
    );
    if (!res.ok) throw refused('roleAssignments', res);
    return (
      (res.body?.value ?? []) as Array<{
        id: string;
        principalId: string;
        directoryScopeId?: string;
      }>
    ).filter((a) => (a.directoryScopeId ?? '/') === '/');
  }

  /** A2: assigns a built-in role tenant-wide, once. */
  async grantRole(accountId: string, roleTemplateId: string): Promise<void> {
    if ((await this.roleAssignments(roleTemplateId, accountId)).length > 0) return;
    const res = await this.api.call(
      'grantAdminRoles',
      'POST',
      '/v1.0/roleManagement/directory/roleAssignments',
      {
        '@odata.type': '#microsoft.graph.unifiedRoleAssignment',
        roleDefinitionId: roleTemplateId,
        principalId: accountId,
        directoryScopeId: '/',
      },
    );
    if (res.ok) return;
    if (/conflict|already exist/i.test(apiError(res).message)) return;
    throw refused('grantAdminRoles', res);
  }

  /** A2: deletes the role's assignments of the account; gone already (404) is success. */
  async revokeRole(accountId: string, roleTemplateId: string): Promise<void> {
    for (const assignment of await this.roleAssignments(roleTemplateId, accountId)) {
      const res = await this.api.call(
        'revokeAdminRoles',
        'DELETE',
        `/v1.0/roleManagement/directory/roleAssignments/${assignment.id}`,
      );
      if (!res.ok && res.status !== 404) throw refused('revokeAdminRoles', res);
    }
  }

  /** T4: allows or blocks sign-in. */
  /** T5: deletes the user; one already gone counts as done. */
  async deleteUser(accountId: string): Promise<void> {
    const res = await this.api.call('deleteAccount', 'DELETE', `/v1.0/users/${accountId}`);
    if (!res.ok && res.status !== 404) throw refused('deleteAccount', res);
  }

  /** T4: whether the account may sign in (`accountEnabled`); undefined when there is no such user. */
  async signInAllowed(accountId: string): Promise<boolean | undefined> {
    const res = await this.api.call(
      'holdingsOf',
      'GET',
      `/v1.0/users/${accountId}?${query({ $select: 'accountEnabled' })}`,
    );
    if (res.status === 404) return undefined;
    if (!res.ok) throw refused('holdingsOf', res);
    return (res.body as { accountEnabled?: boolean } | undefined)?.accountEnabled;
  }

  async setSignInAllowed(accountId: string, allowed: boolean): Promise<void> {
    const res = await this.api.call('setSignInAllowed', 'PATCH', `/v1.0/users/${accountId}`, {
      accountEnabled: allowed,
    });
    if (!res.ok) throw refused('setSignInAllowed', res);
  }

  /** T1/T2: a new temporary password to change at first sign-in, returned once, kept nowhere. */
  async resetPassword(accountId: string): Promise<string> {
    const password = generateTemporaryPassword();
    const res = await this.api.call('issueTemporaryPassword', 'PATCH', `/v1.0/users/${accountId}`, {
      passwordProfile: { password, forceChangePasswordNextSignIn: true },
    });
    if (!res.ok) throw refused('issueTemporaryPassword', res);
    return password;
  }

  async #userByUpn(upn: string): Promise<MarkedUser | undefined> {
    const res = await this.api.call(
      'createAccount',
      'GET',
      `/v1.0/users/${encodeURIComponent(upn)}?$select=${SELECT_MARKED}`,
    );
    if (res.status === 404) return undefined;
    if (!res.ok) throw refused('createAccount', res);
    return marked(res.body);
  }

  async #licenses(step: string, accountId: string, options: { missingOk?: boolean } = {}) {
    const res = await this.api.call(
      step,
      'GET',
      `/v1.0/users/${accountId}?$select=id,assignedLicenses`,
    );
    if (res.status === 404 && options.missingOk) return [];
    if (!res.ok) throw refused(step, res);
    return ((res.body?.assignedLicenses ?? []) as Array<{ skuId: string }>).map((l) =>
      l.skuId.toLowerCase(),
    );
  }
}
