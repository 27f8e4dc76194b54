/**
 * Path and query parameters, read in one way: validated with zod before a handler uses them.
 *
 * - An id in the path that is not an id (36 dashes, "not-a-uuid", a NUL) is "not found" (404), the same
 *   answer as a well-formed id nobody may see: `idParam(c, 'Hồ sơ')`.
 * - Query parameters are parsed with a schema built from `param` (shared/validate.ts): a malformed one is
 *   a 400 naming it; control characters are refused in every parameter: `queryOf(c, UsersQuery)`.
 */
import type { z } from 'zod';
import { errors } from '../shared/errors.js';
import { isId, parseQuery } from '../shared/validate.js';
import type { Ctx } from './http.js';

/** The id in the path (`:id` unless named), or a 404 "<what> không tồn tại…" before any query. */
export function idParam(c: Ctx, what: string, name = 'id'): string {
  const value = c.req.param(name);
  if (!isId(value)) throw errors.notFound(what);
  return value;
}

/** The address's query parameters through the schema; an empty parameter counts as absent. */
export function queryOf<S extends z.ZodType>(c: Ctx, schema: S): z.output<S> {
  const present = Object.fromEntries(Object.entries(c.req.query()).filter(([, v]) => v !== ''));
  return parseQuery(schema, present);
}
