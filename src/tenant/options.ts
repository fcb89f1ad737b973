import { ADMIN_ROLES } from './admin.rules.ts';
import type { GrantLimit } from './grant-limits.rules.ts';
import { mayInvite } from './onboarding.rules.ts';
import type { EnvironmentDoc, SkuDoc, TenantDoc } from './tenant.model.ts';
import type { TenantService } from './tenant.service.ts';

/** The choices a request modal offers: SKUs, environments with their units and roles, admin roles. */
export interface TenantChoices {
  skus: Array<{ id: string; name: string }>;
  environments: Array<{
    id: string;
    name: string;
    kind: string;
    /** P3: its existing data is still being imported, so nobody can be invited there yet. */
    awaitsDataImport: boolean;
    businessUnits: Array<{ id: string; name: string; roles: string[] }>;
  }>;
  adminRoles: string[];
  /** The tenant file's caps on time-bound grants, per role name or SKU id. */
  grantLimits: GrantLimit[];
}

/** Reads the current choices from the tenant (ids are the tenant file's ids). */
export async function tenantChoices(tenant: TenantService): Promise<TenantChoices> {
  const [skus, environments, doc] = await Promise.all([
    tenant.models.Sku.find().sort({ _id: 1 }).lean<SkuDoc[]>(),
    tenant.models.Environment.find().sort({ _id: 1 }).lean<EnvironmentDoc[]>(),
    tenant.models.Tenant.findById('tenant', { grantLimits: 1 }).lean<TenantDoc>(),
  ]);
  return {
    skus: skus.map((s) => ({ id: s._id, name: s.name })),
    environments: environments.map((e) => ({
      id: e._id,
      name: e.name,
      kind: e.kind,
      awaitsDataImport: !mayInvite(e),
      businessUnits: e.businessUnits.map((b) => ({ id: b.id, name: b.name, roles: [...b.roles] })),
    })),
    adminRoles: [...ADMIN_ROLES],
    grantLimits: doc?.grantLimits ?? [],
  };
}
