import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from './errors.js';
import { CONTROL_CHARS_MESSAGE, LONE_SURROGATE_MESSAGE } from './text.js';
import { param, parseInput, parseQuery } from './validate.js';

const Schema = z.object({ name: z.string(), tags: z.array(z.string()).optional(), extra: z.object({ note: z.string() }).optional() });

function fieldsOf(run: () => unknown): Record<string, string> | undefined {
  try {
    run();
  } catch (err) {
    if (err instanceof AppError) return err.fields;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('parseInput: text a JSON body can carry but PostgreSQL cannot keep', () => {
  it('refuses a lone surrogate (high or low) with a message at the top-level field it came in', () => {
    expect(fieldsOf(() => parseInput(Schema, { name: 'Nguy\ud800n' }))).toEqual({ name: LONE_SURROGATE_MESSAGE });
    expect(fieldsOf(() => parseInput(Schema, { name: '\udc00abc' }))).toEqual({ name: LONE_SURROGATE_MESSAGE });
    expect(fieldsOf(() => parseInput(Schema, { name: 'a', tags: ['ok', 'x\ud83d'] }))).toEqual({ tags: LONE_SURROGATE_MESSAGE });
    expect(fieldsOf(() => parseInput(Schema, { name: 'a', extra: { note: '\udfff' } }))).toEqual({ extra: LONE_SURROGATE_MESSAGE });
    // A field the schema does not know is refused too: its value still reached the check.
    expect(fieldsOf(() => parseInput(Schema, { name: 'a', other: 'x\ud800' }))).toEqual({ other: LONE_SURROGATE_MESSAGE });
  });

  it('keeps a well-formed pair (an emoji) and says a control character as before', () => {
    expect(parseInput(Schema, { name: 'Người 😀' })).toEqual({ name: 'Người 😀' });
    expect(fieldsOf(() => parseInput(Schema, { name: 'a\u0000\ud800' }))).toEqual({ name: CONTROL_CHARS_MESSAGE });
  });

  it('refuses the bidirectional overrides, embeddings and isolates that reorder what a page shows', () => {
    for (const c of ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069'])
      expect(fieldsOf(() => parseInput(Schema, { name: `UNC ${c}21 00` }))).toEqual({ name: CONTROL_CHARS_MESSAGE });
    // Vietnamese with its combining marks (NFD as pasted) is no control character.
    expect(parseInput(Schema, { name: 'Nguye\u0302\u0303n' }).name).toBe('Nguye\u0302\u0303n');
  });

  it('is a validation error (400), said in Vietnamese', () => {
    expect(() => parseInput(Schema, { name: '\ud800' })).toThrow(expect.objectContaining({ status: 400, code: 'validation_failed' }));
    expect(LONE_SURROGATE_MESSAGE).toMatch(/ký tự không hợp lệ/);
  });

  it('parseQuery refuses a lone surrogate in a parameter, naming it', () => {
    const Query = z.object({ q: param.text(100, 'Quá dài.') });
    expect(fieldsOf(() => parseQuery(Query, { q: 'x\ud800' }))).toEqual({ q: LONE_SURROGATE_MESSAGE });
    expect(parseQuery(Query, { q: 'Hà Nội' })).toEqual({ q: 'Hà Nội' });
  });
});

describe('param.date', () => {
  const Query = z.object({ den: param.date('Đến ngày không hợp lệ.') });
  it('reads dd/mm/yyyy within the years an instant may have; a day a filter cannot reach is refused, not a 500 later', () => {
    expect(parseQuery(Query, { den: '31/12/2999' })).toEqual({ den: '2999-12-31' });
    expect(parseQuery(Query, { den: '01/01/1900' })).toEqual({ den: '1900-01-01' });
    for (const den of ['31/12/9999', '01/01/3000', '31/12/1899', '31/02/2026'])
      expect(
        fieldsOf(() => parseQuery(Query, { den })),
        den,
      ).toEqual({ den: 'Đến ngày không hợp lệ.' });
  });
});
