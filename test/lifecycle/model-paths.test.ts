import { describe, expect, it } from 'vitest';
import type { AnyStateMachine, AnyStateNode, EventObject, SnapshotFrom } from 'xstate';
import { getMicrosteps } from 'xstate';
import { createTestModel, type StatePath } from 'xstate/graph';
import type { DecisionInput, PersonEvent, SystemEvent, TimerEvent } from '../../machines/events.ts';
import type { GrantInput } from '../../machines/grant.machine.ts';
import type { OffboardingInput } from '../../machines/offboarding.machine.ts';
import type { RoleChangeInput } from '../../machines/role-change.machine.ts';
import { TAG } from '../../machines/tags.ts';
import type { ManualClock } from '../../src/clock.ts';
import { RetryableError } from '../../src/errors.ts';
import type { Lifecycle } from '../../src/lifecycle/lifecycle.service.ts';
import {
  grant,
  offboarding,
  onboarding,
  requestMachines,
  roleChange,
  statusOf,
} from '../../src/lifecycle/machines.ts';
import type {
  GrantDetails,
  RequestDoc,
  RoleChangeDetails,
} from '../../src/lifecycle/request.model.ts';
import {
  submitGrant,
  submitOffboarding,
  submitOnboarding,
  submitRoleChange,
} from '../../src/lifecycle/submit.ts';
import { useTestDatabase } from '../support/db.ts';
import { GLOBAL_ADMINS, salesTenantYaml } from '../support/sales-tenant.ts';
import { type DirectoryMethod, type Misbehaviour, scriptedDirectory } from './directories.ts';
import { buildSystem, DEADLINES, newHire, resetDatabase } from './support.ts';

// Model-based tests: xstate/graph walks both machines (per input variant) and every chosen path is
// replayed through the real Lifecycle on mongod. People and timers are driven by the test; the
// system events (seat.granted, directory.*, invitation.issued) come from the real effects, and the
// world (free seats, a directory that retries or refuses) is set up so the system stops where the
// path stops. After each driven step the stored document is checked: status, version, history,
// audit trail and the fields the state implies.

const db = useTestDatabase('lifecycle/model-paths');

const GRACE = 'grace@contoso.example';
const LINUS = 'linus@contoso.example';
const ADA = 'ada@contoso.example';
const HIRE = newHire('M').email.toLowerCase();
/** The leaver: Alan holds what an offboarding takes away (a seat, a group, an admin role). */
const LEAVER = 'alan@contoso.example';
const LEAVER_TENANT = salesTenantYaml(3, [
  ...GLOBAL_ADMINS(),
  '{ email: ada@contoso.example, firstName: Ada, lastName: Lovelace, slackId: U0ADA, managerEmail: grace@contoso.example }',
  '{ email: alan@contoso.example, firstName: Alan, lastName: Turing, slackId: U0ALAN, managerEmail: grace@contoso.example, adminRoles: [Billing admin], licenses: [D365_SALES], environments: [{ id: sales-prod, businessUnit: sales, roles: [Salesperson] }] }',
]);

type Snapshot = SnapshotFrom<AnyStateMachine>;
type Path = StatePath<Snapshot, EventObject>;
type ModelEvent = PersonEvent | TimerEvent | SystemEvent;

/** One way to start a request: the machine input plus how to submit it to the real Lifecycle. */
interface Variant {
  name: string;
  kind: 'onboarding' | 'role_change' | 'time_bound_grant' | 'offboarding';
  input: DecisionInput | RoleChangeInput | GrantInput | OffboardingInput;
  adminRoles?: string[];
  change?: RoleChangeDetails;
  grant?: GrantDetails;
}

const person = (email: string, adminRoles: string[] = []) => ({ email, adminRoles });

