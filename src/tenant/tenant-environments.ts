/** The tenant's environment operations (E, S, M, T6 rules), as TenantService offers them. */
import type { AccessMode } from './access.rules.ts';
import type { AccessModes, ApplicationUserInput } from './access-modes.service.ts';
import type { EnablementReport } from './environment-context.ts';
import type { EnvironmentAccess } from './environments.service.ts';
import type { NonInteractivePlaces } from './non-interactive.service.ts';

/** Delegates to the environment services; TenantService extends it with the rest. */
export abstract class TenantEnvironments {
  protected abstract readonly environments: EnvironmentAccess;
  protected abstract readonly modes: AccessModes;
  protected abstract readonly places: NonInteractivePlaces;

  /** T6: creates the user's record in an environment (pending until provisioned); idempotent. */
  provisionUser(envId: string, accountId: string) {
    return this.environments.provisionUser(envId, accountId);
  }
  /** T6: the environment acknowledged the record. */
  markProvisioned(envId: string, accountId: string): Promise<void> {
    return this.environments.markProvisioned(envId, accountId);
  }
  /** T6: this provisioning attempt failed; it stays listed for a retry. */
  markProvisioningFailed(envId: string, accountId: string, reason: string): Promise<void> {
    return this.environments.markProvisioningFailed(envId, accountId, reason);
  }
  /** T6: records still to reach their environment. */
  pendingProvisioning(envId?: string) {
    return this.environments.pendingProvisioning(envId);
  }
  /** E1/E3: adds to the environment's security group. */
  addToSecurityGroup(envId: string, accountId: string) {
    return this.environments.addToSecurityGroup(envId, accountId);
  }
  /** E2/L6: removes from the group (disables); the seat stays taken. */
  removeFromSecurityGroup(envId: string, accountId: string): Promise<void> {
    return this.environments.removeFromSecurityGroup(envId, accountId);
  }
  /** E4: adds a direct member to any group. */
  addToGroup(groupId: string, accountId: string): Promise<void> {
    return this.environments.addToGroup(groupId, accountId);
  }
  /** E3: records that the re-invitation was accepted. */
  recordInvitationAccepted(envId: string, accountId: string): Promise<void> {
    return this.environments.recordInvitationAccepted(envId, accountId);
  }
  /** S3: moves the user to a business unit (drops the old unit's roles, warned). */
  assignBusinessUnit(envId: string, accountId: string, unitId: string) {
    return this.environments.assignBusinessUnit(envId, accountId, unitId);
  }
  /** S3/S5/A5: adds security roles of the user's business unit. */
  assignSecurityRoles(envId: string, accountId: string, roles: string[]) {
    return this.environments.assignSecurityRoles(envId, accountId, roles);
  }
  /** S6: removes security roles; warns when none is left. */
  removeSecurityRoles(envId: string, accountId: string, roles: string[]) {
    return this.environments.removeSecurityRoles(envId, accountId, roles);
  }
  /** S1/S2: adds the user to a team whose roles add to theirs. */
  addToTeam(envId: string, accountId: string, teamId: string): Promise<void> {
    return this.environments.addToTeam(envId, accountId, teamId);
  }
  /** S4: creates a custom role as a copy of an existing one. */
  copySecurityRole(envId: string, source: string, newName: string): Promise<string> {
    return this.environments.copySecurityRole(envId, source, newName);
  }
  /** M1–M4: sets the access mode (M3 capped atomically). */
  setAccessMode(envId: string, accountId: string, mode: AccessMode, options?: { by?: string }) {
    return this.modes.setAccessMode(envId, accountId, mode, options);
  }
  /** M4: creates an application user (enabled, uncounted). */
  createApplicationUser(envId: string, input: ApplicationUserInput) {
    return this.modes.createApplicationUser(envId, input);
  }
  /** M4: enables or disables an application user (disabling warns). */
  setApplicationUserEnabled(envId: string, appId: string, enabled: boolean) {
    return this.modes.setApplicationUserEnabled(envId, appId, enabled);
  }
  /** M5/P3: data import creates stub users for names no user matches. */
  importStubUsers(envId: string, names: string[]) {
    return this.modes.importStubUsers(envId, names);
  }
  /** E1–E6: whether the user is enabled there, with reasons. */
  enablement(envId: string, accountId: string): Promise<EnablementReport> {
    return this.environments.enablement(envId, accountId);
  }
  /** The user's record in an environment, if any. */
  environmentUser(envId: string, accountId: string) {
    return this.environments.environmentUser(envId, accountId);
  }
  /** E5: records can be assigned to the user even when disabled. */
  canAssignRecordsTo(envId: string, accountId: string): Promise<boolean> {
    return this.environments.canAssignRecordsTo(envId, accountId);
  }
  /** M3: accounts holding a non-interactive place in the environment (at most `limit`). */
  nonInteractiveHolders(envId: string, limit?: number): Promise<string[]> {
    return this.places.holders(envId, limit);
  }
  /** M3: finishes place operations whose writer stopped longer ago than the lease. */
  recoverNonInteractive(olderThanMs?: number): Promise<number> {
    return this.places.recover(olderThanMs);
  }
  /** M3: environments whose counter disagrees with a recount of their places. */
  verifyNonInteractive() {
    return this.places.verify();
  }
}
