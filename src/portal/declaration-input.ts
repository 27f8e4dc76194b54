/**
 * The tờ khai of Nộp hồ sơ: its answers as the form sends them (`tk_<key>`, one per field of the procedure version's
 * declaration), kept in the draft as typed, and checked on submission by a zod schema built from the definition. The
 * answers are stored with the field's label and type (DeclarationAnswer), so they read the same after any edit.
 */
import { z } from 'zod';
import type { DeclarationAnswer, DeclarationField } from '../db/schema/index.js';
import { MAX_ANSWER_LENGTH } from '../procedures/declaration-form.js';
import { parseDate } from '../shared/dates.js';
import { CONTROL_CHARS_MESSAGE, cleanText, cutText, hasControlChars } from '../shared/text.js';

const PREFIX = 'tk_';

/** The form's (and the draft's) name of a field's answer; the prefix keeps the keys apart from the form's own fields. */
export const answerName = (key: string) => `${PREFIX}${key}`;

/**
 * The answers in a form, as typed, for the draft: only the definition's fields, each cut just past the longest answer
 * a field may allow (so an over-long one is still refused, not shortened into acceptance), never inside an emoji's
 * surrogate pair (cutText: half of one cannot be stored).
 */
export function typedAnswers(fields: DeclarationField[], form: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const v = form[answerName(f.key)];
    if (typeof v === 'string') out[answerName(f.key)] = cutText(v, MAX_ANSWER_LENGTH + 1);
  }
  return out;
}

/** Names in a form that look like answers but are no field of this tờ khai: a forged form, or a page older than an edit. */
export function strayAnswerNames(fields: DeclarationField[], form: Record<string, string>): string[] {
  const known = new Set(fields.map((f) => answerName(f.key)));
  return Object.keys(form).filter((k) => k.startsWith(PREFIX) && !known.has(k));
}

/**
 * A message ending with a name (a label, a document): closed by a full stop unless the name already ends a sentence —
 * "Vui lòng chọn: Trẻ sinh đôi, sinh ba?" read "…sinh ba?." before.
 */
export const closed = (message: string) => (/[.?!…:]$/.test(message.trimEnd()) ? message.trimEnd() : `${message.trimEnd()}.`);

type Value = DeclarationAnswer['value'];

/** Whole numbers or decimals with a comma (Vietnamese style), at most 15 digits before it. */
const NUMBER = /^-?\d{1,15}(,\d{1,6})?$/;

/**
 * One field's schema: the typed text → its value, with a message naming the field. `today`: the day in Vietnam
 * (todayInVietnam of the app's clock), which a date marked notAfterToday may not pass.
 */
function fieldSchema(f: DeclarationField, today: string): z.ZodType<Value, string | undefined> {
  return z
    .string({ message: `${f.label}: giá trị không hợp lệ.` })
    .optional()
    .transform((raw, ctx): Value => {
      const fail = (message: string) => {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      };
      if (raw !== undefined && hasControlChars(raw)) return fail(CONTROL_CHARS_MESSAGE);
      // Line breaks are kept in a đoạn văn (as CRLF arrives from a textarea, counted as one); elsewhere collapsed.
      const text = f.type === 'multiline' ? (raw ?? '').normalize('NFC').replace(/\r\n?/g, '\n').trim() : cleanText(raw ?? '');
      if (!text) {
        if (!f.required) return null;
        return fail(closed(f.type === 'choice' || f.type === 'yesno' ? `Vui lòng chọn: ${f.label}` : `Vui lòng điền: ${f.label}`));
      }
      switch (f.type) {
        case 'text':
        case 'multiline': {
          const max = f.maxLength ?? MAX_ANSWER_LENGTH;
          return text.length > max ? fail(`${f.label}: tối đa ${max} ký tự.`) : text;
        }
        case 'date': {
          const iso = parseDate(text);
          if (!iso) return fail(`${f.label}: nhập ngày có thật theo dạng dd/mm/yyyy (ví dụ 05/09/2024).`);
          // ISO days compare as text.
          return f.notAfterToday && iso > today ? fail(`${f.label} không được sau ngày hôm nay.`) : iso;
        }
        case 'number': {
          const compact = text.replace(/\s/g, '');
          return NUMBER.test(compact)
            ? Number(compact.replace(',', '.'))
            : fail(`${f.label}: nhập số, phần thập phân sau dấu phẩy (ví dụ 2 hoặc 12,5).`);
        }
        case 'choice':
          return f.options?.includes(text) ? text : fail(`${f.label}: vui lòng chọn một trong các lựa chọn có sẵn.`);
        case 'yesno':
          return text === 'co' ? true : text === 'khong' ? false : fail(`${f.label}: vui lòng chọn Có hoặc Không.`);
      }
    });
}

/** The answers' schema, built from the definition: one entry per field, under its form name; nothing else is read. */
function answersSchema(fields: DeclarationField[], today: string) {
  return z.object(Object.fromEntries(fields.map((f) => [answerName(f.key), fieldSchema(f, today)])));
}

/**
 * The draft's answers checked against the version's tờ khai: the answers with their labels (to store with the
 * dossier), or a message per field under its form name. `today`: the day in Vietnam, ISO (todayInVietnam(deps.now())).
 */
export function checkDeclaration(
  fields: DeclarationField[],
  typed: Record<string, string>,
  today: string,
): { ok: true; answers: DeclarationAnswer[] } | { ok: false; errors: Record<string, string> } {
  const parsed = answersSchema(fields, today).safeParse(typedAnswers(fields, typed));
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const i of parsed.error.issues) errors[String(i.path[0] ?? 'form')] ??= i.message;
    return { ok: false, errors };
  }
  const values: Record<string, Value> = parsed.data;
  return {
    ok: true,
    answers: fields.map((f) => ({ key: f.key, label: f.label, type: f.type, value: values[answerName(f.key)] ?? null })),
  };
}
