/** Arguments and answers of the workspace's Web API methods: parsing and failures. */
import { z } from 'zod';
import type { WorkspaceIdentity } from './api-shapes.ts';
import type { WorkspaceStore } from './store.ts';

/** A Web API answer: `{ ok: true, … }` or `{ ok: false, error }`. */
export type ApiResult = { ok: boolean; error?: string } & Record<string, unknown>;

/** One Web API method of the workspace. */
export type Method = (
  args: Record<string, unknown>,
  store: WorkspaceStore,
  id: WorkspaceIdentity,
) => ApiResult;

/** Form-encoded bodies carry nested values as JSON strings; JSON bodies carry them as-is. */
export const jsonField = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }, schema);

/** A `blocks` argument. */
export const blocksArg = jsonField(z.array(z.record(z.string(), z.unknown()))).optional();
/** A `view` argument. */
export const viewArg = jsonField(
  z.looseObject({ type: z.string(), blocks: z.array(z.record(z.string(), z.unknown())) }),
);

/** A failed call, as Slack answers it. */
export const fail = (error: string, extra: Record<string, unknown> = {}): ApiResult => ({
  ok: false,
  error,
  ...extra,
});

/** The arguments `schema` describes, or Slack's `invalid_arguments` failure. */
export function parse<T extends z.ZodType>(
  schema: T,
  args: Record<string, unknown>,
): z.infer<T> | ApiResult {
  const result = schema.safeParse(args);
  if (result.success) return result.data;
  const messages = result.error.issues.map(
    (i) => `[ERROR] ${i.message} [json-pointer:/${i.path.join('/')}]`,
  );
  return fail('invalid_arguments', { response_metadata: { messages } });
}

/** Whether a parse gave a failure instead of arguments. */
export const isFailure = (v: unknown): v is ApiResult =>
  typeof v === 'object' && v !== null && (v as ApiResult).ok === false;
