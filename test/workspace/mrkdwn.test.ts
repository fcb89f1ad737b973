import { describe, expect, it } from 'vitest';
import { mrkdwn, textObject } from '../../src/workspace/assets/mrkdwn.js';

const names = (id: string) => ({ U0GADMIN: 'Gita Admin' })[id];

describe('the page’s mrkdwn renderer', () => {
  it('formats bold, italic, strike, code and newlines', () => {
    expect(mrkdwn('*Env* _prod_ ~old~ `role`\nnext', names)).toBe(
      '<strong>Env</strong> <em>prod</em> <del>old</del> <code>role</code><br>next',
    );
  });

  it('shows mentions as names and links with their text', () => {
    expect(mrkdwn('<@U0GADMIN> see <https://contoso.test/r/1|request 1>', names)).toBe(
      '<span class="mention" data-user-id="U0GADMIN">@Gita Admin</span> see ' +
        '<a href="https://contoso.test/r/1" target="_blank" rel="noreferrer">request 1</a>',
    );
  });

  it('escapes HTML and leaves formatting out of code', () => {
    expect(mrkdwn('<script> &amp; `*not bold*`')).toBe(
      '<a href="#" target="_blank" rel="noreferrer">script</a> &amp; <code>*not bold*</code>',
    );
    expect(mrkdwn('a &lt;b&gt; c')).toBe('a &lt;b&gt; c');
  });

  it('renders plain_text as text and known emoji shortcodes', () => {
    expect(textObject({ type: 'plain_text', text: '<b>*x*</b> :white_check_mark:' })).toBe(
      '&lt;b&gt;*x*&lt;/b&gt; ✅',
    );
    expect(mrkdwn(':warning: 10:30:00')).toBe('⚠️ 10:30:00');
  });
});