/** Concrete events of the model: who clicks, with the roles they hold (A2). */
function modelEvents(subject: string): ModelEvent[] {
  return [
    { type: 'approver.approved', actor: person(GRACE, ['Global admin']) },
    { type: 'approver.approved', actor: person(LINUS, ['Global admin']) },
    { type: 'approver.denied', actor: person(GRACE, ['Global admin']), reason: 'not needed' },
    { type: 'requester.cancelled', actor: person(ADA) },
    { type: 'invitee.accepted', actor: person(subject) },
    { type: 'seat.granted' },
    { type: 'directory.provisioned', accountId: 'acc', upn: 'upn' },
    { type: 'directory.applied' },
    { type: 'directory.failed', reason: 'refused' },
    { type: 'invitation.issued', expiresAt: '2026-02-01T00:00:00.000Z' },
    { type: 'timer.requestExpired' },
    { type: 'timer.invitationExpired' },
    { type: 'system.cancelled', reason: 'the requester left' },
    // A time-bound grant's and an offboarding's own events.
    { type: 'grant.applied', appliedAt: '2026-01-05T09:00:00.000Z', endsAt: END },
    { type: 'grant.revoked' },
    { type: 'grant.revokeHeld', reason: 'the last Global admin stays' },
    { type: 'timer.grantEnded' },
    { type: 'timer.effectiveDateReached' },
    { type: 'directory.signInBlocked' },
    { type: 'directory.groupsLeft' },
    { type: 'directory.adminRolesRevoked' },
    { type: 'directory.seatsReleased' },
    { type: 'requests.cancelled' },
    { type: 'manager.told' },
    { type: 'manager.told', deleteAt: '2026-04-06T09:00:00.000Z' },
    { type: 'timer.retentionEnded' },
    { type: 'directory.accountDeleted' },
    { type: 'account.kept' },
  ];
}

const END = '2026-01-05T10:00:00.000Z';

const AUTOMATIC = new Set([
  'seat.granted',
  'directory.provisioned',
  'directory.applied',
  'directory.failed',
  'invitation.issued',
  'grant.applied',
  'grant.revoked',
  'grant.revokeHeld',
  'directory.signInBlocked',
  'directory.groupsLeft',
  'directory.adminRolesRevoked',
  'directory.seatsReleased',
  'requests.cancelled',
  'manager.told',
  'directory.accountDeleted',
  'account.kept',
]);

/**
 * A held revocation (A2) is tried again at its stored deadline, within `held`: the automatic
 * event that leaves it follows the test moving the clock there, not the step before.
 */
const triedAgainAtDeadline = (steps: Path['steps'], i: number) =>
  i > 0 && steps[i - 1]!.state.hasTag(TAG.revocationHeld);

/** Timers whose stored deadline the test reaches by moving the clock to it. */
const STORED_TIMERS = new Set([
  'timer.grantEnded',
  'timer.effectiveDateReached',
  'timer.retentionEnded',
]);

const decision = (subjectEmail: string, grantsGlobalAdmin: boolean) => ({
  requestId: 'REQ-MODEL',
  requesterEmail: ADA,
  subjectEmail,
  grantsGlobalAdmin,
});

const ONBOARDING: Variant[] = [
  { name: 'onboarding', kind: 'onboarding', input: decision(HIRE, false), adminRoles: [] },
  {
    name: 'onboarding granting Global admin',
    kind: 'onboarding',
    input: decision(HIRE, true),
    adminRoles: ['Global admin'],
  },
];

const rc = (
  name: string,
  change: RoleChangeDetails,
  flags: { grantsGlobalAdmin?: boolean; needsSeat?: boolean; reenables?: boolean },
): Variant => ({
  name,
  kind: 'role_change',
  input: {
    ...decision(ADA, flags.grantsGlobalAdmin ?? false),
    needsSeat: flags.needsSeat ?? false,
    reenables: flags.reenables ?? false,
  },
  change,
});

const ROLE_CHANGES: Variant[] = [
  rc(
    'role change',
    { change: 'admin_roles_grant', adminRoles: ['Billing admin'], justification: 'invoices' },
    {},
  ),
  rc(
    'role change granting Global admin',
    { change: 'admin_roles_grant', adminRoles: ['Global admin'], justification: 'cover' },
    { grantsGlobalAdmin: true },
  ),
  rc(
    'role change adding a license',
    { change: 'license_add', sku: 'D365_SALES', justification: 'sells now' },
    { needsSeat: true },
  ),
  rc('role change re-enabling', { change: 'enable', justification: 'back' }, { reenables: true }),
];

