/** The shapes only the API answers (GET /me): a zod output schema and its present…(), as in dossiers/presenters.ts. */
import { z } from 'zod';
import { ROLES } from '../db/schema/index.js';
import type { WhoAmI } from './whoami.js';

export const Me = z
  .object({
    account: z.object({
      id: z.uuid(),
      username: z.string(),
      fullName: z.string(),
      position: z.string().nullable().describe('Chức vụ'),
      unitId: z.uuid(),
      unitName: z.string(),
    }),
    credential: z
      .object({
        kind: z.enum(['api_key', 'session']),
        keyId: z.string().nullable().describe('Mã khóa API (phần trước dấu chấm); null với phiên đăng nhập'),
        name: z.string().nullable().describe('Tên hệ thống sử dụng khóa'),
        expiresAt: z.iso.datetime({ offset: true }).nullable().describe('Thời điểm khóa hết hạn'),
      })
      .describe('Thông tin xác thực của yêu cầu'),
    roles: z
      .array(
        z.object({
          role: z.enum(ROLES),
          label: z.string(),
          unitId: z.uuid(),
          unitName: z.string(),
          coveredUnits: z.int().describe('Số đơn vị vai trò có hiệu lực: đơn vị và các đơn vị trực thuộc'),
          allows: z.string().describe('Vai trò cho phép làm gì'),
        }),
      )
      .describe('Vai trò của tài khoản theo đơn vị (vị trí trong quy trình xử lý)'),
    operations: z
      .array(
        z.object({
          operationId: z.string(),
          method: z.enum(['GET', 'POST']),
          path: z.string(),
          allowed: z.boolean().describe('Tài khoản có thể gọi thao tác này (từng hồ sơ vẫn được kiểm tra khi gọi)'),
          note: z.string(),
        }),
      )
      .describe('Các thao tác của API và tài khoản có được gọi không'),
  })
  .describe('Tài khoản của khóa API (hoặc của phiên đăng nhập) và những gì được làm');
export type Me = z.output<typeof Me>;

export const presentMe = (w: WhoAmI): Me => ({
  account: w.account,
  credential: { ...w.credential, expiresAt: w.credential.expiresAt ? w.credential.expiresAt.toISOString() : null },
  roles: w.roles,
  operations: w.operations,
});
