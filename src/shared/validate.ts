import { z } from 'zod';
import { errors, type FieldErrors } from './errors.js';
import { CONTROL_CHARS_MESSAGE, hasControlChars, hasLoneSurrogate, LONE_SURROGATE_MESSAGE } from './text.js';
import { parseDate } from './dates.js';

/**
 * Fields whose text holds a control character (NUL cannot even be stored in PostgreSQL text) or a lone surrogate (a
 * JSON body can carry `"\ud800"`: it has no UTF-8 form, PostgreSQL's jsonb refuses it — a 500 — and a text column
 * silently keeps U+FFFD instead), keyed by the top-level field they arrived in — the name a form shows its message under.
 */
function malformedTextFields(input: unknown): FieldErrors {
  const fields: FieldErrors = {};
  const visit = (v: unknown, key: string, depth: number): void => {
    if (typeof v === 'string') {
      if (hasControlChars(v)) fields[key] ??= CONTROL_CHARS_MESSAGE;
      else if (hasLoneSurrogate(v)) fields[key] ??= LONE_SURROGATE_MESSAGE;
    } else if (depth < 8 && Array.isArray(v)) {
      for (const x of v) visit(x, key, depth + 1);
    } else if (depth < 8 && v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      for (const [k, x] of Object.entries(v)) visit(x, depth === 0 ? k : key, depth + 1);
    }
  };
  visit(input, '_', 0);
  return fields;
}

/** Parse with zod, text with control characters or lone surrogates refused; the data, or a message per field. */
function check<S extends z.ZodType>(schema: S, input: unknown): { ok: true; data: z.output<S> } | { ok: false; fields: FieldErrors } {
  const fields = malformedTextFields(input);
  const res = schema.safeParse(input);
  if (res.success && Object.keys(fields).length === 0) return { ok: true, data: res.data };
  for (const issue of res.error?.issues ?? []) {
    const key = issue.path.map(String).join('.') || '_';
    fields[key] ??= issue.message;
  }
  return { ok: false, fields };
}

/** Parse typed input with zod; on failure throw the one validation error with a message per field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const res = check(schema, input);
  if (!res.ok) throw errors.validation(res.fields);
  return res.data;
}

/** Parse the query parameters of an address; on failure a 400 naming the parameter (web/params.ts). */
export function parseQuery<S extends z.ZodType>(schema: S, query: Record<string, string | undefined>): z.output<S> {
  const res = check(schema, query);
  if (!res.ok) throw errors.invalidQuery(res.fields);
  return res.data;
}

/**
 * The one id schema: a UUID as PostgreSQL stores it (RFC 9562, or the nil id of the system account), in lower case —
 * PostgreSQL's own spelling, so an id posted in capitals and kept as text (a procedure's units and steps in jsonb) is
 * the same text as the uuid column it names. Anything else — 36 dashes, "not-a-uuid", a NUL — never reaches a query.
 */
export const Id = z.uuid().toLowerCase();

/** The largest value of PostgreSQL's integer (int4): a serial id past it is no row, and asking for it is a 500. */
export const INT4_MAX = 2_147_483_647;

/** True for a well-formed id (see Id); use cases refuse anything else as "not found" before any query. */
export function isId(value: unknown): value is string {
  return Id.safeParse(value).success;
}

/**
 * A form's one-time key as our pages issue it (crypto.randomUUID: a version-4 UUID, lower case). The API keeps its
 * Idempotency-Keys in the same unique column as version-8 UUIDs derived from the caller (api/receive-through-api.ts),
 * so a form — an official's at the counter, a citizen's on the portal — carries only a version-4 key, and none can
 * take an API client's key first to block its retries.
 */
export function isFormKey(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(value);
}

/**
 * A number field of a form or a JSON body: a JSON number, or its text in plain decimal digits (a sign and a fraction
 * allowed, surrounding spaces ignored). z.coerce.number() alone reads [2] as 2, {} as NaN, true as 1 and [], null or
 * "" as 0 — an array slipped past a check of the value, e.g. channel [2]. Here anything else (an array, an object, a
 * boolean, other text) reaches `schema` as it came and is refused with the field's own message; an empty text is
 * absent (the schema's .optional() or .default() decides).
 */
export function numberField<S extends z.ZodType>(schema: S) {
  return z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    const text = v.trim();
    if (text === '') return undefined;
    return /^[+-]?\d{1,16}(\.\d{1,16})?$/.test(text) ? Number(text) : v;
  }, schema);
}

