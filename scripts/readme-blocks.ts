/** The README's generated blocks, by marker name: the lifecycle diagrams and the rule table. */
import { bulkMemberMachine } from '../machines/bulk-member.machine.ts';
import { bulkOnboardingMachine } from '../machines/bulk-onboarding.machine.ts';
import { grantMachine } from '../machines/grant.machine.ts';
import { offboardingMachine } from '../machines/offboarding.machine.ts';
import { onboardingMachine } from '../machines/onboarding.machine.ts';
import { roleChangeMachine } from '../machines/role-change.machine.ts';
import { RULES } from '../src/rule-registry/index.ts';
import { mermaidBlock, toMermaid } from './mermaid.ts';
import { ruleTable } from './rules.ts';

/** Each generated README block, by marker name, as it would be generated now. */
export const readmeBlocks: Record<string, string> = {
  onboarding: withNote(mermaidBlock(toMermaid(onboardingMachine)), 'onboarding.machine.ts'),
  'role-change': withNote(mermaidBlock(toMermaid(roleChangeMachine)), 'role-change.machine.ts'),
  offboarding: withNote(mermaidBlock(toMermaid(offboardingMachine)), 'offboarding.machine.ts'),
  'bulk-onboarding': withNote(
    mermaidBlock(toMermaid(bulkOnboardingMachine)),
    'bulk-onboarding.machine.ts',
  ),
  'bulk-member': withNote(mermaidBlock(toMermaid(bulkMemberMachine)), 'bulk-member.machine.ts'),
  grant: withNote(mermaidBlock(toMermaid(grantMachine)), 'grant.machine.ts'),
  rules: [
    ruleTable(RULES),
    '',
    'Generated from `src/rule-registry/` by `npm run diagrams`. `test/rule-registry.test.ts` fails',
    'when a function listed here is used by no other production file (src/, flows/, machines/;',
    'tests do not count), when an export of a `*.rules.ts` file is used by no production code, or',
    "when no test title names a rule ID (`it('L4: …')`).",
  ].join('\n'),
};

/** Tells the reader where the diagram comes from and what it leaves out. */
function withNote(block: string, file: string): string {
  return [
    block,
    '',
    `Generated from \`machines/${file}\` by \`npm run diagrams\`. Attempts refused without a`,
    'change of state (not a Global admin, own request, same approver twice, not the requester or',
    'invitee) are not drawn.',
  ].join('\n');
}
