import type { Readable } from 'node:stream';
import type { BulkImports } from '../../src/lifecycle/bulk.service.ts';
import type { Lifecycle } from '../../src/lifecycle/lifecycle.service.ts';
import type { RequestDoc } from '../../src/lifecycle/request.model.ts';
import type { TenantLookup } from '../deps.ts';
import { type RowProblem, validateCsv } from './csv.ts';

/** Departments named in a batch's headline; the rest are counted together. */
const HEADLINE_DEPARTMENTS = 5;

/** What became of an import file. */
export type ImportOutcome =
  /** Bad rows: every one named; nothing was queued. */
  | { kind: 'invalid'; rows: number; problems: RowProblem[]; problemCount: number }
  /** Valid; `--dry-run`: nothing was queued. */
  | { kind: 'checked'; people: number; headline: string; seats: string[] }
  /** Valid and submitted as one bulk onboarding request. */
  | { kind: 'queued'; people: number; headline: string; seats: string[]; request: RequestDoc };

/** What an import needs: the tenant's choices and people, the batches, the lifecycle. */
export interface ImportDeps {
  tenant: Pick<TenantLookup, 'choices' | 'personByEmail' | 'seatSummary'>;
  imports: BulkImports;
  lifecycle: Lifecycle;
}

/**
 * Imports a CSV of new hires for `requesterEmail`: streamed, every row validated as the
 * onboarding modal validates it, staged as it goes; any bad row and the staged rows are dropped
 * (nothing is queued), otherwise one bulk onboarding request is submitted (unless `dryRun`).
 * The same path serves `/access import` and `npm run import`.
 */
export async function importPeople(
  deps: ImportDeps,
  input: Readable,
  options: { requesterEmail: string; fileName: string; dryRun?: boolean },
): Promise<ImportOutcome> {
  const choices = await deps.tenant.choices();
  const stager = await deps.imports.begin(options.requesterEmail, options.fileName);
  const departments = new Map<string, number>();
  const skus = new Map<string, number>();
  let validation: Awaited<ReturnType<typeof validateCsv>>;
  try {
    validation = await validateCsv(input, {
      choices,
      knowsPerson: async (email) => !!(await deps.tenant.personByEmail(email)),
      justification: `Bulk onboarding from ${options.fileName}`,
      onRow: async ({ line, details }) => {
        const department = details.department ?? 'no department';
        departments.set(department, (departments.get(department) ?? 0) + 1);
        skus.set(details.sku, (skus.get(details.sku) ?? 0) + 1);
        if (!options.dryRun) await stager.add(line, details);
      },
    });
  } catch (error) {
    await deps.imports.discard(stager);
    throw error;
  }
  if (validation.problemCount || options.dryRun) await deps.imports.discard(stager);
  if (validation.problemCount) {
    const { rows, problems, problemCount } = validation;
    return { kind: 'invalid', rows, problems, problemCount };
  }
  const people = validation.rows;
  const headline = headlineOf(people, departments);
  const seats = await seatLines(deps, skus);
  if (options.dryRun) return { kind: 'checked', people, headline, seats };
  const request = await deps.imports.submit(deps.lifecycle, stager, {
    fileName: options.fileName,
    headline,
    seats,
    justification: `Bulk onboarding from ${options.fileName}`,
  });
  return { kind: 'queued', people, headline, seats, request };
}

/** "Onboard 250 people: Sales 200, Marketing 50" (the largest departments first). */
export function headlineOf(people: number, departments: Map<string, number>): string {
  const sorted = [...departments].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const named = sorted.slice(0, HEADLINE_DEPARTMENTS).map(([d, n]) => `${d} ${n}`);
  const rest = sorted.slice(HEADLINE_DEPARTMENTS);
  if (rest.length) {
    const n = rest.reduce((sum, [, c]) => sum + c, 0);
    named.push(`${rest.length} more departments ${n}`);
  }
  return `Onboard ${people} ${people === 1 ? 'person' : 'people'}: ${named.join(', ')}`;
}

/** "Needs 250 Dynamics 365 Sales Enterprise seats: 180 free, 70 will wait", per SKU. */
async function seatLines(deps: ImportDeps, skus: Map<string, number>): Promise<string[]> {
  const lines: string[] = [];
  for (const [sku, needed] of skus) {
    const summary = await deps.tenant.seatSummary(sku);
    const free = Math.min(summary.free, needed);
    const wait = needed - free;
    lines.push(
      `Needs ${needed} ${summary.name} ${needed === 1 ? 'seat' : 'seats'}: ${summary.free} free${wait ? `, ${wait} will wait` : ''}`,
    );
  }
  return lines;
}