const tg = (
  name: string,
  details: GrantDetails,
  flags: { grantsGlobalAdmin?: boolean },
): Variant => ({
  name,
  kind: 'time_bound_grant',
  input: {
    ...decision(ADA, flags.grantsGlobalAdmin ?? false),
    needsSeat: details.grant === 'license',
  },
  grant: details,
});

const GRANTS: Variant[] = [
  tg(
    'time-bound grant',
    {
      grant: 'admin_roles',
      adminRoles: ['Billing admin'],
      durationMs: 3_600_000,
      justification: 'close',
    },
    {},
  ),
  tg(
    'time-bound grant of Global admin',
    {
      grant: 'admin_roles',
      adminRoles: ['Global admin'],
      durationMs: 3_600_000,
      justification: 'incident',
    },
    { grantsGlobalAdmin: true },
  ),
  tg(
    'time-bound license',
    { grant: 'license', sku: 'D365_SALES', durationMs: 3_600_000, justification: 'trial' },
    {},
  ),
];

const OFFBOARDINGS: Variant[] = [
  {
    name: 'offboarding',
    kind: 'offboarding',
    input: { ...decision(LEAVER, false), effectiveAt: '2026-01-06T09:00:00.000Z' },
  },
  {
    name: 'offboarding of a Global admin',
    kind: 'offboarding',
    input: { ...decision(LINUS, true), effectiveAt: '2026-01-06T09:00:00.000Z' },
  },
];

/** Every leaf state of a machine as a dotted status (`approved.routing`, `invited`, …). */
function leafStates(machine: AnyStateMachine): string[] {
  const walk = (node: AnyStateNode, prefix: string): string[] =>
    Object.entries(node.states).flatMap(([key, child]) => {
      const path = prefix ? `${prefix}.${key}` : key;
      return Object.keys(child.states).length ? walk(child, path) : [path];
    });
  return walk(machine.root, '');
}

/** Statuses a step passes through, transient ones (`always`) included. */
function visited(machine: AnyStateMachine, before: Snapshot | undefined, step: Path['steps'][0]) {
  if (!before) return [statusOf(step.state.value)];
  return getMicrosteps(machine, before, step.event as never).map(([s]) => statusOf(s.value));
}

type Edge = { from: string; event: string; to: string };

function edgesOf(path: Path): Edge[] {
  return path.steps.slice(1).map((step, i) => ({
    from: statusOf(path.steps[i]!.state.value),
    event: step.event.type,
    to: statusOf(step.state.value),
  }));
}

/**
 * The paths to replay: the shortest path to every state (the request is seen resting there), then
 * simple paths that take a transition none of the chosen paths took, so every transition between
 * states is replayed too. Transient states (`approved.routing`) count as reached when passed.
 */
function coveringPaths(machine: AnyStateMachine, variants: Variant[]) {
  const chosen: Array<{ variant: Variant; path: Path }> = [];
  const states = new Set<string>();
  const edges = new Set<string>();
  const ends = new Set<string>();
  const generate = (variant: Variant, kind: 'shortest' | 'simple') => {
    const subject = variant.input.subjectEmail;
    const model = createTestModel(machine, {
      events: modelEvents(subject) as never,
      serializeState: (s) => JSON.stringify(s.value),
    });
    const options = { input: variant.input as never, allowDuplicatePaths: true };
    return kind === 'shortest' ? model.getShortestPaths(options) : model.getSimplePaths(options);
  };
  for (const kind of ['shortest', 'simple'] as const) {
    for (const variant of variants) {
      for (const path of generate(variant, kind)) {
        const reached = path.steps.flatMap((step, i) =>
          visited(machine, i ? path.steps[i - 1]!.state : undefined, step),
        );
        const newEdges = edgesOf(path as Path)
          .map((e) => `${e.from} -${e.event}-> ${e.to}`)
          .filter((e) => !edges.has(e));
        // Every state a shortest path ends in is a state the stored request must be seen resting in.
        const end = statusOf(path.state.value);
        const newEnd = kind === 'shortest' && !ends.has(end);
        if (!newEdges.length && !newEnd) continue;
        ends.add(end);
        for (const e of newEdges) edges.add(e);
        for (const s of reached) states.add(s);
        chosen.push({ variant, path: path as Path });
      }
    }
  }
  return { chosen, states, edges };
}

