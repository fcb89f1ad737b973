import {
  type AnyStateMachine,
  type AnyStateNode,
  initialTransition,
  type SnapshotFrom,
  type StateValue,
  transition,
} from 'xstate';
import { STATUS_WORDS, type StatusWord } from '../../machines/tags.ts';

/** A snapshot of any registered machine. */
export type AnySnapshot = SnapshotFrom<AnyStateMachine>;

/** An action a transition named, as `transition()` returns it. */
export interface NamedAction {
  type: string;
  params?: unknown;
}

/**
 * The machines of every request kind, by kind. What the kernel knows of a lifecycle it reads
 * here, from the machines themselves: the stored status of a state, its tags.
 */
export class MachineRegistry<Kind extends string = string> {
  /** Per kind, the tags of each stored status (a state's own and its ancestors'). */
  readonly #tags = new Map<string, Map<string, Set<string>>>();

  constructor(private readonly machines: Record<Kind, AnyStateMachine>) {
    for (const [kind, machine] of Object.entries<AnyStateMachine>(machines)) {
      const byStatus = new Map<string, Set<string>>();
      collectTags(machine.root, new Set(), byStatus);
      this.#tags.set(kind, byStatus);
    }
  }

  /** The machine a request of `kind` follows. */
  machineFor(kind: Kind): AnyStateMachine {
    const machine = this.machines[kind];
    if (!machine) throw new Error(`no machine for requests of kind ${kind}`);
    return machine;
  }

  /** The first snapshot of a request of `kind`, and the actions entering it names. */
  start(kind: Kind, input: unknown): [AnySnapshot, NamedAction[]] {
    const [snapshot, actions] = initialTransition(this.machineFor(kind), input as never);
    return [snapshot as AnySnapshot, actions as unknown as NamedAction[]];
  }

  /** Restores a snapshot from the stored state value and context (no actor is started). */
  restore(kind: Kind, state: unknown, context: Record<string, unknown>): AnySnapshot {
    return this.machineFor(kind).resolveState({
      value: state as StateValue,
      context,
    }) as AnySnapshot;
  }

  /** The next snapshot after `event`, and the actions the transition named. */
  next(kind: Kind, snapshot: AnySnapshot, event: object): [AnySnapshot, NamedAction[]] {
    const [next, actions] = transition(this.machineFor(kind), snapshot, event as never);
    return [next as AnySnapshot, actions as unknown as NamedAction[]];
  }

  /** Restores a snapshot from a stored status path (`approved.waitingForSeat`). */
  restoreStatus(kind: Kind, status: string, context: Record<string, unknown>): AnySnapshot {
    const value = status
      .split('.')
      .reduceRight<StateValue | undefined>(
        (child, key) => (child ? { [key]: child } : key),
        undefined,
      );
    return this.restore(kind, value, context);
  }

  /** The status word the machine tags a stored `status` of a request of `kind` with. */
  wordOf(kind: Kind, status: string): StatusWord {
    const tags = this.#tags.get(kind)?.get(status);
    const word = STATUS_WORDS.find((w) => tags?.has(w));
    if (!word) throw new Error(`no status word for ${kind} in ${status}`);
    return word;
  }

  /** Whether a stored `status` of a request of `kind` is (within) a state tagged `tag`. */
  hasTag(kind: Kind, status: string, tag: string): boolean {
    return this.#tags.get(kind)?.get(status)?.has(tag) ?? false;
  }

  /** Every status a request of `kind` can be stored in (its machine's leaf states). */
  statuses(kind: Kind): string[] {
    return [...(this.#tags.get(kind)?.keys() ?? [])];
  }

  /** Every stored status, of any kind, of a state tagged `tag`: what queries by tag look for. */
  statusesTagged(tag: string): string[] {
    const statuses = new Set<string>();
    for (const byStatus of this.#tags.values()) {
      for (const [status, tags] of byStatus) if (tags.has(tag)) statuses.add(status);
    }
    return [...statuses].sort();
  }
}

/** `{ approved: 'waitingForSeat' }` → `approved.waitingForSeat`. */
export function statusOf(value: StateValue): string {
  if (typeof value === 'string') return value;
  const [key, child] = Object.entries(value)[0] ?? ['unknown', undefined];
  return child === undefined ? key : `${key}.${statusOf(child as StateValue)}`;
}

/** Records the tags of every leaf state (a stored status), inheriting its ancestors'. */
function collectTags(node: AnyStateNode, inherited: Set<string>, into: Map<string, Set<string>>) {
  const tags = new Set([...inherited, ...node.tags]);
  const children = Object.values(node.states) as AnyStateNode[];
  if (!children.length) into.set(node.path.join('.'), tags);
  for (const child of children) collectTags(child, tags, into);
}
