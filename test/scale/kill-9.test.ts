import { describe, expect, it } from 'vitest';
import type { RequestDoc } from '../../src/lifecycle/request.model.ts';
import { eventually } from '../slack/support.ts';
import { useTestDatabase } from '../support/db.ts';
import { type Instance, startInstance, useCluster } from './instances.ts';
import {
  allReach,
  doubleClickApprovals,
  expectEachOnce,
  invitationDms,
  inviteesInSlack,
  seatsInUse,
  submitOnboardings,
} from './outcomes.ts';

const db = useTestDatabase('scale/kill-9');
const N = 20;
const invitees = inviteesInSlack(N);
const run = useCluster(db, {
  invitees,
  seats: N + 3,
  // What a dead instance had leased is taken over 5 s later, by a sweep each second.
  extra: { ACCESSDESK_EFFECT_LEASE: '5s', ACCESSDESK_SWEEP_EVERY: '1s' },
});

/** How many of `ids` have left the approval step, and how many are invited. */
async function progress(ids: string[]) {
  const requests = db.connection.collection<RequestDoc>('requests');
  return {
    decided: await requests.countDocuments({
      _id: { $in: ids },
      'history.event': 'approver.approved',
    }),
    invited: await requests.countDocuments({ _id: { $in: ids }, status: 'invited' }),
  };
}

describe('kill -9 of an instance in the middle of a burst, then a restart', () => {
  it('L1/L3: every request still ends invited, once: one approval, one account, one seat each', async () => {
    const seatsBefore = await seatsInUse(db.connection);
    const ids = await submitOnboardings(run.cluster.proxy, db.connection, N);
    const [victim] = run.cluster.instances as [Instance, Instance];

    // The burst: both clicks of every request at once (one to each instance). The first
    // instance is killed once a quarter of the approvals are saved.
    const burst = doubleClickApprovals(run.cluster.proxy, ids);
    const atKill = await eventually(async () => {
      const now = await progress(ids);
      if (now.decided < N / 4) throw new Error(`${now.decided} approved so far`);
      return now;
    }, 60_000);
    await victim.kill9();
    // Killed in the middle: some requests had not got through provisioning and invitation.
    expect(atKill.invited).toBeLessThan(N);
    await burst;

    // Restarted (same configuration, a new process), as a supervisor would.
    run.cluster.instances[0] = await startInstance(run.cluster.env);
    await allReach(db.connection, ids, 'invited', 180_000);
    await expectEachOnce(db.connection, ids, seatsBefore, { auditLines: 'at most one' });
    const twice = Object.keys(invitees).filter(
      (id) => invitationDms(run.cluster.slack.fake, id).length > 1,
    );
    console.log(
      `[kill -9] at the kill ${atKill.decided} of ${N} approved, ${atKill.invited} invited; ` +
        `invitations delivered twice: ${twice.length}`,
    );
    for (const [slackId, email] of Object.entries(invitees)) {
      // A kill between the DM and its record sends it again on the retry (only the newest
      // link works); the tenant's side happened once either way (above).
      expect(
        invitationDms(run.cluster.slack.fake, slackId).length,
        `invitations to ${email}`,
      ).toBeGreaterThan(0);
    }
  }, 400_000);
});