/** How the outside world must behave for the real system to stop where the path stops. */
function worldFor(path: Path): {
  seats: number;
  script: Partial<Record<DirectoryMethod, Misbehaviour>>;
  /** A step that does not finish (a database or Slack hiccup it retries), by state. */
  stall?: 'cancellingRequests' | 'tellingManager';
  /** ACCESSDESK_DELETE_AFTER, where the path keeps the account for a while. */
  deleteAfter?: number;
  /** The leaver is rehired before the retention period ends. */
  rehired?: boolean;
} {
  const edges = edgesOf(path);
  const end = statusOf(path.state.value);
  const seatWaits =
    edges.some((e) => e.to === 'approved.waitingForSeat') &&
    !edges.some((e) => e.event === 'seat.granted');
  const script: Partial<Record<DirectoryMethod, Misbehaviour>> = {};
  const failedFrom = edges.find((e) => e.event === 'directory.failed')?.from;
  if (failedFrom === 'approved.provisioning' || end === 'approved.provisioning') {
    script.createAccount = failedFrom ? 'fail' : 'retry';
  }
  if (failedFrom === 'provisioned' || end === 'provisioned') {
    script.issueTemporaryPassword = failedFrom ? 'fail' : 'retry';
  }
  if (failedFrom === 'approved.applying' || end === 'approved.applying') {
    script.accountIdByEmail = failedFrom ? 'fail' : 'retry';
  }
  // A time-bound grant's end: revocations that stay put, or one A2 refuses once.
  const revokes: DirectoryMethod[] = [
    'revokeAdminRoles',
    'releaseAccountSeat',
    'removeSecurityRoles',
  ];
  const closing = edges.some((e) => e.event === 'timer.effectiveDateReached');
  if (!closing && end === 'ending') for (const m of revokes) script[m] = 'retry';
  if (!closing && edges.some((e) => e.event === 'grant.revokeHeld'))
    for (const m of revokes) script[m] = 'a2once';
  // An offboarding's steps: each stays put (or is refused) where the path stops (or fails).
  const steps: Record<string, DirectoryMethod> = {
    'closing.blockingSignIn': 'setSignInAllowed',
    'closing.leavingGroups': 'removeFromSecurityGroup',
    'closing.revokingAdminRoles': 'revokeAdminRoles',
    'closing.releasingSeats': 'releaseAccountSeat',
  };
  const step = steps[failedFrom ?? end];
  if (closing && step) script[step] = failedFrom ? 'fail' : 'retry';
  const stall =
    end === 'closing.cancellingRequests'
      ? 'cancellingRequests'
      : end === 'closing.tellingManager'
        ? 'tellingManager'
        : undefined;
  if (end === 'deleting') script.deleteAccount = 'retry';
  const retained = edges.some((e) => e.to === 'retained');
  const rehired = edges.some((e) => e.event === 'account.kept');
  return {
    seats: seatWaits ? 0 : 3,
    script,
    ...(stall ? { stall } : {}),
    ...(retained ? { deleteAfter: 90 * 86_400_000 } : {}),
    ...(rehired ? { rehired } : {}),
  };
}

