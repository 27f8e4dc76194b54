/**
 * A procedure's tờ khai (declaration form): the fields a citizen fills in on Nộp hồ sơ. Administrators type it as
 * text, one field per line (the syntax is explained on the page, DECLARATION_HELP); each line is parsed into a
 * field and the whole list checked by a zod schema. Messages name the line.
 */
import { z } from 'zod';
import type { DeclarationField, DeclarationFieldType } from '../db/schema/index.js';
import { cleanText, foldVietnamese } from '../shared/text.js';

const MAX_DECLARATION_FIELDS = 40;
/** The longest answer a field may allow (characters); the draft keeps up to this much of any answer. */
export const MAX_ANSWER_LENGTH = 4000;
const DEFAULT_MAX: Record<'text' | 'multiline', number> = { text: 200, multiline: 2000 };
const MAX_OPTIONS = 30;

/** The words of the type column, folded (no diacritics, lower case), and what they mean. */
const TYPE_WORDS: Record<string, Exclude<DeclarationFieldType, 'choice'>> = {
  'van ban': 'text',
  'doan van': 'multiline',
  ngay: 'date',
  so: 'number',
  'co/khong': 'yesno',
};

/** The type column as it is written back into the textarea. */
const TYPE_TEXT: Record<DeclarationFieldType, string> = {
  text: 'văn bản',
  multiline: 'đoạn văn',
  date: 'ngày',
  number: 'số',
  choice: 'lựa chọn',
  yesno: 'có/không',
};

/** What the administration page shows above the textarea. */
export const DECLARATION_HELP = {
  syntax: 'mã | nhãn | kiểu | bắt buộc | tối đa N',
  rules: [
    'Mỗi dòng một trường của tờ khai, theo thứ tự hiển thị; các phần cách nhau bởi dấu |. Để trống nếu thủ tục không có tờ khai.',
    'Mã: chữ thường không dấu, chữ số hoặc dấu gạch dưới, bắt đầu bằng chữ, tối đa 40 ký tự, không trùng nhau (ví dụ ho_ten_cha).',
    'Nhãn: tên trường người dân nhìn thấy, tối đa 200 ký tự.',
    'Kiểu: văn bản (một dòng), đoạn văn (nhiều dòng), ngày, số, có/không, hoặc lựa chọn: A; B; C (các lựa chọn cách nhau bởi dấu chấm phẩy).',
    `Tùy chọn (có thể bỏ): "bắt buộc" nếu phải điền; "tối đa N" số ký tự cho văn bản (mặc định ${DEFAULT_MAX.text}) và đoạn văn (mặc định ${DEFAULT_MAX.multiline}), tối đa ${MAX_ANSWER_LENGTH}; "không sau hôm nay" cho ngày không thể ở tương lai (ngày sinh, ngày cấp).`,
    `Tối đa ${MAX_DECLARATION_FIELDS} trường.`,
  ],
  example: [
    'ho_ten_cha | Họ và tên cha | văn bản | bắt buộc | tối đa 100',
    'ngay_sinh_con | Ngày sinh của con | ngày | bắt buộc | không sau hôm nay',
    'noi_sinh | Nơi sinh | lựa chọn: Cơ sở y tế; Tại nhà; Nơi khác | bắt buộc',
    'sinh_doi | Sinh đôi, sinh ba? | có/không',
    'ghi_chu | Ghi chú thêm | đoạn văn',
  ],
} as const;

const KEY = /^[a-z][a-z0-9_]{0,39}$/;

/** A stored field, as zod checks it: what the parser produces and what a demo or an API may write. */
const DeclarationFieldSchema = z
  .object({
    key: z.string().regex(KEY, 'Mã trường gồm chữ thường không dấu, chữ số, dấu gạch dưới, bắt đầu bằng chữ, tối đa 40 ký tự.'),
    label: z.string().min(1, 'Vui lòng nhập nhãn của trường.').max(200, 'Nhãn tối đa 200 ký tự.'),
    type: z.enum(['text', 'multiline', 'date', 'number', 'choice', 'yesno']),
    required: z.boolean(),
    maxLength: z
      .number()
      .int()
      .min(1, 'Số ký tự tối đa phải lớn hơn 0.')
      .max(MAX_ANSWER_LENGTH, `Số ký tự tối đa không quá ${MAX_ANSWER_LENGTH}.`)
      .optional(),
    options: z
      .array(z.string().min(1).max(200, 'Mỗi lựa chọn tối đa 200 ký tự.'))
      .min(2, 'Cần ít nhất hai lựa chọn.')
      .max(MAX_OPTIONS, `Tối đa ${MAX_OPTIONS} lựa chọn.`)
      .refine((o) => new Set(o).size === o.length, 'Các lựa chọn không được trùng nhau.')
      .optional(),
    notAfterToday: z.literal(true).optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.type === 'choice' && !f.options) ctx.addIssue({ code: 'custom', message: 'Kiểu lựa chọn cần danh sách lựa chọn.' });
    if (f.type !== 'choice' && f.options) ctx.addIssue({ code: 'custom', message: 'Chỉ kiểu lựa chọn có danh sách lựa chọn.' });
    if (f.maxLength !== undefined && f.type !== 'text' && f.type !== 'multiline') {
      ctx.addIssue({ code: 'custom', message: '"tối đa N" chỉ dùng cho văn bản và đoạn văn.' });
    }
    if (f.notAfterToday && f.type !== 'date') ctx.addIssue({ code: 'custom', message: '"không sau hôm nay" chỉ dùng cho kiểu ngày.' });
  });

