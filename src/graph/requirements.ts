/** What the Graph directory needs from the tenant file, checked once at start. */
import { ErrorCode, ValidationError } from '../errors.ts';
import { hasDatabase } from '../tenant/access.rules.ts';
import type { TenantConfig } from '../tenant/tenant.schema.ts';

/** Each field the Graph directory needs and the tenant file lacks, one line per field. */
export function graphTenantProblems(tenant: TenantConfig): string[] {
  const problems: string[] = [];
  if (!tenant.usageLocation)
    problems.push('usageLocation is required for Graph (to license users)');
  tenant.skus.forEach((sku, i) => {
    if (!sku.skuId && !sku.skuPartNumber) {
      problems.push(`skus[${i}] (${sku.id}): skuId or skuPartNumber is required for Graph`);
    }
  });
  tenant.environments.forEach((env, i) => {
    // E6: an environment without a database has no security group and no Dataverse.
    if (!hasDatabase(env.kind)) return;
    if (!env.securityGroupId) {
      problems.push(`environments[${i}] (${env.id}): securityGroupId is required for Graph`);
    }
    if (!env.dataverseUrl) {
      problems.push(`environments[${i}] (${env.id}): dataverseUrl is required for Graph`);
    }
    if (!env.powerPlatformEnvironmentId) {
      problems.push(
        `environments[${i}] (${env.id}): powerPlatformEnvironmentId is required for Graph`,
      );
    }
  });
  return problems;
}

/** Refuses a tenant file the Graph directory cannot work with, naming every missing field. */
export function assertGraphReady(tenant: TenantConfig, source: string): void {
  const problems = graphTenantProblems(tenant);
  if (problems.length > 0) {
    throw new ValidationError(
      ErrorCode.TenantFileInvalid,
      problems.map((p) => `${source}: ${p}`),
    );
  }
}
