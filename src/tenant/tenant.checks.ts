/** Cross-reference checks of a tenant file that zod alone cannot express; one line per problem. */
import { hasDatabase } from './access.rules.ts';
import {
  isAdminRole,
  isConnectedSpacesRole,
  isGlobalAdmin,
  partnerCenterCategory,
} from './admin.rules.ts';
import { roleExists, rolesOutsideBusinessUnit } from './security.rules.ts';
import type { EnvironmentConfig, PersonConfig, TenantConfig } from './tenant.schema.ts';

/** Every cross-reference problem of `config`, each naming its field path (empty when valid). */
export function crossReferenceProblems(config: TenantConfig): string[] {
  const problems: string[] = [];
  const skuIds = new Set(config.skus.map((s) => s.id));
  problems.push(...duplicates(config.skus, (s) => s.id, 'skus', 'id', 'SKU id'));
  problems.push(...duplicates(config.environments, (e) => e.id, 'environments', 'id', 'id'));
  problems.push(...duplicates(config.groups, (g) => g.id, 'groups', 'id', 'group id'));
  config.environments.forEach((env, i) => {
    problems.push(...environmentProblems(env, `environments[${i}]`, skuIds));
  });
  const groupIds = new Set([
    ...config.groups.map((g) => g.id),
    ...config.environments.flatMap((e) => (e.securityGroup ? [e.securityGroup] : [])),
  ]);
  config.groups.forEach((group, i) => {
    group.nestedGroups.forEach((nested, j) => {
      if (!groupIds.has(nested)) {
        problems.push(`groups[${i}].nestedGroups[${j}]: unknown group "${nested}"`);
      }
    });
  });
  problems.push(...duplicates(config.people, (p) => p.email, 'people', 'email', 'email'));
  problems.push(...duplicates(config.people, (p) => p.slackId, 'people', 'slackId', 'slackId'));
  const envs = new Map(config.environments.map((e) => [e.id, e]));
  config.people.forEach((person, i) => {
    problems.push(...personProblems(person, `people[${i}]`, skuIds, envs));
  });
  problems.push(...managerProblems(config.people));
  problems.push(...capacityProblems(config));
  if (!config.people.some((p) => isGlobalAdmin(p.adminRoles))) {
    problems.push('people: no one holds "Global admin"; the tenant needs at least one (A2)');
  }
  return problems;
}

function duplicates<T>(
  items: T[],
  key: (t: T) => string,
  list: string,
  field: string,
  what: string,
) {
  const seen = new Map<string, number>();
  const problems: string[] = [];
  items.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first === undefined) seen.set(k, i);
    else problems.push(`${list}[${i}].${field}: duplicate ${what} "${k}" (also ${list}[${first}])`);
  });
  return problems;
}

function environmentProblems(env: EnvironmentConfig, at: string, skuIds: Set<string>): string[] {
  const problems = duplicates(env.businessUnits, (b) => b.id, `${at}.businessUnits`, 'id', 'id');
  problems.push(...duplicates(env.teams, (t) => t.id, `${at}.teams`, 'id', 'team id'));
  if (env.licenseSku && !skuIds.has(env.licenseSku)) {
    problems.push(`${at}.licenseSku: unknown SKU "${env.licenseSku}"`);
  }
  if (!hasDatabase(env.kind)) {
    if (env.securityGroup) {
      problems.push(`${at}.securityGroup: an environment of kind "none" has no database (E6)`);
    }
    return problems;
  }
  if (!env.securityGroup)
    problems.push(`${at}.securityGroup: required for kind "${env.kind}" (E1)`);
  if (env.kind === 'connected-spaces' && !env.licenseSku) {
    problems.push(`${at}.licenseSku: Connected Spaces needs its own license SKU (A5)`);
  }
  const unitIds = new Set(env.businessUnits.map((b) => b.id));
  const roots = env.businessUnits.filter((b) => !b.parent);
  if (roots.length !== 1) {
    problems.push(
      `${at}.businessUnits: needs exactly one root unit (without parent), found ${roots.length}`,
    );
  }
  env.businessUnits.forEach((unit, j) => {
    if (unit.parent && !unitIds.has(unit.parent)) {
      problems.push(`${at}.businessUnits[${j}].parent: unknown business unit "${unit.parent}"`);
    }
    unit.roles.forEach((role, k) => {
      if (isAdminRole(role)) {
        problems.push(
          `${at}.businessUnits[${j}].roles[${k}]: "${role}" is an admin role, not a security role (A1)`,
        );
      }
      if (env.kind === 'connected-spaces' && !isConnectedSpacesRole(role)) {
        problems.push(
          `${at}.businessUnits[${j}].roles[${k}]: "${role}" is not a Connected Spaces role (A5)`,
        );
      }
    });
  });
  env.teams.forEach((team, j) => {
    if (!unitIds.has(team.businessUnit)) {
      problems.push(`${at}.teams[${j}].businessUnit: unknown business unit "${team.businessUnit}"`);
    }
    for (const role of rolesOutsideBusinessUnit(env.businessUnits, team.businessUnit, team.roles)) {
      problems.push(
        `${at}.teams[${j}].roles: "${role}" is not a role of business unit "${team.businessUnit}" (S3)`,
      );
    }
  });
  return problems;
}