export const DeclarationSchema = z
  .array(DeclarationFieldSchema)
  .max(MAX_DECLARATION_FIELDS, `Tờ khai tối đa ${MAX_DECLARATION_FIELDS} trường.`)
  .refine((fs) => new Set(fs.map((f) => f.key)).size === fs.length, 'Mã trường không được trùng nhau.');

/** One line → a field, or the reason it is not one. */
function parseLine(line: string): DeclarationField | string {
  const parts = line.split('|').map((p) => cleanText(p));
  if (parts.length < 3) return 'cần ít nhất mã, nhãn và kiểu, cách nhau bởi dấu |.';
  const [key = '', label = '', typeText = '', ...rest] = parts;
  if (!KEY.test(key)) return `mã "${key}" không hợp lệ: chữ thường không dấu, chữ số, dấu gạch dưới, bắt đầu bằng chữ, tối đa 40 ký tự.`;
  if (!label) return 'thiếu nhãn.';
  const field: DeclarationField = { key, label, type: 'text', required: false };
  const folded = foldVietnamese(typeText);
  const choice = /^lua chon\s*:/.exec(folded);
  if (choice) {
    field.type = 'choice';
    // The options keep their diacritics: cut the original text after its first colon.
    field.options = typeText
      .slice(typeText.indexOf(':') + 1)
      .split(';')
      .map((o) => cleanText(o))
      .filter(Boolean);
  } else {
    const type = TYPE_WORDS[folded.replace(/\s*\/\s*/g, '/')];
    if (!type) return `kiểu "${typeText}" không hợp lệ: văn bản, đoạn văn, ngày, số, có/không hoặc lựa chọn: A; B.`;
    field.type = type;
  }
  for (const opt of rest) {
    const f = foldVietnamese(opt);
    const max = /^toi da\s+(\d{1,5})$/.exec(f);
    if (f === 'bat buoc') field.required = true;
    else if (max) field.maxLength = Number(max[1]);
    else if (f === 'khong sau hom nay') field.notAfterToday = true;
    else if (f !== '') return `tùy chọn "${opt}" không hợp lệ: "bắt buộc", "tối đa N" hoặc "không sau hôm nay".`;
  }
  if ((field.type === 'text' || field.type === 'multiline') && field.maxLength === undefined) field.maxLength = DEFAULT_MAX[field.type];
  const checked = DeclarationFieldSchema.safeParse(field);
  if (!checked.success) return checked.error.issues[0]?.message ?? 'không hợp lệ.';
  return checked.data;
}

/**
 * The textarea → the fields, or the messages, each naming its line ("Dòng 3: …"). Blank lines are skipped but
 * counted, so the number is the one the administrator sees.
 */
export function parseDeclarationText(text: string): { ok: true; fields: DeclarationField[] } | { ok: false; messages: string[] } {
  const fields: DeclarationField[] = [];
  const messages: string[] = [];
  const seen = new Map<string, number>();
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    if (!cleanText(raw)) return;
    const line = i + 1;
    const f = parseLine(raw);
    if (typeof f === 'string') {
      messages.push(`Dòng ${line}: ${f}`);
      return;
    }
    const first = seen.get(f.key);
    if (first) messages.push(`Dòng ${line}: mã "${f.key}" trùng với dòng ${first}.`);
    else seen.set(f.key, line);
    fields.push(f);
  });
  if (fields.length > MAX_DECLARATION_FIELDS) messages.push(`Tờ khai tối đa ${MAX_DECLARATION_FIELDS} trường (đang có ${fields.length}).`);
  return messages.length ? { ok: false, messages } : { ok: true, fields };
}

/** The fields written back as the textarea's text (parseDeclarationText reads it back to the same fields). */
export function declarationToText(fields: DeclarationField[]): string {
  return fields
    .map((f) => {
      const type = f.type === 'choice' ? `${TYPE_TEXT.choice}: ${(f.options ?? []).join('; ')}` : TYPE_TEXT[f.type];
      const parts = [f.key, f.label, type];
      if (f.required) parts.push('bắt buộc');
      if (f.notAfterToday) parts.push('không sau hôm nay');
      if (f.maxLength !== undefined && f.maxLength !== DEFAULT_MAX[f.type as 'text' | 'multiline']) parts.push(`tối đa ${f.maxLength}`);
      return parts.join(' | ');
    })
    .join('\n');
}
