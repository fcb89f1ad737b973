import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Accessdesk } from '../../src/server.ts';
import { startDesk } from '../e2e/support.ts';
import { useTestDatabase } from '../support/db.ts';

const db = useTestDatabase('workspace/first-person');

describe('the local workspace of `npm start`', () => {
  let desk: Accessdesk;
  beforeAll(async () => {
    desk = await startDesk(db, 'tenant.yaml');
  });
  afterAll(() => desk?.stop());

  it("lists people in the tenant file's order, so the page starts as its first person", async () => {
    const file = parse(readFileSync('tenant.yaml', 'utf8')) as { people: { slackId: string }[] };

    const state = (await (await fetch(`${desk.url}/workspace/state`)).json()) as {
      people: { id: string }[];
    };

    expect(state.people.map((p) => p.id)).toEqual(file.people.map((p) => p.slackId));
    expect(state.people[0]!.id).toBe('U0GRACE');
  });
});