function personProblems(
  person: PersonConfig,
  at: string,
  skuIds: Set<string>,
  envs: Map<string, EnvironmentConfig>,
): string[] {
  const problems: string[] = [];
  person.adminRoles.forEach((role, j) => {
    if (!isAdminRole(role)) problems.push(`${at}.adminRoles[${j}]: unknown admin role "${role}"`);
  });
  person.partnerCenterRoles.forEach((role, j) => {
    if (!partnerCenterCategory(role)) {
      problems.push(`${at}.partnerCenterRoles[${j}]: unknown Partner Center role "${role}"`);
    }
  });
  person.licenses.forEach((sku, j) => {
    if (!skuIds.has(sku)) problems.push(`${at}.licenses[${j}]: unknown SKU "${sku}"`);
    else if (person.licenses.indexOf(sku) !== j) {
      problems.push(`${at}.licenses[${j}]: SKU "${sku}" listed twice; one seat per account (L1)`);
    }
  });
  person.environments.forEach((membership, j) => {
    const where = `${at}.environments[${j}]`;
    const env = envs.get(membership.id);
    if (!env) {
      problems.push(`${where}.id: unknown environment "${membership.id}"`);
      return;
    }
    if (!hasDatabase(env.kind)) {
      problems.push(`${where}.id: environment "${env.id}" has no database (E6)`);
      return;
    }
    if (person.environments.findIndex((m) => m.id === membership.id) !== j) {
      problems.push(`${where}.id: environment "${env.id}" listed twice`);
    }
    const unit = membership.businessUnit ?? env.businessUnits.find((b) => !b.parent)?.id ?? '';
    if (!env.businessUnits.some((b) => b.id === unit)) {
      problems.push(`${where}.businessUnit: unknown business unit "${unit}" in "${env.id}"`);
      return;
    }
    membership.roles.forEach((role, k) => {
      if (!roleExists(env.businessUnits, role)) {
        problems.push(
          `${where}.roles[${k}]: security role "${role}" is listed in no business unit of "${env.id}"`,
        );
      } else if (rolesOutsideBusinessUnit(env.businessUnits, unit, [role]).length > 0) {
        problems.push(
          `${where}.roles[${k}]: "${role}" is not a role of business unit "${unit}" (S3)`,
        );
      }
    });
    membership.teams.forEach((team, k) => {
      if (!env.teams.some((t) => t.id === team)) {
        problems.push(`${where}.teams[${k}]: unknown team "${team}" in "${env.id}"`);
      }
    });
    if (membership.accessMode === 'application') {
      problems.push(`${where}.accessMode: application users are registered apps, not people (M4)`);
    }
    if (
      env.kind === 'connected-spaces' &&
      env.licenseSku &&
      !person.licenses.includes(env.licenseSku)
    ) {
      problems.push(`${where}.id: Connected Spaces needs its own license "${env.licenseSku}" (A5)`);
    }
  });
  return problems;
}

function managerProblems(people: PersonConfig[]): string[] {
  const managerOf = new Map(people.map((p) => [p.email, p.managerEmail]));
  const problems: string[] = [];
  people.forEach((person, i) => {
    if (!person.managerEmail) return;
    if (!managerOf.has(person.managerEmail)) {
      problems.push(`people[${i}].managerEmail: unknown person "${person.managerEmail}"`);
      return;
    }
    const chain = [person.email];
    let next: string | undefined = person.managerEmail;
    while (next && managerOf.has(next)) {
      if (next === person.email) {
        problems.push(`people[${i}].managerEmail: manager cycle ${[...chain, next].join(' -> ')}`);
        return;
      }
      if (chain.includes(next)) return; // a cycle further up, reported for its own members
      chain.push(next);
      next = managerOf.get(next);
    }
  });
  return problems;
}

function capacityProblems(config: TenantConfig): string[] {
  const problems: string[] = [];
  config.skus.forEach((sku, i) => {
    const wanted = config.people.filter((p) => p.licenses.includes(sku.id)).length;
    if (wanted > sku.seats) {
      problems.push(
        `skus[${i}].seats: ${wanted} people hold "${sku.id}" but it has ${sku.seats} seats (L3)`,
      );
    }
  });
  config.environments.forEach((env, i) => {
    const nonInteractive = config.people.filter((p) =>
      p.environments.some((m) => m.id === env.id && m.accessMode === 'non_interactive'),
    ).length;
    if (nonInteractive > env.nonInteractiveLimit) {
      problems.push(
        `environments[${i}].nonInteractiveLimit: ${nonInteractive} non-interactive users exceed the limit of ${env.nonInteractiveLimit} (M3)`,
      );
    }
  });
  return problems;
}
