import { z } from 'zod';
import { cleanOptional, cleanText } from '../shared/text.js';
import { Id, idField, numberField } from '../shared/validate.js';
import { listableAt } from '../dossiers/transitions.js';
import { parseDeclarationText } from './declaration-form.js';
import { stepBudget } from './time-limit.js';

/**
 * A version's thành phần hồ sơ, whether typed here or imported (import-catalog-columns.ts): at most this many documents
 * (the reception checklist reads no more), each name at most this long. The fee note likewise.
 */
export const MAX_DOCUMENTS = 100;
export const MAX_DOCUMENT_CHARS = 1000;
export const MAX_FEE_NOTE_CHARS = 2000;

/** A procedure's code as stored and compared: in capitals (1.001234.000.00.00.h10 is 1.001234.000.00.00.H10). */
export const normaliseProcedureCode = (code: string) => code.trim().toUpperCase();

/**
 * Why a procedure code is another province's, or null: a local code's last group is the province's (….H10, the root
 * unit's code keeps it — org/unit-queries.ts provinceGroupOf). One rule and one wording for the screen and the import.
 */
export function foreignProcedureCodeReason(code: string, provinceGroup: string | null): string | null {
  const last = code.split('.').pop()!;
  if (!provinceGroup || !/^H\d{2}$/.test(last) || last === provinceGroup) return null;
  return `Mã thủ tục ${code} là thủ tục của tỉnh khác (mã của tỉnh này kết thúc bằng .${provinceGroup}).`;
}

const ROLE = z.enum(['reception', 'processing', 'approval', 'result'], { message: 'Vai trò của bước không hợp lệ.' });

