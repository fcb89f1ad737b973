/** Production code that enforces a rule: functions (or methods) of one file. */
export interface Enforcer {
  /** Path from the repository root. */
  file: string;
  /** Exported functions or constants, or methods of the file's classes, that do the enforcing. */
  symbols: readonly string[];
  /** How, when the names alone do not say. */
  note?: string;
}

/** One rule of DOMAIN.md. */
export interface RuleEntry {
  id: string;
  what: string;
  enforcedBy: readonly Enforcer[];
}
