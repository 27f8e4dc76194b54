import type { z } from 'zod';
import { errors, type FieldErrors } from './errors.js';

/** Parse with zod; on failure throw the one validation error with a message per field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const res = schema.safeParse(input);
  if (res.success) return res.data;
  const fields: FieldErrors = {};
  for (const issue of res.error.issues) {
    const key = issue.path.map(String).join('.') || '_';
    fields[key] ??= issue.message;
  }
  throw errors.validation(fields);
}
