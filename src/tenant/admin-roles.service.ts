/** Admin roles of accounts (A1–A4); Global admins are counted in the one `tenant` document (A2). */
import { ErrorCode, RuleViolation } from '../errors.ts';
import {
  GLOBAL_ADMIN,
  globalAdminWarnings,
  isAdminRole,
  type PartnerCenterCategory,
  partnerCenterCategory,
} from './admin.rules.ts';
import type { AccountDoc, TenantDoc, TenantModels } from './tenant.model.ts';

/** Warnings to show the admin who made a change that was allowed. */
export interface ChangeOutcome {
  warnings: string[];
}

/** Grants and revokes admin roles; A2's "never zero Global admins" is one guarded update. */
export class AdminRoleRegistry {
  constructor(private readonly m: TenantModels) {}

  /** Ids of the accounts the registry counts as Global admins. */
  async globalAdminIds(): Promise<string[]> {
    const tenant = await this.m.Tenant.findById('tenant').lean<TenantDoc>();
    return tenant?.globalAdmins ?? [];
  }

  /** A1/A2: grants an admin role; a security role name is refused (the lists are separate). */
  async grant(accountId: string, role: string): Promise<ChangeOutcome> {
    requireAdminRole(role);
    await this.requireAccount(accountId);
    await this.m.Account.updateOne({ _id: accountId }, { $addToSet: { adminRoles: role } });
    if (role === GLOBAL_ADMIN) {
      // The account says it first, the registry second: a crash in between grants nothing.
      await this.m.Tenant.updateOne(
        { _id: 'tenant' },
        { $addToSet: { globalAdmins: accountId } },
        { upsert: true },
      );
    }
    return { warnings: globalAdminWarnings((await this.globalAdminIds()).length) };
  }

  /** A2: revokes an admin role; refuses to leave no Global admin, warns below two. */
  async revoke(accountId: string, role: string): Promise<ChangeOutcome> {
    requireAdminRole(role);
    let remaining = (await this.globalAdminIds()).length;
    if (role === GLOBAL_ADMIN) {
      // The registry goes first, guarded by "another Global admin remains" (`globalAdmins.1`).
      const after = await this.m.Tenant.findOneAndUpdate(
        { _id: 'tenant', globalAdmins: accountId, 'globalAdmins.1': { $exists: true } },
        { $pull: { globalAdmins: accountId } },
        { returnDocument: 'after' },
      ).lean<TenantDoc>();
      const ids = after?.globalAdmins ?? (await this.globalAdminIds());
      if (!after && ids.includes(accountId)) {
        throw new RuleViolation(
          ErrorCode.LastGlobalAdmin,
          'A2',
          'This is the last Global admin; make someone else Global admin first.',
          { accountId },
        );
      }
      remaining = ids.length;
    }
    await this.m.Account.updateOne({ _id: accountId }, { $pull: { adminRoles: role } });
    return { warnings: role === GLOBAL_ADMIN ? globalAdminWarnings(remaining) : [] };
  }

  /** A2: whether the account is a Global admin now (account and registry must both say so). */
  async isGlobalAdmin(accountId: string): Promise<boolean> {
    const account = await this.m.Account.findById(accountId).lean<AccountDoc>();
    if (!account || account.deletedAt || !account.adminRoles.includes(GLOBAL_ADMIN)) return false;
    return (await this.globalAdminIds()).includes(accountId);
  }

  /** A4: grants a Partner Center role to an account that exists in the tenant; returns its category. */
  async grantPartnerCenterRole(accountId: string, role: string): Promise<PartnerCenterCategory> {
    const category = partnerCenterCategory(role);
    if (!category) {
      throw new RuleViolation(
        ErrorCode.InvalidInput,
        'A4',
        `"${role}" is not a Partner Center role.`,
      );
    }
    await this.requireAccount(accountId, 'A4');
    await this.m.Account.updateOne({ _id: accountId }, { $addToSet: { partnerCenterRoles: role } });
    return category;
  }

  private async requireAccount(accountId: string, rule = 'A2'): Promise<AccountDoc> {
    const account = await this.m.Account.findById(accountId).lean<AccountDoc>();
    if (!account || account.deletedAt) {
      throw new RuleViolation(
        ErrorCode.NotFound,
        rule,
        'The user must exist in the tenant before roles can be given.',
        { accountId },
      );
    }
    return account;
  }
}

function requireAdminRole(role: string): void {
  if (!isAdminRole(role)) {
    throw new RuleViolation(
      ErrorCode.InvalidInput,
      'A1',
      `"${role}" is not an admin role; security roles are given inside an environment.`,
      { role },
    );
  }
}
