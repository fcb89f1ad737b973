/** Loads the tenant YAML file: parse, validate shape (zod), then cross-references. */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ErrorCode, ValidationError } from '../errors.ts';
import { hasDatabase } from './access.rules.ts';
import { withDefaultRoles } from './security.rules.ts';
import { crossReferenceProblems } from './tenant.checks.ts';
import { type TenantConfig, TenantConfigSchema } from './tenant.schema.ts';

/** Reads and validates the tenant file at `path`; throws ValidationError(TenantFileInvalid). */
export async function loadTenantFile(path: string): Promise<TenantConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ValidationError(ErrorCode.TenantFileInvalid, [
      `${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
  return parseTenantConfig(text, path);
}

/** Parses tenant file text; every problem is one line `<source>: <field path>: <problem>`. */
export function parseTenantConfig(text: string, sourceName: string): TenantConfig {
  const fail = (problems: string[]) =>
    new ValidationError(
      ErrorCode.TenantFileInvalid,
      problems.map((p) => `${sourceName}: ${p}`),
    );
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (document.errors.length > 0) {
    throw fail(document.errors.map((e) => `not valid YAML: ${e.message.split('\n')[0]}`));
  }
  const data: unknown = document.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw fail([
      'not a tenant file: expected a YAML mapping with domain, skus, environments, people',
    ]);
  }
  const parsed = TenantConfigSchema.safeParse(data);
  if (!parsed.success) throw fail(parsed.error.issues.map(describeIssue));
  const config = withRootUnits(parsed.data);
  const problems = crossReferenceProblems(config);
  if (problems.length > 0) throw fail(problems);
  return config;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
  return `${path || '(root)'}: ${issue.message}`;
}

/** An environment with a database and no unit gets a root one; root units get S4's defaults. */
function withRootUnits(config: TenantConfig): TenantConfig {
  return {
    ...config,
    environments: config.environments.map((env) => {
      if (!hasDatabase(env.kind)) return env;
      const units =
        env.businessUnits.length > 0
          ? env.businessUnits
          : [{ id: 'root', name: env.name, roles: [] as string[] }];
      return { ...env, businessUnits: withDefaultRoles(env.kind, units) };
    }),
  };
}
