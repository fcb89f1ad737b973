import { afterAll, beforeAll, expect } from 'vitest';
import { CALLBACK } from '../../flows/ids.ts';
import { useTestDatabase } from '../support/db.ts';
import {
  FakeSlack,
  onboardingValues,
  post,
  type SlackBody,
  startDesk,
  submit,
  U,
} from './support.ts';

/** What the edge tests share: a desk on a real mongod with one request waiting for a decision. */
export interface EdgeFixture {
  db: ReturnType<typeof useTestDatabase>;
  slack: FakeSlack;
  desk: Awaited<ReturnType<typeof startDesk>>;
  /** Ada's onboarding request for Katherine Johnson1, waiting for a decision. */
  requestId: string;
  /** Unhandled rejections seen while the file ran (there must be none). */
  rejections: unknown[];
}

/** Sets up the fixture for the calling test file (call at its top level). */
export function useEdgeFixture(label: string): EdgeFixture {
  const fixture = {
    db: useTestDatabase(label),
    slack: new FakeSlack(),
    rejections: [],
  } as unknown as EdgeFixture;
  const onRejection = (reason: unknown) => fixture.rejections.push(reason);
  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    fixture.slack.install();
    fixture.desk = await startDesk(fixture.db.connection);
    const res = await post(
      fixture.desk,
      submit(U.ada, CALLBACK.onboardingRequest, onboardingValues(1)),
    );
    expect(res.status).toBe(200);
    await fixture.slack.waitFor('chat.postMessage', 'Johnson1 was sent');
    await fixture.desk.system.background.idle();
    const [request] = await fixture.desk.system.queries.requestsInvolving(['ada@contoso.example']);
    fixture.requestId = request!._id;
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await fixture.desk?.stop();
    FakeSlack.uninstall();
  });
  return fixture;
}

/** The JSON of an interaction body's `payload=` field. */
export const payloadOf = (b: SlackBody): Record<string, unknown> =>
  JSON.parse(new URLSearchParams(b.body).get('payload')!);
