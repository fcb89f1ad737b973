import { describe, expect, it } from 'vitest';
import type { Directory } from '../../src/lifecycle/ports.ts';
import { provisioningSteps } from '../../src/lifecycle/provisioning.ts';
import type { OnboardingDetails, RequestDoc } from '../../src/lifecycle/request.model.ts';

/**
 * A directory port that only records which of its methods were called, in order; `inOneCall`:
 * what its `placeInEnvironment` answers (whether it placed the account in one call).
 */
function recordingDirectory(calls: string[], inOneCall = false): Directory {
  return new Proxy({} as Directory, {
    get: (_target, method: string) => async () => {
      calls.push(method);
      if (method === 'placeInEnvironment') return inOneCall;
      return method === 'createAccount' ? { accountId: 'acc_1', upn: 'mary@contoso.example' } : [];
    },
  });
}

const details: OnboardingDetails = {
  firstName: 'Mary',
  lastName: 'Jackson',
  email: 'mary@example.org',
  sku: 'D365_SALES',
  environment: 'sales-prod',
  businessUnit: 'sales',
  securityRoles: ['Salesperson'],
  accessMode: 'read_write',
  adminRoles: ['Billing admin'],
  justification: 'joins sales',
};

describe('provisioning order', () => {
  it('P1: the directory step (account, seat, admin roles) runs before the environment step', async () => {
    const calls: string[] = [];

    const account = await provisioningSteps(
      recordingDirectory(calls),
      { _id: 'REQ-1' } as RequestDoc,
      details,
    );

    expect(account).toEqual({ accountId: 'acc_1', upn: 'mary@contoso.example' });
    expect(calls).toEqual([
      'createAccount',
      'bindSeat',
      'grantAdminRoles',
      'placeInEnvironment', // answers false here: the four steps follow, in order
      'addToSecurityGroup',
      'assignBusinessUnit',
      'assignSecurityRoles',
      'setAccessMode',
    ]);
  });

  it('P1: a directory that places the account in one call takes no environment step after it', async () => {
    const calls: string[] = [];

    await provisioningSteps(
      recordingDirectory(calls, true),
      { _id: 'REQ-3' } as RequestDoc,
      details,
    );

    expect(calls).toEqual(['createAccount', 'bindSeat', 'grantAdminRoles', 'placeInEnvironment']);
  });

  it('P1: without admin roles the directory step grants none', async () => {
    const calls: string[] = [];

    await provisioningSteps(recordingDirectory(calls), { _id: 'REQ-2' } as RequestDoc, {
      ...details,
      adminRoles: [],
    });

    expect(calls).not.toContain('grantAdminRoles');
    expect(calls.slice(0, 2)).toEqual(['createAccount', 'bindSeat']);
  });
});
