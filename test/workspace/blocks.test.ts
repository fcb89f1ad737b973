import { describe, expect, it } from 'vitest';
import { buildStateValues, normalizeBlocks, stateValueFor } from '../../src/workspace/blocks.ts';

const opt = (value: string) => ({ text: { type: 'plain_text' as const, text: value }, value });

describe('view state values, shaped as Slack reports them', () => {
  it('gives each element type its own value shape', () => {
    expect(stateValueFor({ type: 'email_text_input' }, 'a@b.test')).toEqual({
      type: 'email_text_input',
      value: 'a@b.test',
    });
    expect(stateValueFor({ type: 'plain_text_input' }, '')).toEqual({
      type: 'plain_text_input',
      value: null,
    });
    const grouped = {
      type: 'static_select',
      option_groups: [{ label: { type: 'plain_text' as const, text: 'G' }, options: [opt('x')] }],
    };
    expect(stateValueFor(grouped, 'x')).toEqual({
      type: 'static_select',
      selected_option: opt('x'),
    });
    expect(stateValueFor({ type: 'users_select' }, 'U1')).toEqual({
      type: 'users_select',
      selected_user: 'U1',
    });
    expect(
      stateValueFor({ type: 'multi_static_select', options: [opt('a')] }, ['a', 'zz']),
    ).toEqual({ type: 'multi_static_select', selected_options: [opt('a')] });
  });

  it('fills in block_id and action_id where the bot left them out, and keeps given ones', () => {
    const [header, actions] = normalizeBlocks([
      { type: 'header', text: { type: 'plain_text', text: 'H' } },
      { type: 'actions', block_id: 'act', elements: [{ type: 'button', text: opt('b').text }] },
    ]);
    expect(header?.block_id).toMatch(/^\w{5}$/);
    expect(actions?.block_id).toBe('act');
    expect(actions?.elements?.[0]?.action_id).toMatch(/^\w{5}$/);
  });

  it('reports initial values for untouched inputs and skips buttons', () => {
    const blocks = normalizeBlocks([
      {
        type: 'input',
        block_id: 'env',
        element: {
          type: 'static_select',
          action_id: 'e',
          options: [opt('p')],
          initial_option: opt('p'),
        },
      },
      { type: 'actions', block_id: 'a', elements: [{ type: 'button', action_id: 'go' }] },
    ]);
    expect(buildStateValues(blocks, {})).toEqual({
      env: { e: { type: 'static_select', selected_option: opt('p') } },
    });
  });
});
