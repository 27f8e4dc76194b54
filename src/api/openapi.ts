/** The OpenAPI 3.1 document of /api/v1, its request bodies generated from the same zod schemas the use cases parse. */
import { z } from 'zod';
import { ReceiveInput } from '../dossiers/receive-dossier.js';
import { TransitionInput } from '../dossiers/act-on-dossier.js';
import { DOSSIER_STATUSES } from '../db/schema/index.js';
import { InboxQuery } from '../dossiers/inbox.js';

const body = (schema: z.ZodType) => {
  const { $schema, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  void $schema;
  return { required: true, content: { 'application/json': { schema: json } } };
};

/** Query parameters from a zod object, one per property. */
const queryParameters = (schema: z.ZodObject) => {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, object>; required?: string[] };
  return Object.entries(json.properties).map(([name, s]) => ({ name, in: 'query', required: json.required?.includes(name) ?? false, schema: s }));
};

const error = { description: 'Lỗi', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

export function openApiDocument(serverUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'MotCua API',
      version: '1.0.0',
      description:
        'API của Hệ thống thông tin giải quyết thủ tục hành chính. Xác thực bằng phiên đăng nhập (cookie, kèm header x-csrf-token cho yêu cầu thay đổi dữ liệu) hoặc khóa API do quản trị cấp: `Authorization: Bearer <mã khóa>.<bí mật>`. Quyền hạn giống hệt tài khoản được cấp khóa.',
    },
    servers: [{ url: `${serverUrl}/api/v1` }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'motcua_sid' } },
      schemas: {
        Error: {
          type: 'object',
          properties: {
            error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, fields: { type: ['object', 'null'] }, requestId: { type: 'string' } } },
          },
        },
        Dossier: {
          type: 'object',
          properties: {
            id: { type: 'string', format: 'uuid' },
            code: { type: 'string', example: '000.00.13.H10-261123-0001' },
            lookupCode: { type: 'string' },
            status: { type: 'string', enum: Object.keys(DOSSIER_STATUSES) },
            statusCode: { type: 'integer', description: 'TrangThaiHoSo của Cổng DVC quốc gia (1–10)' },
            receivedAt: { type: 'string', format: 'date-time' },
            dueAt: { type: 'string', format: 'date-time' },
            currentStep: { type: 'integer' },
          },
        },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths: {
      '/procedures': { get: { summary: 'Danh mục thủ tục hành chính', responses: { 200: { description: 'Các thủ tục (phiên bản hiện hành)' } } } },
      '/dossiers': {
        get: {
          summary: 'Tìm hồ sơ cần xử lý (theo bước mình phụ trách)',
          parameters: queryParameters(InboxQuery),
          responses: { 200: { description: 'Một trang hồ sơ, số lượng theo tab, con trỏ trang sau' }, 400: error, 401: error },
        },
        post: {
          summary: 'Tiếp nhận hồ sơ (trực tiếp, bưu chính)',
          requestBody: body(ReceiveInput),
          responses: { 201: { description: 'Hồ sơ đã tiếp nhận', content: { 'application/json': { schema: { $ref: '#/components/schemas/Dossier' } } } }, 400: error, 403: error },
        },
      },
      '/dossiers/{id}': { get: { summary: 'Một hồ sơ, với lịch sử xử lý và các thao tác được phép', parameters: [id], responses: { 200: { description: 'Hồ sơ' }, 404: error } } },
      '/dossiers/{id}/transitions': {
        post: { summary: 'Thực hiện một thao tác xử lý', parameters: [id], requestBody: body(TransitionInput), responses: { 200: { description: 'Hồ sơ sau thao tác' }, 400: error, 404: error, 409: error } },
      },
      '/lookup': {
        get: {
          summary: 'Tra cứu công khai theo mã hồ sơ và mã tra cứu',
          security: [],
          parameters: [
            { name: 'code', in: 'query', required: true, schema: { type: 'string' } },
            { name: 'lookupCode', in: 'query', required: true, schema: { type: 'string' } },
          ],
          responses: { 200: { description: 'Trạng thái hồ sơ' }, 404: error },
        },
      },
    },
  };
}