/** A required id field of a form, with its message. */
export const idField = (message: string) => z.uuid({ error: message }).toLowerCase();

/**
 * The years (UTC) an instant sent to the API may fall in. PostgreSQL's timestamptz holds 4713 BC–294276 AD, but zod's
 * z.iso.datetime takes year 0000 and offsets up to ±23:59 (0001-01-01T00:00:00+14:00 is in year 0, 9999-12-31T23:00-05:00
 * in 10000), and such a Date reaches SQL as a text PostgreSQL refuses (toISOString writes +010000-…): a 500. Not the
 * statistics' 2000–2099 (report-query.ts: the lunar holiday table's years): "since 2000 in Vietnam time",
 * 2000-01-01T00:00:00+07:00, is 1999 in UTC. 1900–2999 holds every dossier and every delivery or payment time with room
 * to spare, and is the bound the SMS gateway's reports already kept (19xx–2xxx).
 */
const INSTANT_YEARS = { min: 1900, max: 2999 } as const;

/**
 * The one way an instant is read from the API, a query parameter or a body field: ISO 8601 with Z or an offset
 * (2026-11-01T00:00:00+07:00), a real calendar time, its UTC year in INSTANT_YEARS; anything else is refused with
 * `message` at the field. The value stays the text (periodInOrder compares it); `new Date(value)` of it is valid.
 */
export const instantField = (message: string) =>
  z.iso.datetime({ offset: true, error: message }).refine(
    (v) => {
      const year = new Date(v).getUTCFullYear();
      return year >= INSTANT_YEARS.min && year <= INSTANT_YEARS.max;
    },
    { error: message },
  );

/** An instant's years for a message: "1900–2999". */
export const INSTANT_YEARS_TEXT = `${INSTANT_YEARS.min}–${INSTANT_YEARS.max}`;

/**
 * A period whose end comes before its start is refused at the end's field (`to`): the pages' từ ngày / đến ngày
 * and the API's from / to read the same rule. Both values are ISO days or instants (param.date, param.instant).
 */
export function periodInOrder<S extends z.ZodObject>(schema: S, from: string, to: string, message: string): S {
  return schema.superRefine((value, ctx) => {
    const v = value as Record<string, unknown>;
    const [a, b] = [v[from], v[to]];
    if (typeof a === 'string' && typeof b === 'string' && Date.parse(b) < Date.parse(a))
      ctx.addIssue({ code: 'custom', path: [to], message });
  }) as S;
}

/**
 * Building blocks of query-parameter schemas. Values come as strings; an empty parameter (a form's
 * "all" choice) is read as absent, so each is optional. Text has a maximum length; control characters
 * and lone surrogates are refused for every parameter (parseQuery).
 */
export const param = {
  id: (message: string) => idField(message).optional(),
  text: (max: number, message: string) => z.string().max(max, { error: message }).optional(),
  /** A whole number in [min, max], written in plain digits: no 1e20, 1.5, -0, 0x10, NaN or Infinity. */
  int: (min: number, max: number, message: string) =>
    z
      .string()
      .regex(/^-?\d{1,16}$/, { error: message })
      .transform(Number)
      .pipe(z.number().int({ error: message }).min(min, { error: message }).max(max, { error: message }))
      .optional(),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T, message: string) => z.enum(values, { error: message }).optional(),
  /**
   * A day as dd/mm/yyyy (or yyyy-mm-dd), read as ISO yyyy-mm-dd, its year in INSTANT_YEARS: a filter's bounds are
   * the day ± margins, and 31/12/9999 + a day is no instant PostgreSQL can read (an attacker review's 500).
   */
  date: (message: string) =>
    z
      .string()
      .max(20, { error: message })
      .transform((v, ctx) => {
        const iso = parseDate(v);
        const year = iso ? Number(iso.slice(0, 4)) : Number.NaN;
        if (!iso || !(year >= INSTANT_YEARS.min && year <= INSTANT_YEARS.max)) {
          ctx.addIssue({ code: 'custom', message });
          return z.NEVER;
        }
        return iso;
      })
      .optional(),
  /** An instant, ISO 8601 with Z or an offset, in the years INSTANT_YEARS (instantField). */
  instant: (message: string) => instantField(message).optional(),
  /** A presence flag such as ?moi=1: any short value means yes. */
  flag: () =>
    z
      .string()
      .max(20, { error: 'Giá trị quá dài.' })
      .optional()
      .transform((v) => !!v),
};
