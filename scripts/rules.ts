/**
 * The README's rule table, generated from `src/rule-registry/`, and the static scan that tells
 * whether production code (src/, flows/, machines/, never test/) reaches what the registry lists.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import type { RuleEntry } from '../src/rule-registry/index.ts';

/** Folders whose non-test files are production code. */
export const PRODUCTION_DIRS = ['src', 'flows', 'machines'] as const;
/** The registry names functions; it must not count as their use. */
const REGISTRY = 'src/rule-registry/';

/** The README table: rule, what, and links to the enforcing files with their functions. */
export function ruleTable(rules: readonly RuleEntry[]): string {
  const rows = rules.map((rule) => [
    rule.id,
    rule.what,
    rule.enforcedBy
      .map((e) => {
        const names = e.symbols.join(', ') + (e.note ? `: ${e.note}` : '');
        return `[\`${basename(e.file)}\`](${e.file}) (${names})`;
      })
      .join('; '),
  ]);
  const head = ['rule', 'what', 'enforced in'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** One parsed production file. */
interface Scanned {
  path: string;
  source: ts.SourceFile;
}

/** Production files of `root`, parsed. Tests and the registry are left out. */
export function scanProduction(root: string): Scanned[] {
  const files = PRODUCTION_DIRS.flatMap((dir) =>
    (readdirSync(join(root, dir), { recursive: true }) as string[])
      .map((f) => join(dir, f))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts')),
  ).filter((f) => !f.startsWith(REGISTRY));
  return files.map((path) => scanFile(root, path));
}

function scanFile(root: string, path: string): Scanned {
  const text = readFileSync(join(root, path), 'utf8');
  return { path, source: ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true) };
}

/** A function, constant, class or class method of a production file. */
interface Declaration {
  file: Scanned;
  name: string;
  kind: 'export' | 'member';
}

/** Top-level functions, constants and classes of `file`, and its classes' members. */
function declarations(file: Scanned): Declaration[] {
  const found: Declaration[] = [];
  const add = (name: string, kind: Declaration['kind']) => found.push({ file, name, kind });
  for (const statement of file.source.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name) add(statement.name.text, 'export');
    else if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) {
        if (ts.isIdentifier(d.name)) add(d.name.text, 'export');
      }
    } else if (ts.isClassDeclaration(statement) && statement.name) {
      add(statement.name.text, 'export');
      for (const m of statement.members) {
        if ((ts.isMethodDeclaration(m) || ts.isPropertyDeclaration(m)) && m.name) {
          if (ts.isIdentifier(m.name) || ts.isPrivateIdentifier(m.name)) {
            add(m.name.text.replace(/^#/, ''), 'member');
          }
        }
      }
    }
  }
  return found;
}

/** What production files other than `file` (and the registry) refer to, by kind. */
function usesOutside(root: string, files: Scanned[], file: Scanned) {
  const imported = new Set<string>();
  const members = new Set<string>();
  for (const other of files.filter((f) => f !== file)) {
    for (const statement of other.source.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) {
        continue;
      }
      const from = relative(
        root,
        resolve(root, dirname(other.path), statement.moduleSpecifier.text),
      );
      const named = statement.importClause?.namedBindings;
      if (from !== file.path || !named || !ts.isNamedImports(named)) continue;
      // Type-only imports call nothing; tsc's noUnusedLocals makes every other import a use.
      if (statement.importClause?.isTypeOnly) continue;
      for (const el of named.elements) {
        if (!el.isTypeOnly) imported.add((el.propertyName ?? el.name).text);
      }
    }
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAccessExpression(node)) members.add(node.name.text.replace(/^#/, ''));
      if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
        const name = node.propertyName ?? node.name;
        if (ts.isIdentifier(name)) members.add(name.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(other.source);
  }
  return { imported, members };
}

/**
 * Problems with the registry, one line each (empty when none): a listed file or function that
 * does not exist, or one no other production file refers to (an export nobody imports, a method
 * nobody calls). Tests and the registry itself do not count.
 */
export function unreachableEnforcers(
  root: string,
  rules: readonly RuleEntry[],
  files: Scanned[],
): string[] {
  const problems: string[] = [];
  const usesOf = new Map<Scanned, ReturnType<typeof usesOutside>>();
  for (const rule of rules) {
    for (const enforcer of rule.enforcedBy) {
      const file = files.find((f) => f.path === enforcer.file);
      if (!file) {
        problems.push(`${rule.id}: ${enforcer.file} is not a production file`);
        continue;
      }
      const declared = declarations(file);
      const uses = usesOf.get(file) ?? usesOutside(root, files, file);
      usesOf.set(file, uses);
      for (const name of enforcer.symbols) {
        const d = declared.find((x) => x.name === name);
        if (!d) problems.push(`${rule.id}: ${enforcer.file} declares no ${name}`);
        else if (!(d.kind === 'export' ? uses.imported : uses.members).has(name)) {
          problems.push(
            `${rule.id}: ${name} (${enforcer.file}) is used by no other production file`,
          );
        }
      }
    }
  }
  return problems;
}

/**
 * Exported values (functions, constants) of the `*.rules.ts` files that production code never
 * uses: imported by no other production file and not used in their own file either.
 */
export function unusedRuleExports(root: string, files: Scanned[]): string[] {
  const unused: string[] = [];
  for (const file of files.filter((f) => f.path.endsWith('.rules.ts'))) {
    const { imported } = usesOutside(root, files, file);
    const own = new Map<string, number>();
    const count = (node: ts.Node): void => {
      if (ts.isIdentifier(node)) own.set(node.text, (own.get(node.text) ?? 0) + 1);
      ts.forEachChild(node, count);
    };
    count(file.source);
    for (const name of file.source.statements.flatMap(exportedValueNames)) {
      // One occurrence is the declaration itself.
      if (!imported.has(name) && (own.get(name) ?? 0) < 2) unused.push(`${file.path}: ${name}`);
    }
  }
  return unused;
}

function exportedValueNames(statement: ts.Statement): string[] {
  const exported =
    ts.canHaveModifiers(statement) &&
    !!ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  if (!exported) return [];
  if (ts.isFunctionDeclaration(statement) && statement.name) return [statement.name.text];
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.flatMap((d) =>
      ts.isIdentifier(d.name) ? [d.name.text] : [],
    );
  }
  return [];
}
