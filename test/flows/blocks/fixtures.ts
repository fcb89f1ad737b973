import type { RequestView, SeatView, TenantOptions } from '../../../flows/blocks/types.ts';
import type { RequestKind } from '../../../src/lifecycle/request.model.ts';
import { type RequestStatus, statusFacts } from '../../../src/lifecycle/status.ts';

/** A tenant with two environments, the second with two business units. */
export const tenant: TenantOptions = {
  skus: [
    { id: 'm365-e3', name: 'Microsoft 365 E3' },
    { id: 'd365-sales', name: 'Dynamics 365 Sales Enterprise' },
  ],
  environments: [
    {
      id: 'prod',
      name: 'Contoso Production',
      businessUnits: [{ id: 'contoso', name: 'Contoso', roles: ['Basic User', 'Salesperson'] }],
    },
    {
      id: 'uat',
      name: 'Contoso UAT',
      businessUnits: [
        { id: 'contoso-uat', name: 'Contoso', roles: ['Basic User', 'System Customizer'] },
        { id: 'emea', name: 'EMEA Sales', roles: ['Salesperson', 'Sales Manager'] },
      ],
    },
  ],
  adminRoles: ['Global admin', 'Billing admin', 'Password admin'],
};

/** Where a request of `kind` by Grace is when its machine rests in `status` (from the machine). */
export function inState(status: string, kind: RequestKind = 'onboarding'): RequestStatus {
  return statusFacts(kind, status, 'grace@contoso.example');
}

/** An onboarding request waiting for its first approval. */
export function onboardingRequest(overrides: Partial<RequestView> = {}): RequestView {
  return {
    id: 'REQ-7K3Q9D',
    kind: 'onboarding',
    ...inState('requested.awaitingApproval'),
    requester: { email: 'grace@contoso.example', name: 'Grace Hopper', slackId: 'U0GRACE' },
    subject: { email: 'ada@personal.example', name: 'Ada Lovelace' },
    summary: [
      { label: 'SKU', value: 'Microsoft 365 E3' },
      { label: 'Environment', value: 'Contoso Production' },
      { label: 'Business unit', value: 'Contoso' },
      { label: 'Security roles', value: 'Basic User, Salesperson' },
      { label: 'Access mode', value: 'Read-Write' },
      { label: 'Justification', value: 'New analyst <starts Monday>' },
    ],
    sku: { skuId: 'm365-e3', name: 'Microsoft 365 E3', seats: 25, assigned: 22, held: 1, free: 2 },
    timeline: [
      { at: '2026-11-20T09:00:00.000Z', text: 'Requested by Grace Hopper' },
      { at: '2026-11-20T09:00:01.000Z', text: 'Sent to 3 Global admins' },
    ],
    ...overrides,
  };
}

/** The same request once Linus approved it and the account is being provisioned. */
export function approvedRequest(overrides: Partial<RequestView> = {}): RequestView {
  return onboardingRequest({
    ...inState('approved.provisioning'),
    decidedBy: { email: 'linus@contoso.example', name: 'Linus Admin', slackId: 'U0LINUS' },
    decidedAt: '2026-11-20T10:30:00.000Z',
    approvals: [{ by: 'linus@contoso.example' }],
    ...overrides,
  });
}

/** A SKU in Graph mode: 30 of its 40 seats are used outside accessdesk (the last sync's count). */
export function graphSku(): SeatView {
  return {
    skuId: 'd365',
    name: 'Dynamics 365',
    seats: 40,
    assigned: 5,
    held: 1,
    free: 4,
    external: 30,
  };
}
