/**
 * Procedures as the outside world sees them: the zod output schema of a catalog entry and the function
 * that shapes one. The API returns it and its OpenAPI document is generated from it (src/api/openapi.ts).
 */
import { z } from 'zod';
import type { ProcedureDocument as DocumentRow } from '../db/schema/index.js';
import { templateUrl } from './document-templates.js';
import type { CatalogEntry } from './list-procedures.js';

export const ProcedureDocument = z
  .object({
    name: z.string(),
    required: z.boolean(),
    copies: z.int().min(0).nullable().describe('Số bản'),
    template: z.uuid().nullable().describe('Mã tệp mẫu đơn, tờ khai'),
    templateUrl: z.url().nullable().describe('Địa chỉ tải mẫu đơn, tờ khai (không cần xác thực)'),
  })
  .describe('Thành phần hồ sơ');
export type ProcedureDocument = z.output<typeof ProcedureDocument>;

export const Procedure = z
  .object({
    id: z.uuid(),
    code: z.string().meta({ examples: ['2.000633'] }),
    version: z.int().min(1),
    name: z.string(),
    sector: z.string().describe('Lĩnh vực'),
    workingDays: z
      .int()
      .nullable()
      .describe('Thời hạn giải quyết (ngày làm việc); 0 = trong ngày làm việc: trả kết quả trước khi hết giờ làm việc của ngày tiếp nhận'),
    workingHours: z.number().nullable().describe('Thời hạn giải quyết (giờ làm việc), khi thời hạn tính bằng giờ'),
    after1500NextDay: z.boolean().describe('Hồ sơ nhận sau 15 giờ được tính từ ngày làm việc tiếp theo'),
    fee: z.int().min(0).describe('Lệ phí (đồng)'),
    onlineLevel: z.enum(['toan_trinh', 'mot_phan']).describe('Dịch vụ công trực tuyến toàn trình / một phần'),
    documents: z.array(ProcedureDocument),
  })
  .describe('Thủ tục hành chính (phiên bản hiện hành)');
export type Procedure = z.output<typeof Procedure>;

const presentDocument = (d: DocumentRow, publicUrl: string): ProcedureDocument => ({
  name: d.name,
  required: d.required,
  copies: d.copies ?? null,
  template: d.template ?? null,
  templateUrl: d.template ? `${publicUrl}${templateUrl(d.template)}` : null,
});

/** `publicUrl`: the site's address, which template downloads are under. */
export function presentProcedure({ version: v, code, sector }: CatalogEntry, publicUrl: string): Procedure {
  return {
    id: v.procedureId,
    code,
    version: v.version,
    name: v.name,
    sector,
    workingDays: v.workingDays,
    workingHours: v.workingHours,
    after1500NextDay: v.after1500NextDay,
    fee: v.fee,
    onlineLevel: v.onlineLevel,
    documents: v.documents.map((d) => presentDocument(d, publicUrl)),
  };
}
