import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.ts';
import { useCluster } from './instances.ts';
import {
  allReach,
  doubleClickApprovals,
  expectEachOnce,
  invitationDms,
  inviteesInSlack,
  seatsInUse,
  submitOnboardings,
} from './outcomes.ts';

const db = useTestDatabase('scale/two-instances');
const N = 12;
const invitees = inviteesInSlack(N);
const run = useCluster(db, {
  invitees,
  seats: N + 3,
});

describe('two accessdesk processes behind one round-robin balancer, one database', () => {
  it('L1/L3: double clicks reach both: each request transitions once, with one account, one seat and one invitation DM', async () => {
    const seatsBefore = await seatsInUse(db.connection);
    const ids = await submitOnboardings(run.cluster.proxy, db.connection, N);

    // Each Approve is clicked twice at once: round robin sends one click to each instance, so
    // the two processes race on the same request.
    const clicks = await doubleClickApprovals(run.cluster.proxy, ids);
    expect(clicks.map((c) => c.status)).toEqual(clicks.map(() => 200));
    for (const instance of run.cluster.instances)
      expect(run.cluster.proxy.served.get(instance.url)).toBeGreaterThan(N);

    await allReach(db.connection, ids, 'invited', 120_000);
    await expectEachOnce(db.connection, ids, seatsBefore);
    for (const [slackId, email] of Object.entries(invitees)) {
      expect(
        invitationDms(run.cluster.slack.fake, slackId),
        `invitation DMs to ${email}`,
      ).toHaveLength(1);
    }
  }, 300_000);
});
