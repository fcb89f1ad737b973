import type { Block, ModalView } from '../../../flows/blocks/types.ts';

type InputBlock = Extract<Block, { type: 'input' }>;

/** The input blocks of a modal, by block id. */
export function inputs(view: ModalView): Map<string | undefined, InputBlock> {
  const found = view.blocks.filter((b): b is InputBlock => b.type === 'input');
  return new Map(found.map((b) => [b.block_id, b]));
}

/** The option values of one select. */
export function values(view: ModalView, field: string): string[] {
  const element = inputs(view).get(field)?.element as { options?: Array<{ value: string }> };
  return (element?.options ?? []).map((o) => o.value);
}
