/**
 * Every rule of DOMAIN.md and the production code that enforces it: the source of the README's
 * rule table (`npm run diagrams`). test/rule-registry.test.ts fails when a listed function is not
 * referenced by production code outside its own file, or when no test title names a rule's ID.
 */

import { ENVIRONMENT_RULES } from './environment.ts';
import { TENANT_RULES } from './tenant.ts';
import type { RuleEntry } from './types.ts';

export type { Enforcer, RuleEntry } from './types.ts';

/** The rules, in DOMAIN.md's order. */
export const RULES: readonly RuleEntry[] = [...TENANT_RULES, ...ENVIRONMENT_RULES];
