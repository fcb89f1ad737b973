import { describe, expect, it } from 'vitest';
import { not, setup } from 'xstate';
import { onboardingMachine } from '../../machines/onboarding.machine.ts';
import { roleChangeMachine } from '../../machines/role-change.machine.ts';
import {
  mermaidBlock,
  readBetweenMarkers,
  replaceBetweenMarkers,
  staleDiagrams,
  toMermaid,
} from '../../scripts/mermaid.ts';

/** A small machine with every shape the generator reads. */
const door = setup({
  types: { events: {} as { type: 'person.pushed' } | { type: 'timer.tick' } },
  guards: { isStrong: () => true, isLocked: () => false },
  actions: { refuseAttempt: () => {}, creak: () => {} },
}).createMachine({
  id: 'door',
  initial: 'closed',
  states: {
    closed: {
      initial: 'latched',
      on: {
        'person.pushed': [
          { guard: not('isStrong'), actions: 'refuseAttempt' },
          { guard: 'isLocked', actions: 'refuseAttempt' },
          { target: 'open' },
        ],
        'timer.tick': { actions: 'creak' },
      },
      states: {
        latched: { always: [{ guard: 'isLocked', target: 'locked' }, { target: 'loose' }] },
        locked: {},
        loose: {},
      },
    },
    open: { type: 'final' },
  },
});

const readme = [
  '# accessdesk',
  '',
  '<!-- diagram:door:start -->',
  '<!-- diagram:door:end -->',
  '',
  'Text after.',
].join('\n');

describe('toMermaid', () => {
  it('draws nested, initial and final states, guards and always transitions', () => {
    expect(toMermaid(door)).toMatchInlineSnapshot(`
      "stateDiagram-v2
        [*] --> closed
        state closed {
          [*] --> latched
          latched --> locked : always [isLocked]
          latched --> loose : always
        }
        closed --> open : person.pushed
        closed --> closed : timer.tick / creak
        open --> [*]"
    `);
  });

  it('leaves out attempts that are only refused', () => {
    const diagram = toMermaid(door);

    expect(diagram).not.toContain('refuseAttempt');
    expect(diagram).not.toContain('!isStrong');
  });

  it('draws the onboarding lifecycle from requested to accepted, with its endings', () => {
    const diagram = toMermaid(onboardingMachine);

    expect(diagram).toContain(
      'awaitingApproval --> awaitingSecondApproval : approver.approved [needsSecondApproval]',
    );
    expect(diagram).toContain('invited --> expired : timer.invitationExpired');
    for (const end of ['accepted', 'denied', 'cancelled', 'expired', 'failed']) {
      expect(diagram).toContain(`${end} --> [*]`);
    }
  });

  it('draws the role-change routing as always transitions', () => {
    const diagram = toMermaid(roleChangeMachine);

    expect(diagram).toContain('routing --> waitingForSeat : always [needsSeat]');
    expect(diagram).toContain('applying --> invited : directory.applied [reenables]');
  });
});

describe('README markers', () => {
  it('writes the block between the markers and keeps the rest', () => {
    const block = mermaidBlock(toMermaid(door));

    const written = replaceBetweenMarkers(readme, 'door', block);

    expect(readBetweenMarkers(written, 'door')).toBe(block);
    expect(written.startsWith('# accessdesk\n\n<!-- diagram:door:start -->\n```mermaid\n')).toBe(
      true,
    );
    expect(written.endsWith('```\n<!-- diagram:door:end -->\n\nText after.')).toBe(true);
  });

  it('writing twice gives the same README', () => {
    const block = mermaidBlock(toMermaid(door));
    const once = replaceBetweenMarkers(readme, 'door', block);

    expect(replaceBetweenMarkers(once, 'door', block)).toBe(once);
  });

  it('the check names a stale diagram and passes a fresh one', () => {
    const block = mermaidBlock(toMermaid(door));
    const fresh = replaceBetweenMarkers(readme, 'door', block);
    const stale = replaceBetweenMarkers(readme, 'door', mermaidBlock('stateDiagram-v2\n  a --> b'));

    expect(staleDiagrams(readme, { door: block })).toEqual(['door']);
    expect(staleDiagrams(stale, { door: block })).toEqual(['door']);
    expect(staleDiagrams(fresh, { door: block })).toEqual([]);
  });

  it('refuses a README without the markers', () => {
    expect(() => replaceBetweenMarkers('# nothing', 'door', 'x')).toThrow(
      'README has no <!-- diagram:door:start -->',
    );
  });
});