/** The procedure form: catalog data plus the internal process, with Vietnamese messages. */
export const ProcedureInput = z
  .object({
    code: z
      .string({ message: 'Vui lòng nhập mã thủ tục.' })
      .transform(cleanText)
      .pipe(z.string().regex(/^[0-9A-Za-z.-]{3,40}$/, 'Mã thủ tục gồm 3–40 chữ, số, dấu chấm hoặc gạch ngang.'))
      // One procedure per code whatever its case: stored in capitals, as the national database and the import write it.
      .transform(normaliseProcedureCode),
    name: z
      .string({ message: 'Vui lòng nhập tên thủ tục.' })
      .transform(cleanText)
      .pipe(z.string().min(5, 'Tên thủ tục quá ngắn.').max(500)),
    /** The version a procedure's page showed (its hidden field): saving from an older page is refused (save-procedure.ts). */
    version: z
      .string()
      .regex(/^\d{1,9}$/, 'Phiên bản không hợp lệ. Vui lòng tải lại trang.')
      .transform(Number)
      .optional(),
    sectorId: idField('Vui lòng chọn lĩnh vực.'),
    unitId: idField('Vui lòng chọn đơn vị thực hiện.'),
    limitKind: z.enum(['days', 'hours', 'same_day'], { message: 'Vui lòng chọn đơn vị thời hạn.' }),
    /**
     * The number of days or hours, checked here so that its message shows with the other fields'; required unless
     * the limit is "trong ngày làm việc" (time-limit.ts), where a number typed is ignored (below).
     */
    limit: numberField(
      z.number({ message: 'Thời hạn phải là số.' }).positive('Thời hạn phải lớn hơn 0.').max(365, 'Thời hạn quá dài.').optional(),
    ),
    after1500NextDay: z
      .union([z.string(), z.boolean()])
      .optional()
      .transform((v) => v === '1' || v === 'on' || v === true),
    fee: numberField(
      z.number({ message: 'Lệ phí phải là số (đồng).' }).int('Lệ phí là số nguyên (đồng).').min(0).max(1_000_000_000).default(0),
    ),
    feeNote: z
      .string()
      .optional()
      .transform((v) => cleanOptional(v))
      .pipe(z.string().max(MAX_FEE_NOTE_CHARS, `Ghi chú lệ phí tối đa ${MAX_FEE_NOTE_CHARS} ký tự.`).nullable()),
    onlineLevel: z.enum(['toan_trinh', 'mot_phan'], { message: 'Vui lòng chọn mức độ trực tuyến.' }),
    /** Kết quả thực hiện: the short name of the document the procedure results in. */
    resultName: z
      .string()
      .optional()
      .transform((v) => cleanOptional(v) ?? '')
      .pipe(z.string().max(300, 'Tên kết quả tối đa 300 ký tự.')),
    /** When the result may be no document (an entry in a register…); empty: always a document. */
    resultWithoutDocument: z
      .string()
      .optional()
      .transform((v) => cleanOptional(v))
      .pipe(z.string().max(500, 'Trường hợp không có văn bản tối đa 500 ký tự.').nullable()),
    /** One document per line; a line ending in "(nếu có)" is optional. */
    documents: z.string({ message: 'Vui lòng nhập thành phần hồ sơ.' }).transform((v, ctx) => {
      const lines = v
        .split('\n')
        .map((l) => cleanText(l))
        .filter(Boolean);
      if (!lines.length) {
        ctx.addIssue({ code: 'custom', message: 'Vui lòng nhập ít nhất một giấy tờ trong thành phần hồ sơ.' });
        return z.NEVER;
      }
      const problem =
        lines.length > MAX_DOCUMENTS
          ? `Thành phần hồ sơ tối đa ${MAX_DOCUMENTS} giấy tờ (đang có ${lines.length}).`
          : lines.some((l) => l.length > MAX_DOCUMENT_CHARS)
            ? `Tên mỗi giấy tờ trong thành phần hồ sơ tối đa ${MAX_DOCUMENT_CHARS} ký tự.`
            : null;
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
      return lines.map((l) => {
        const optional = /\(nếu có\)$/i.test(l);
        return { name: optional ? l.replace(/\s*\(nếu có\)$/i, '') : l, required: !optional, copies: 1 };
      });
    }),
    /** The tờ khai, one field per line (declaration-form.ts); empty: the procedure has none. */
    declaration: z
      .string()
      .optional()
      .transform((v, ctx) => {
        const parsed = parseDeclarationText(v ?? '');
        if (parsed.ok) return parsed.fields;
        ctx.addIssue({ code: 'custom', message: parsed.messages.slice(0, 5).join(' ') });
        return z.NEVER;
      }),
    steps: z
      .array(
        z.object({
          name: z.string().transform(cleanText),
          unitId: z.string(),
          role: z.string(),
          share: z.string(),
          /**
           * The actions the step narrows itself to, comma-separated, carried through the form from the version shown
           * (a hidden field: the page does not edit them). Kept while every one is an action of the step's role;
           * otherwise — the role was changed — the step allows what its role allows (an empty list).
           */
          actions: z.string().max(500, 'Quy trình nội bộ không hợp lệ. Vui lòng tải lại trang.').optional(),
        }),
      )
      .transform((rows, ctx) => {
        const filled = rows.filter((r) => r.name || r.unitId);
        const out = [];
        for (const [i, r] of filled.entries()) {
          const role = ROLE.safeParse(r.role);
          const share = Number(r.share);
          const unit = Id.safeParse(r.unitId);
          if (!r.name || !unit.success || !role.success || !(share > 0)) {
            ctx.addIssue({ code: 'custom', message: `Bước ${i + 1}: cần tên bước, đơn vị, vai trò và thời gian lớn hơn 0.` });
            return z.NEVER;
          }
          // In lower case (Id): the steps are jsonb, compared as text with the units' ids (the inbox's rule).
          const listed = [...new Set((r.actions ?? '').split(',').filter(Boolean))];
          const listable = listableAt(role.data);
          const actions = listed.every((a) => listable.has(a)) ? listed : [];
          out.push({ name: r.name, unitId: unit.data, role: role.data, share, actions });
        }
        return out;
      }),
  })
  .transform((v, ctx) => {
    if (v.limitKind === 'same_day') return { ...v, limit: undefined };
    if (v.limit === undefined) {
      ctx.addIssue({ code: 'custom', path: ['limit'], message: 'Vui lòng nhập thời hạn giải quyết (một số).' });
      return z.NEVER;
    }
    if (v.limitKind === 'days' && !Number.isInteger(v.limit)) {
      ctx.addIssue({ code: 'custom', path: ['limit'], message: 'Số ngày làm việc phải là số nguyên.' });
      return z.NEVER;
    }
    return { ...v, limit: v.limit };
  })
  .superRefine((v, ctx) => {
    const roles = v.steps.map((s) => s.role);
    if (roles[0] !== 'reception' || roles[roles.length - 1] !== 'result' || !roles.includes('approval')) {
      ctx.addIssue({
        code: 'custom',
        path: ['steps'],
        message: 'Quy trình phải bắt đầu bằng bước tiếp nhận, có bước phê duyệt và kết thúc bằng bước trả kết quả.',
      });
    }
    // Several approval levels are allowed (Lãnh đạo phòng xem xét, trình Lãnh đạo Sở phê duyệt): each level's Phê
    // duyệt hands the dossier on, the last one's settles it and sends it to the result step (dossiers/transitions.ts
    // actionAt). So after the last approval step only the result step may follow — a step placed there would be
    // skipped — and the result step is the process's last step, nowhere else (decision 0006).
    const lastApproval = roles.lastIndexOf('approval');
    for (const [i, s] of v.steps.entries()) {
      const last = i === v.steps.length - 1;
      if (lastApproval >= 0 && i > lastApproval && !last && s.role !== 'result') {
        ctx.addIssue({
          code: 'custom',
          path: ['steps'],
          message: `Bước ${i + 1} (${s.name}) nằm sau bước phê duyệt cuối cùng: sau khi lãnh đạo phê duyệt, hồ sơ chuyển thẳng sang bước trả kết quả. Hãy đặt bước này trước bước phê duyệt cuối cùng.`,
        });
      } else if (s.role === 'result' && !last) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps'],
          message: `Bước ${i + 1} (${s.name}): bước trả kết quả chỉ đặt ở cuối quy trình, sau bước phê duyệt cuối cùng.`,
        });
      }
    }
    const total = v.steps.reduce((n, s) => n + s.share, 0);
    const budget = stepBudget(v.limitKind, v.limit);
    if (total > budget + 1e-9) {
      ctx.addIssue({
        code: 'custom',
        path: ['steps'],
        message:
          v.limitKind === 'same_day'
            ? `Tổng thời gian các bước (${total} giờ) vượt ${budget} giờ làm việc của thủ tục giải quyết trong ngày.`
            : `Tổng thời gian các bước (${total}) vượt thời hạn giải quyết (${v.limit}).`,
      });
    }
  });
export type ProcedureInput = z.output<typeof ProcedureInput>;
