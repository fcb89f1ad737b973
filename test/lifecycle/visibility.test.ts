import { describe, expect, it } from 'vitest';
import type { RequestQueries } from '../../src/lifecycle/request.queries.ts';
import { RequestVisibility } from '../../src/lifecycle/visibility.ts';
import { exampleConfig, useTenant } from '../tenant/helpers.ts';

const t = useTenant('lifecycle/visibility');

const request = (requesterEmail: string, subjectEmail: string) => ({
  requesterEmail,
  subjectEmail,
  details: {} as never,
});

describe('who may see a request', () => {
  it('a manager sees the requests by or about the people under them, found up their reporting line', async () => {
    await t.service.applyConfig(await exampleConfig());
    const visibility = new RequestVisibility({} as RequestQueries, {
      isGlobalAdmin: (email) => t.service.isGlobalAdmin(email),
      reportsOf: async (email) => (await t.service.reportsOf(email)).map((p) => p._id),
      manages: (manager, person) => t.service.manages(manager, person),
    });
    // Ada manages Alan and Katherine; Grace (a Global admin) manages Ada.
    const ada = 'ada@contoso.example';
    expect(await visibility.maySee(ada, request('alan@contoso.example', 'x@example.org'))).toBe(
      true,
    );
    expect(
      await visibility.maySee(ada, request('x@example.org', 'katherine@contoso.example')),
    ).toBe(true);
    expect(await visibility.maySee('alan@contoso.example', request(ada, 'x@example.org'))).toBe(
      false,
    );
    expect(await visibility.maySee(ada, request('dennis@contoso.example', 'x@example.org'))).toBe(
      false,
    );
  });
});
