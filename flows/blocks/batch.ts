/** Bulk onboarding's Slack surfaces: the import modal, its answers, the batch on the card. */
import type { BulkOnboardingDetails } from '../../src/lifecycle/kinds.ts';
import { CALLBACK, FIELD } from '../ids.ts';
import type { ImportOutcome } from '../import/run.ts';
import { input } from './inputs.ts';
import { context, escapeMrkdwn, LIMIT, plain, section } from './kit.ts';
import type { Block, ModalView, RequestView } from './types.ts';

/** Problems listed in the modal; the rest are counted (a modal holds 100 blocks). */
export const PROBLEMS_SHOWN = 40;

/** The batch as a Global admin weighs it: how many people, where, and the seats they need. */
export function batchSummary(d: BulkOnboardingDetails): RequestView['summary'] {
  return [
    { label: 'People', value: d.headline },
    ...d.seats.map((value) => ({ label: 'Seats', value })),
    {
      label: 'File',
      value: `${d.fileName} (${d.people} rows; admin roles are never granted in bulk)`,
    },
  ];
}

/** The modal `/access import` opens: one CSV file. */
export function importModal(): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK.bulkImport,
    title: plain('Bulk onboarding', LIMIT.modalTitle),
    submit: plain('Check and send', LIMIT.buttonText),
    close: plain('Cancel', LIMIT.buttonText),
    blocks: [
      section(
        'One row per new hire, with the onboarding form’s fields as columns: `email`, `first_name`, `last_name`, `job_title`, `department`, `manager_email`, `usage_location`, `sku`, `environment`, `business_unit`, `security_roles` (separated by `;`), `access_mode`. Every row is checked; if any is wrong, nothing is sent.',
      ),
      input(
        FIELD.csvFile,
        'CSV file',
        { type: 'file_input', filetypes: ['csv'], max_files: 1 },
        { hint: 'The whole file becomes one request for the Global admins to decide.' },
      ),
    ],
  } as ModalView;
}

/** The modal while the file is read and checked. */
export function importChecking(fileName: string): ModalView {
  return resultModal([section(`Checking *${escapeMrkdwn(fileName)}*…`)]);
}

/** What became of the file, in the modal (the problems bounded, with their count). */
export function importResult(
  outcome: ImportOutcome | { kind: 'failed'; reason: string },
): ModalView {
  return resultModal(importBlocks(outcome));
}

/** The same answer as a plain text (the requester's DM and the shell). */
export function importText(
  outcome: ImportOutcome | { kind: 'failed'; reason: string },
  shown = PROBLEMS_SHOWN,
): string {
  switch (outcome.kind) {
    case 'failed':
      return `The file could not be read: ${outcome.reason}. Nothing was sent.`;
    case 'invalid': {
      const lines = outcome.problems
        .slice(0, shown)
        .map((p) => `line ${p.line}, ${p.column}: ${p.problem}`);
      const more = outcome.problemCount - lines.length;
      return [
        `${outcome.problemCount} ${outcome.problemCount === 1 ? 'problem' : 'problems'} in ${outcome.rows} rows; nothing was sent.`,
        ...lines,
        ...(more > 0 ? [`…and ${more} more.`] : []),
      ].join('\n');
    }
    case 'checked':
      return [`Every row is valid (nothing was sent): ${outcome.headline}.`, ...outcome.seats].join(
        '\n',
      );
    case 'queued':
      return [
        `Your bulk onboarding ${outcome.request._id} was sent to the Global admins: ${outcome.headline}.`,
        ...outcome.seats,
      ].join('\n');
  }
}

function importBlocks(outcome: ImportOutcome | { kind: 'failed'; reason: string }): Block[] {
  if (outcome.kind !== 'invalid') return [section(escapeMrkdwn(importText(outcome)))];
  const [head = '', ...lines] = importText(outcome).split('\n');
  const more = lines.at(-1)?.startsWith('…') ? lines.pop() : undefined;
  // A section per ten problems keeps each within Slack's text limit.
  const chunks: Block[] = [];
  for (let i = 0; i < lines.length; i += 10) {
    chunks.push(section(escapeMrkdwn(lines.slice(i, i + 10).join('\n'))));
  }
  return [
    section(`:warning: ${escapeMrkdwn(head)}`),
    ...chunks,
    ...(more ? [context(escapeMrkdwn(more))] : []),
  ];
}

function resultModal(blocks: Block[]): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK.bulkImport,
    title: plain('Bulk onboarding', LIMIT.modalTitle),
    close: plain('Close', LIMIT.buttonText),
    blocks,
  } as ModalView;
}