/** Extra facts the stored document must show in some states. */
function checkState(doc: RequestDoc) {
  const status = doc.status;
  // Within `approved` (asked of the machine, not of the status text), or past it.
  const approved = requestMachines.restore(doc.kind, doc.state, doc.context).matches('approved');
  if (approved || ['applied', 'provisioned'].includes(status)) {
    expect(doc.approvedAt).toBeInstanceOf(Date);
    expect([GRACE, LINUS]).toContain(doc.context.decidedBy);
  }
  if (status === 'requested.awaitingSecondApproval') {
    expect(doc.context.approvals).toEqual([{ by: GRACE }]);
  }
  if (status === 'invited') {
    expect(doc.invitation?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(doc.deadlines.map((d) => d.kind)).toEqual(['invitationExpiry']);
  }
  if (status === 'provisioned') expect(doc.context.accountId).toMatch(/^acc_/);
  if (status === 'denied') expect(doc.context.denyReason).toBe('not needed');
  if (['cancelled', 'expired'].includes(status)) expect(doc.context.endReason).toBeTruthy();
  if (status === 'failed') {
    expect(doc.context.failureReason).toMatch(/refused by the directory/);
    expect(doc.failure?.reason).toMatch(/refused by the directory/);
  }
  if (requestMachines.hasTag(doc.kind, status, TAG.undecided)) {
    expect(doc.deadlines).toHaveLength(3);
  }
  if (status === 'active') {
    expect(doc.context.appliedAt).toBeTruthy();
    expect(doc.deadlines.map((d) => [d.kind, new Date(d.at).toISOString()])).toEqual([
      ['grantEnd', doc.context.endsAt],
    ]);
  }
  if (status === 'held') {
    expect(doc.context.heldReason).toBe('the last Global admin stays');
    expect(doc.context.heldTries).toBe(1);
    expect(doc.deadlines.map((d) => d.kind)).toEqual(['grantEnd']);
  }
  if (status === 'retained') {
    expect(doc.context.deleteAt).toBeTruthy();
    expect(doc.deadlines.map((d) => d.kind)).toEqual(['retentionEnd']);
  }
  if (status === 'approved.scheduled')
    expect(doc.deadlines.map((d) => d.kind)).toEqual(['effectiveDate']);
  if (['ended', 'offboarded', 'deleted'].includes(status)) expect(doc.deadlines).toEqual([]);
  expect(doc.done).toBe(
    [
      'accepted',
      'applied',
      'denied',
      'cancelled',
      'expired',
      'failed',
      'ended',
      'offboarded',
      'deleted',
    ].includes(status),
  );
}

/** Replays `path` through the real Lifecycle on mongod and checks the stored request each step. */
async function replay(variant: Variant, path: Path) {
  await resetDatabase(db.connection);
  const world = worldFor(path);
  const { system, clock, errors, notifier, tenant } = await buildSystem(db.connection, {
    seats: world.seats,
    ...(world.deleteAfter ? { deleteAfter: world.deleteAfter } : {}),
    directory: (d) => scriptedDirectory(d, world.script),
    grantWarnings: [],
    ...(variant.kind === 'offboarding' ? { yaml: LEAVER_TENANT } : {}),
  });
  if (world.stall === 'cancellingRequests') {
    // Only the leaver's open requests are out of reach (the seat queue reads on).
    const list = system.store.list.bind(system.store);
    system.store.list = async (query, order, limit) => {
      if (query.involving) throw new RetryableError('the requests collection is busy');
      return list(query, order, limit);
    };
  }
  if (world.stall === 'tellingManager') {
    const tell = notifier.tellManager.bind(notifier);
    notifier.tellManager = async (r, m) => {
      if (r.status === 'closing.tellingManager') throw new RetryableError('Slack is busy');
      return tell(r, m);
    };
  }
  const { lifecycle, scheduler, store, background, audit } = system;
  const steps = path.steps;
  const expected: string[][] = [];
  let id = '';
  let lastVersion = 0;

  for (let i = 0; i < steps.length; ) {
    const event = steps[i]!.event as EventObject & { actor?: { email: string } };
    if (i === 0) {
      id = (await submit(lifecycle, variant, clock))._id;
      expected.push(['', 'requested.awaitingApproval', 'requester.submitted']);
    } else {
      expected.push(edge(steps, i));
      if (event.type === 'timer.requestExpired' || event.type === 'timer.invitationExpired') {
        const ttl = event.type === 'timer.requestExpired' ? 'requestTtl' : 'invitationTtl';
        clock.advance(DEADLINES[ttl] + 1000);
        await scheduler.sweep();
      } else if (STORED_TIMERS.has(event.type) || triedAgainAtDeadline(steps, i)) {
        // The deadline the request stored (its end, a held revocation's retry, the date).
        const doc = await store.get(id);
        if (event.type === 'timer.retentionEnded' && world.rehired) {
          // Rehired meanwhile: the account may sign in again (E3), so it is kept.
          const account = await tenant.accountByEmail(doc.subjectEmail);
          await tenant.setSignInAllowed(account!._id, true);
        }
        clock.set(new Date(doc.nextDeadlineAt!));
        await scheduler.sweep();
      } else if (event.type === 'system.cancelled') {
        // accessdesk's own cancel (an offboarding's step): no person, the normal send path.
        const outcome = await lifecycle.send(id, event);
        expect(outcome.kind, event.type).toBe('transitioned');
      } else {
        const { actor, type, ...rest } = event;
        const outcome = await lifecycle.act(id, actor!.email, { type, ...rest });
        expect(outcome.kind, `${type} by ${actor!.email}`).toBe('transitioned');
      }
    }
    await background.idle();
    // The effects take the automatic steps that follow on their own, up to the next person.
    let j = i;
    while (
      j + 1 < steps.length &&
      AUTOMATIC.has(steps[j + 1]!.event.type) &&
      !triedAgainAtDeadline(steps, j + 1)
    ) {
      j++;
      expected.push(edge(steps, j));
    }
    // The copy this process built from its own writes is the stored document, field for field
    // (compare-and-set writes with updateOne and builds the new version itself). Only the
    // scheduler's claim, written without a version, may differ.
    const built = await store.latest(id);
    const doc = await store.get(id);
    // A background error (a step that threw) is named with the step it stopped.
    // …and so is an effect waiting to be tried again (its last error is kept in its item).
    const waiting = doc.outbox.filter((item) => item.lastError);
    const label =
      `after step ${i} (${event.type}); background errors: ${errors.map(String).join(' | ') || 'none'}; ` +
      `effects to try again: ${waiting.map((item) => `${item.effect}: ${item.lastError}`).join(' | ') || 'none'}`;
    expect({ ...built, sweepLeaseUntil: null }, label).toEqual({ ...doc, sweepLeaseUntil: null });
    expect(doc.status, label).toBe(statusOf(steps[j]!.state.value));
    expect(doc.version, label).toBeGreaterThan(lastVersion);
    lastVersion = doc.version;
    expect(
      doc.history.map((h) => [h.from, h.to, h.event]),
      label,
    ).toEqual(expected);
    const trail = await audit.forRequest(id);
    const transitions = trail.filter((e) => !e.action.startsWith('refused:') && e.from !== e.to);
    expect(
      transitions.map((e) => [e.from ?? '', e.to, e.action]),
      label,
    ).toEqual(expected);
    checkState(doc);
    i = j + 1;
  }
  expect(errors).toEqual([]);
  expect(await audit.verify()).toMatchObject({ ok: true });
  return (await store.get(id)).status;
}

function edge(steps: Path['steps'], i: number): string[] {
  return [
    statusOf(steps[i - 1]!.state.value),
    statusOf(steps[i]!.state.value),
    steps[i]!.event.type,
  ];
}

function submit(lifecycle: Lifecycle, variant: Variant, clock: ManualClock) {
  if (variant.kind === 'onboarding') {
    return submitOnboarding(lifecycle, ADA, newHire('M', { adminRoles: variant.adminRoles! }));
  }
  if (variant.kind === 'time_bound_grant') return submitGrant(lifecycle, ADA, ADA, variant.grant!);
  if (variant.kind === 'offboarding') {
    const effectiveAt = new Date(clock.now().getTime() + 86_400_000).toISOString();
    const people = { globalAdmins: async () => [GRACE, LINUS] };
    const { subjectEmail } = variant.input;
    return submitOffboarding(lifecycle, people, ADA, subjectEmail, {
      effectiveAt,
      managerEmail: GRACE,
    });
  }
  const { subjectEmail } = variant.input as RoleChangeInput;
  return submitRoleChange(lifecycle, ADA, subjectEmail, variant.change!);
}

describe.each([
  { machine: onboarding, variants: ONBOARDING },
  { machine: roleChange, variants: ROLE_CHANGES },
  { machine: grant, variants: GRANTS },
  { machine: offboarding, variants: OFFBOARDINGS },
])('model-based paths of $machine.id, replayed against mongod', ({ machine, variants }) => {
  const { chosen, states } = coveringPaths(machine, variants);

  it('the chosen paths reach every state of the machine (a new state must be reached too)', () => {
    expect([...states].sort()).toEqual(leafStates(machine).sort());
  });

  for (const { variant, path } of chosen) {
    const events = edgesOf(path).map((e) => e.event);
    it(`${variant.name}: ${['submitted', ...events].join(' → ')} ⇒ ${statusOf(path.state.value)}`, async () => {
      expect(await replay(variant, path)).toBe(statusOf(path.state.value));
    });
  }
});
