import { describe, expect, it } from 'vitest';
import { ACTION, CALLBACK } from '../../../flows/ids.ts';

describe('flows/ids', () => {
  it('keeps the public callback and action ids', () => {
    expect(CALLBACK).toEqual({
      onboardingRequest: 'onboarding_request',
      roleChangeRequest: 'role_change_request',
      denyRequest: 'deny_request',
      openOnboarding: 'open_onboarding',
      bulkImport: 'bulk_import',
      offboardShortcut: 'offboard_person',
      offboardRequest: 'offboard_request',
    });
    expect(ACTION).toMatchObject({
      approveRequest: 'approve_request',
      denyRequest: 'deny_request',
      cancelRequest: 'cancel_request',
      acceptInvitation: 'accept_invitation',
      extendGrant: 'extend_grant',
    });
  });

  it('gives every action a distinct id', () => {
    const ids = Object.values(ACTION);

    expect(new Set(ids).size).toBe(ids.length);
  });
});
