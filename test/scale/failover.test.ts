import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK } from '../../flows/ids.ts';
import { connectMongo } from '../../src/db/connect.ts';
import { type EmbeddedReplSet, startEmbeddedReplSet } from '../../src/db/embedded.ts';
import type { RequestDoc } from '../../src/lifecycle/request.model.ts';
import { approve, eventually, onboardingValues, post, submit, U } from '../slack/support.ts';
import { type Cluster, startCluster } from './instances.ts';
import {
  allReach,
  expectEachOnce,
  invitationDms,
  inviteesInSlack,
  seatsInUse,
  submitOnboardings,
} from './outcomes.ts';

const N = 100;
const APP = 'accessdesk-failover';
/** The 100 new hires and one more for the fail-point test, all in Slack. */
const invitees = inviteesInSlack(N + 1);
let replSet: EmbeddedReplSet;
let connection: Connection;
let cluster: Cluster;

beforeAll(async () => {
  // Its own three-member replica set: the suite's has one member, which cannot elect another.
  replSet = await startEmbeddedReplSet(3, { testCommands: true });
  connection = await connectMongo(replSet.uri, 'failover');
  cluster = await startCluster({
    // The instance's connections carry an appName, so a fail point can aim at them alone.
    uri: `${replSet.uri}&appName=${APP}`,
    dbName: 'failover',
    invitees,
    seats: N + 4,
    count: 1,
    extra: { ACCESSDESK_EFFECT_LEASE: '10s', ACCESSDESK_SWEEP_EVERY: '1s' },
  });
}, 240_000);

afterAll(async () => {
  await cluster?.stop();
  await connection?.close();
  await replSet?.stop();
}, 120_000);

/** The member that is primary now (host:port), as the set reports it. */
async function primary(): Promise<string> {
  const hello = await connection.db!.admin().command({ hello: 1 });
  if (!hello.primary) throw new Error('no primary right now');
  return String(hello.primary);
}

describe('the primary steps down in the middle of 100 approvals', () => {
  it('L1/L3: every approval is kept, once: 100 invited, 100 accounts, 100 seats, one invitation each', async () => {
    const seatsBefore = await seatsInUse(connection);
    const ids = await submitOnboardings(cluster.proxy, connection, N);
    const before = await primary();

    // 100 approvals, ten at a time; the primary is told to step down once a third are sent.
    const clicks: Promise<unknown>[] = [];
    let steppedDown: Promise<unknown> | undefined;
    for (let i = 0; i < N; i += 10) {
      if (i >= N / 3 && !steppedDown) {
        steppedDown = connection
          .db!.admin()
          .command({ replSetStepDown: 30, secondaryCatchUpPeriodSecs: 10 })
          .catch((error: unknown) => error);
      }
      const batch = ids.slice(i, i + 10).map((id) => post(cluster.proxy, approve(U.grace, id)));
      clicks.push(...batch);
      await Promise.all(batch);
    }
    await steppedDown;
    const statuses = (await Promise.all(clicks)) as { status: number }[];
    expect(statuses.map((c) => c.status)).toEqual(statuses.map(() => 200));
    // Another member was elected while the approvals were under way.
    const after = await eventually(primary, 60_000);
    expect(after).not.toBe(before);

    await allReach(connection, ids, 'invited', 240_000);
    await expectEachOnce(connection, ids, seatsBefore);
    for (const [slackId, email] of Object.entries(invitees).slice(0, N)) {
      expect(invitationDms(cluster.slack.fake, slackId), `invitations to ${email}`).toHaveLength(1);
    }
  }, 600_000);
});

describe('a primary that keeps refusing writes for longer than the driver retries', () => {
  it('L3: the compare-and-set tries again after NotWritablePrimary outlasts the driver retry: one approval, one seat', async () => {
    const seatsBefore = await seatsInUse(connection);
    const res = await post(
      cluster.proxy,
      submit(U.ada, CALLBACK.onboardingRequest, onboardingValues(N + 1)),
    );
    expect(res.status).toBe(200);
    const email = `katherine${N + 1}@example.org`;
    const id = await eventually(async () => {
      const doc = await connection
        .collection<RequestDoc>('requests')
        .findOne({ subjectEmail: email });
      if (!doc?.history.length) throw new Error('not submitted yet');
      return doc._id;
    }, 60_000);
    await allReach(connection, [id], 'requested.awaitingApproval', 60_000);

    // The next sixteen updates of the instance fail as a stepping-down primary answers them: the
    // driver's one retry of each meets the same answer, so accessdesk's own retry must take over.
    const admin = connection.db!.admin();
    await admin.command({
      configureFailPoint: 'failCommand',
      mode: { times: 16 },
      data: {
        failCommands: ['update'],
        errorCode: 10107, // NotWritablePrimary
        errorLabels: ['RetryableWriteError'],
        appName: APP,
      },
    });
    try {
      expect((await post(cluster.proxy, approve(U.grace, id))).status).toBe(200);
      await allReach(connection, [id], 'invited', 120_000);
    } finally {
      const off = await admin.command({ configureFailPoint: 'failCommand', mode: 'off' });
      // Every refusal was met (and survived).
      expect(off.count).toBe(16);
    }
    await expectEachOnce(connection, [id], seatsBefore);
    expect(invitationDms(cluster.slack.fake, `U0NEW${N + 1}`)).toHaveLength(1);
  }, 300_000);
});
