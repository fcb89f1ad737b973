import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { RowProblem } from './csv.ts';

/**
 * The names of a stub-user import file (M5): a header with a `name` column (other columns are
 * ignored), one user per row, read as a stream. A row without a name is a problem.
 */
export async function readStubNames(
  input: Readable,
): Promise<{ names: string[] } | { problems: RowProblem[] }> {
  const names: string[] = [];
  const problems: RowProblem[] = [];
  let column = -1;
  const parser = input.pipe(
    parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true }),
  );
  for await (const { record, info } of parser as AsyncIterable<{
    record: string[];
    info: { lines: number };
  }>) {
    if (column < 0) {
      column = record.findIndex((c) => c.toLowerCase() === 'name');
      if (column < 0)
        return { problems: [{ line: info.lines, column: 'name', problem: 'Missing column.' }] };
      continue;
    }
    const name = record[column];
    if (name) names.push(name);
    else problems.push({ line: info.lines, column: 'name', problem: 'Required.' });
  }
  if (column < 0) problems.push({ line: 1, column: 'name', problem: 'The file is empty.' });
  return problems.length ? { problems } : { names };
}
