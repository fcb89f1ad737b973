import type { AnyStateMachine, AnyStateNode } from 'xstate';

/** The action that only refuses an attempt; its self-transitions are left out of diagrams. */
const REFUSAL_ACTION = 'refuseAttempt';

type Transition = {
  target?: readonly AnyStateNode[] | undefined;
  guard?: unknown;
  actions: readonly unknown[];
  eventType: string;
};

/** One arrow of the diagram, attached to the composite state that contains both ends. */
interface Edge {
  from: AnyStateNode;
  to: AnyStateNode;
  label: string;
}

/** A guard as a person reads it: `isGlobalAdmin`, `!isRequester`, `a && b`. */
function guardName(guard: unknown): string {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function' && 'guards' in guard && Array.isArray(guard.guards)) {
    const inner = guard.guards.map(guardName);
    if (guard.name === 'not') return `!${inner.join('')}`;
    return inner.join(guard.name === 'or' ? ' || ' : ' && ');
  }
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String(guard.type);
  if (typeof guard === 'function' && guard.name) return guard.name;
  return 'guard';
}

/** An action's name, whether given as a string, `{ type, params }` or a named function. */
function actionName(action: unknown): string {
  if (typeof action === 'string') return action;
  if (typeof action === 'object' && action !== null && 'type' in action) return String(action.type);
  if (typeof action === 'function' && action.name) return action.name;
  return 'action';
}

/** A refusal changes nothing: no target and no action but `refuseAttempt`. */
function isRefusal(t: Transition): boolean {
  return (
    !t.target?.length &&
    t.actions.length > 0 &&
    t.actions.every((a) => actionName(a) === REFUSAL_ACTION)
  );
}

/** Children of a state node in definition order. */
function children(node: AnyStateNode): AnyStateNode[] {
  return Object.values(node.states) as AnyStateNode[];
}

/** Every state node below `node`, depth first, in definition order. */
function descendants(node: AnyStateNode): AnyStateNode[] {
  return children(node).flatMap((child) => [child, ...descendants(child)]);
}

/** The deepest state that is a proper ancestor of both nodes: where Mermaid must draw the arrow. */
function container(a: AnyStateNode, b: AnyStateNode): AnyStateNode {
  const ancestorsOfB = new Set<AnyStateNode>();
  for (let n = b.parent; n; n = n.parent) ancestorsOfB.add(n);
  for (let n = a.parent; n; n = n.parent) if (ancestorsOfB.has(n)) return n;
  return a.machine.root;
}

/** Every transition a node declares (`on` and `always`), in definition order. */
function transitionsOf(node: AnyStateNode): Transition[] {
  const on = [...node.transitions.values()].flat() as Transition[];
  return [...on, ...((node.always ?? []) as Transition[])];
}

/** The arrows leaving one node; refusals are skipped, targetless effects become self-loops. */
function edgesOf(node: AnyStateNode): Edge[] {
  return transitionsOf(node)
    .filter((t) => !isRefusal(t))
    .flatMap((t) => {
      const event = t.eventType === '' ? 'always' : t.eventType;
      const guard = t.guard === undefined ? '' : ` [${guardName(t.guard)}]`;
      if (!t.target?.length) {
        const actions = t.actions.map(actionName).join(', ');
        return [{ from: node, to: node, label: `${event}${guard} / ${actions}` }];
      }
      return t.target.map((to) => ({ from: node, to, label: `${event}${guard}` }));
    });
}

/** Mermaid ids: the state's key when unique in the machine, otherwise its path. */
function idsFor(machine: AnyStateMachine): Map<AnyStateNode, string> {
  const nodes = descendants(machine.root);
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n.key, (counts.get(n.key) ?? 0) + 1);
  return new Map(
    nodes.map((n) => [n, counts.get(n.key) === 1 ? n.key : (n.path as string[]).join('_')]),
  );
}

/**
 * A Mermaid `stateDiagram-v2` of an xstate machine, read from its state nodes: nested and
 * initial states, final states, transitions labelled `event [guard]`, `always` transitions.
 * Attempts refused without a change of state (`refuseAttempt` only) are left out.
 */
export function toMermaid(machine: AnyStateMachine): string {
  const ids = idsFor(machine);
  const id = (n: AnyStateNode) => ids.get(n) ?? n.key;
  const edges = new Map<AnyStateNode, Edge[]>();
  for (const node of descendants(machine.root)) {
    for (const edge of edgesOf(node)) {
      const where = container(edge.from, edge.to);
      edges.set(where, [...(edges.get(where) ?? []), edge]);
    }
  }

  const render = (node: AnyStateNode, indent: string): string[] => {
    const lines: string[] = [];
    for (const child of children(node)) {
      if (id(child) !== child.key) lines.push(`${indent}state "${child.key}" as ${id(child)}`);
    }
    for (const target of node.initial?.target ?? []) lines.push(`${indent}[*] --> ${id(target)}`);
    for (const child of children(node)) {
      if (children(child).length === 0) continue;
      lines.push(`${indent}state ${id(child)} {`, ...render(child, `${indent}  `), `${indent}}`);
    }
    for (const e of edges.get(node) ?? []) {
      lines.push(`${indent}${id(e.from)} --> ${id(e.to)} : ${e.label}`);
    }
    for (const child of children(node)) {
      if (child.type === 'final') lines.push(`${indent}${id(child)} --> [*]`);
    }
    return lines;
  };

  return ['stateDiagram-v2', ...render(machine.root, '  ')].join('\n');
}

/** The markers that fence a generated diagram in the README. */
export function markers(name: string): { start: string; end: string } {
  return { start: `<!-- diagram:${name}:start -->`, end: `<!-- diagram:${name}:end -->` };
}

/** A diagram as the README holds it: a fenced `mermaid` block. */
export function mermaidBlock(diagram: string): string {
  return `\`\`\`mermaid\n${diagram}\n\`\`\``;
}

/** The text between a diagram's markers, trimmed; throws when the markers are missing. */
export function readBetweenMarkers(readme: string, name: string): string {
  const { start, end } = markers(name);
  const from = readme.indexOf(start);
  const to = readme.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`README has no ${start} … ${end} markers`);
  return readme.slice(from + start.length, to).trim();
}

/** The README with `block` between the named markers, everything else untouched. */
export function replaceBetweenMarkers(readme: string, name: string, block: string): string {
  const { start, end } = markers(name);
  readBetweenMarkers(readme, name);
  const from = readme.indexOf(start) + start.length;
  const to = readme.indexOf(end, from);
  return `${readme.slice(0, from)}\n${block}\n${readme.slice(to)}`;
}

/** Names of the diagrams whose README block differs from what the machine generates. */
export function staleDiagrams(readme: string, blocks: Record<string, string>): string[] {
  return Object.entries(blocks)
    .filter(([name, block]) => readBetweenMarkers(readme, name) !== block.trim())
    .map(([name]) => name);
}
