/** The one shape of an error answered as JSON (the API, and requests that accept JSON). */
import { z } from 'zod';
import type { AppError } from '../shared/errors.js';

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().describe('Mã lỗi ổn định (validation_failed, not_found, unauthenticated, …)'),
      message: z.string().describe('Thông báo cho người dùng'),
      fields: z.record(z.string(), z.string()).nullable().describe('Thông báo theo từng trường, nếu có'),
      requestId: z.string().describe('Mã tham chiếu của yêu cầu'),
    }),
  })
  .describe('Lỗi');
export type ErrorBody = z.output<typeof ErrorBody>;

export const presentError = (err: AppError, requestId: string): ErrorBody => ({
  error: { code: err.code, message: err.message, fields: err.fields ?? null, requestId },
});
