import { describe, expect, it } from 'vitest';
import {
  actorSchema,
  initialDecisionContext,
  personEventSchema,
  requestEventSchema,
  systemEventSchema,
  timerEventSchema,
} from '../../machines/events.ts';

const actor = { email: 'grace@contoso.example', adminRoles: ['Global admin'] };
const AT = '2026-01-10T09:00:00.000Z';

/** One well-formed event of every type, by the schema that owns it. */
const GOOD = {
  person: [
    { type: 'approver.approved', actor },
    { type: 'approver.denied', actor, reason: 'no budget' },
    { type: 'requester.cancelled', actor },
    { type: 'invitee.accepted', actor, at: AT },
    { type: 'invitee.accepted', actor },
  ],
  timer: [
    'timer.reminderDue',
    'timer.escalationDue',
    'timer.requestExpired',
    'timer.invitationExpired',
    'timer.effectiveDateReached',
    'timer.grantWarningDue',
    'timer.grantEnded',
    'timer.retentionEnded',
  ].map((type) => ({ type })),
  system: [
    { type: 'seat.granted' },
    { type: 'seat.lost' },
    { type: 'directory.provisioned', accountId: 'acc_1', upn: 'nina@contoso.example' },
    { type: 'directory.applied' },
    { type: 'directory.failed', reason: 'S5: user disabled' },
    { type: 'invitation.issued', expiresAt: AT },
    { type: 'system.cancelled', reason: 'Ada left the company' },
    { type: 'directory.signInBlocked' },
    { type: 'directory.groupsLeft' },
    { type: 'directory.adminRolesRevoked' },
    { type: 'directory.seatsReleased' },
    { type: 'requests.cancelled' },
    { type: 'batch.progressed' },
    { type: 'batch.queued' },
    { type: 'batch.settled' },
    { type: 'batch.reported' },
    { type: 'batch.admitted' },
    { type: 'batch.admitted', seatHeld: true },
    { type: 'manager.told' },
    { type: 'manager.told', deleteAt: AT },
    { type: 'directory.accountDeleted' },
    { type: 'account.kept' },
    { type: 'grant.applied', appliedAt: AT, endsAt: AT },
    { type: 'grant.revoked' },
    { type: 'grant.revokeHeld', reason: 'last Global admin (A2)' },
  ],
} as const;

/** Events whose one missing or mistyped field makes them unreadable. */
const BAD = [
  ['an unknown type', { type: 'approver.maybe', actor }],
  ['no type', { actor }],
  ['an approval without its actor', { type: 'approver.approved' }],
  ['an actor without an email', { type: 'approver.approved', actor: { adminRoles: [] } }],
  [
    'an actor whose email is not text',
    { type: 'requester.cancelled', actor: { ...actor, email: 7 } },
  ],
  ['an actor without admin roles', { type: 'approver.approved', actor: { email: actor.email } }],
  [
    'an actor with a role that is not text',
    { type: 'approver.approved', actor: { ...actor, adminRoles: [1] } },
  ],
  ['an actor whose name is not text', { type: 'approver.approved', actor: { ...actor, name: 3 } }],
  ['a denial without its reason', { type: 'approver.denied', actor }],
  ['a cancellation without its actor', { type: 'requester.cancelled' }],
  ['an acceptance without its actor', { type: 'invitee.accepted', at: AT }],
  ['an acceptance whose time is not text', { type: 'invitee.accepted', actor, at: 12 }],
  ['a provisioning without the account id', { type: 'directory.provisioned', upn: 'n@c.example' }],
  ['a provisioning without the user name', { type: 'directory.provisioned', accountId: 'acc_1' }],
  ['a failure without its reason', { type: 'directory.failed' }],
  ['an invitation without its expiry', { type: 'invitation.issued' }],
  ['accessdesk cancelling without a reason', { type: 'system.cancelled' }],
  ['an admission whose seat flag is not a boolean', { type: 'batch.admitted', seatHeld: 'yes' }],
  ['a manager told with a deletion date that is not text', { type: 'manager.told', deleteAt: 1 }],
  ['a grant applied without its start', { type: 'grant.applied', endsAt: AT }],
  ['a grant applied without its end', { type: 'grant.applied', appliedAt: AT }],
  ['a held revocation without its reason', { type: 'grant.revokeHeld' }],
] as const;

describe('the events a request’s machine takes', () => {
  it.each([...GOOD.person, ...GOOD.timer, ...GOOD.system])(
    'reads a well-formed $type event as it is',
    (event) => {
      expect(requestEventSchema.parse(event)).toEqual(event);
    },
  );

  it.each(BAD)('refuses %s', (_, event) => {
    expect(requestEventSchema.safeParse(event).success).toBe(false);
  });

  it('each family reads its own events and no other family’s', () => {
    const families = [
      [personEventSchema, GOOD.person],
      [timerEventSchema, GOOD.timer],
      [systemEventSchema, GOOD.system],
    ] as const;
    for (const [schema] of families) {
      for (const [other, events] of families) {
        for (const event of events) {
          expect(schema.safeParse(event).success, event.type).toBe(other === schema);
        }
      }
    }
  });

  it('an actor’s display name is optional; their roles are the ones read at the click', () => {
    expect(actorSchema.parse({ ...actor, name: 'Grace' })).toEqual({ ...actor, name: 'Grace' });
    expect(actorSchema.parse({ email: 'x@contoso.example', adminRoles: [] })).toEqual({
      email: 'x@contoso.example',
      adminRoles: [],
    });
  });

  it('every request starts with no approval and exactly what it was started with', () => {
    const input = {
      requestId: 'REQ-9',
      requesterEmail: 'ada@contoso.example',
      subjectEmail: 'nina@example.org',
      grantsGlobalAdmin: true,
    };

    expect(initialDecisionContext(input)).toEqual({ ...input, approvals: [] });
  });
});
