import { describe, expect, it } from 'vitest';
import { newRequestId } from '../../src/lifecycle/outbox.ts';
import { requestId, slackChannelId, slackTeamId, slackUserId } from '../../src/slack/ids.schema.ts';

describe('the id shapes the edge accepts', () => {
  it('every request id accessdesk makes is a request id, and little else is', () => {
    for (let i = 0; i < 2000; i++) expect(requestId.safeParse(newRequestId()).success).toBe(true);
    for (const bad of [
      'REQ-ABCDEFG',
      'REQ-ABCDEFGHJ',
      'REQ-ABCDEFGI',
      'REQ-0BCDEFGH',
      'req-abcdefgh',
      ' REQ-ABCDEFGH',
    ])
      expect(requestId.safeParse(bad).success, bad).toBe(false);
  });

  it('Slack ids by kind: users U/W, teams T, channels C/D/G', () => {
    expect(slackUserId.safeParse('U0GRACE').success).toBe(true);
    expect(slackUserId.safeParse('W012ABC').success).toBe(true);
    expect(slackTeamId.safeParse('T0TEST').success).toBe(true);
    for (const c of ['C0APPROVALS', 'D0DM', 'G0PRIVATE'])
      expect(slackChannelId.safeParse(c).success).toBe(true);
    for (const bad of ['u0grace', 'T0TEST', 'U', `U${'A'.repeat(40)}`, 'U0 GRACE', 'U0GRACE\n'])
      expect(slackUserId.safeParse(bad).success, bad).toBe(false);
    expect(slackChannelId.safeParse('U0GRACE').success).toBe(false);
  });
});
