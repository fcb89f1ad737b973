import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { OnboardingDetails } from '../../src/lifecycle/kinds.ts';
import type { TenantChoices } from '../../src/tenant/options.ts';
import { FIELD } from '../ids.ts';
import { parseOnboarding } from '../request/parse.ts';

/**
 * The columns of an import file: the onboarding modal's fields, by the same names (the manager
 * by email, since a file has no Slack user picker). Security roles are separated by `;`.
 */
export const COLUMNS = {
  required: [
    'email',
    'first_name',
    'last_name',
    'sku',
    'environment',
    'business_unit',
    'security_roles',
    'access_mode',
  ],
  optional: [
    'job_title',
    'department',
    'manager_email',
    'usage_location',
    'office',
    'mobile_phone',
  ],
} as const;

/** One column of an import file. */
export type Column = (typeof COLUMNS.required)[number] | (typeof COLUMNS.optional)[number];

/** A problem with the file: the line (1 = the header), the column and what is wrong. */
export interface RowProblem {
  line: number;
  column: string;
  problem: string;
}

/** A valid row: the person as an onboarding asks for them, and the line they came from. */
export interface ValidRow {
  line: number;
  details: OnboardingDetails;
}

/** What validating a file found. `problems` is capped; `problemCount` is the real count. */
export interface Validation {
  rows: number;
  problems: RowProblem[];
  problemCount: number;
}

/** Whether the tenant file knows a manager (by email), asked once per manager per file. */
export type KnowsPerson = (email: string) => Promise<boolean>;

/** At most this many problems are kept (the count goes on): a file of garbage stays small. */
export const MAX_PROBLEMS = 10_000;

const KNOWN = new Set<string>([...COLUMNS.required, ...COLUMNS.optional]);
const COUNTRY = /^[A-Z]{2}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** The modal's field ids as the file's column names (the rest are the same). */
const COLUMN_OF: Record<string, Column> = { [FIELD.manager]: 'manager_email' };

/**
 * Reads an import file as a stream (csv-parse), validates every row with the onboarding modal's
 * own schema and rules (`parseOnboarding`: S1, S3, P3, known SKU and environment…), and hands
 * each valid row to `onRow` as it goes; memory stays flat whatever the file's size. Every
 * problem names its line and column. A person twice in the file, a manager the tenant file
 * does not know or a malformed country is a problem too.
 */
export async function validateCsv(
  input: Readable,
  options: {
    choices: TenantChoices;
    knowsPerson: KnowsPerson;
    justification: string;
    onRow?: (row: ValidRow) => Promise<void> | void;
  },
): Promise<Validation> {
  const problems: RowProblem[] = [];
  let problemCount = 0;
  const report = (p: RowProblem) => {
    problemCount++;
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const seen = new Map<string, number>();
  const managers = new Map<string, Promise<boolean>>();
  let header: string[] | undefined;
  let rows = 0;
  const parser = input.pipe(
    parse({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }),
  );
  for await (const { record, info } of parser as AsyncIterable<{
    record: string[];
    info: { lines: number };
  }>) {
    const line = info.lines;
    if (!header) {
      header = record.map((c) => c.toLowerCase());
      const unknown = header.filter((c) => !KNOWN.has(c));
      for (const column of unknown) report({ line, column, problem: 'Not a column of imports.' });
      for (const column of COLUMNS.required) {
        if (!header.includes(column)) report({ line, column, problem: 'Missing column.' });
      }
      if (problemCount) break;
      continue;
    }
    rows++;
    if (record.length !== header.length) {
      report({
        line,
        column: '*',
        problem: `Has ${record.length} values; the header has ${header.length}.`,
      });
      continue;
    }
    const cells: Partial<Record<Column, string>> = {};
    header.forEach((column, i) => {
      if (record[i]) cells[column as Column] = record[i];
    });
    const { problems: rowProblems, details } = await validateRow(cells, options, managers);
    const email = cells.email?.toLowerCase();
    if (email && seen.has(email))
      rowProblems.push({ column: 'email', problem: `Also on line ${seen.get(email)}.` });
    else if (email) seen.set(email, line);
    if (rowProblems.length) {
      for (const p of rowProblems) report({ line, ...p });
      continue;
    }
    if (problemCount === 0 && details && options.onRow) await options.onRow({ line, details });
  }
  if (!header) report({ line: 1, column: '*', problem: 'The file is empty.' });
  else if (!rows && !problemCount)
    report({ line: 2, column: '*', problem: 'No people in the file.' });
  return { rows, problems, problemCount };
}

/** The row as the onboarding modal's fields. */
function fieldsOf(cells: Partial<Record<Column, string>>, justification: string) {
  return {
    [FIELD.firstName]: cells.first_name,
    [FIELD.lastName]: cells.last_name,
    [FIELD.email]: cells.email,
    [FIELD.jobTitle]: cells.job_title,
    [FIELD.department]: cells.department,
    [FIELD.office]: cells.office,
    [FIELD.mobilePhone]: cells.mobile_phone,
    [FIELD.sku]: cells.sku,
    [FIELD.environment]: cells.environment,
    [FIELD.businessUnit]: cells.business_unit,
    [FIELD.securityRoles]: (cells.security_roles ?? '')
      .split(';')
      .map((r) => r.trim())
      .filter(Boolean),
    [FIELD.accessMode]: cells.access_mode,
    [FIELD.adminRoles]: [],
    [FIELD.justification]: justification,
  };
}

async function validateRow(
  cells: Partial<Record<Column, string>>,
  options: { choices: TenantChoices; knowsPerson: KnowsPerson; justification: string },
  managers: Map<string, Promise<boolean>>,
): Promise<{ problems: Array<Omit<RowProblem, 'line'>>; details?: OnboardingDetails }> {
  const out: Array<Omit<RowProblem, 'line'>> = [];
  const result = parseOnboarding(fieldsOf(cells, options.justification), options.choices);
  if ('errors' in result) {
    for (const [field, problem] of Object.entries(result.errors)) {
      if (problem) out.push({ column: COLUMN_OF[field] ?? field, problem });
    }
  }
  if (cells.usage_location && !COUNTRY.test(cells.usage_location))
    out.push({ column: 'usage_location', problem: 'Two capital letters (ISO 3166), e.g. GB.' });
  const manager = cells.manager_email?.toLowerCase();
  if (manager && !EMAIL.test(manager))
    out.push({ column: 'manager_email', problem: 'Enter a valid email address.' });
  else if (manager) {
    let known = managers.get(manager);
    if (!known) {
      known = options.knowsPerson(manager);
      managers.set(manager, known);
    }
    if (!(await known))
      out.push({ column: 'manager_email', problem: `${manager} is not in the tenant file.` });
  }
  if (out.length || !('details' in result)) return { problems: out };
  return {
    problems: out,
    details: {
      ...result.details,
      ...(manager ? { managerEmail: manager } : {}),
      ...(cells.usage_location ? { usageLocation: cells.usage_location } : {}),
    },
  };
}
