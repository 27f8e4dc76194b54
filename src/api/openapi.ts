/**
 * The OpenAPI 3.1 document of /api/v1, generated from the same zod schemas the code uses: request bodies
 * and query parameters from the schemas the use cases parse, responses from the presenters' output
 * schemas (src/dossiers/presenters.ts, src/procedures/presenters.ts, src/api/presenters.ts, src/web/error-body.ts).
 * What each operation needs is said from src/api/operations.ts, which GET /me answers per account.
 */
import { z } from 'zod';
import { ReceiveInput } from '../dossiers/receive-dossier.js';
import { ApiTransitionInput } from './act-through-api.js';
import { RecordResultInput } from '../dossiers/record-result.js';
import { MAX_RESULT_BYTES } from '../dossiers/attach-result.js';
import { SCAN_ALLOWED } from '../dossiers/reception-checklist.js';
import { InboxQuery } from '../dossiers/inbox.js';
import {
  Applicant,
  Dossier,
  DossierDetail,
  DossierEvent,
  DossierFile,
  DossierResult,
  DossierSummary,
  InboxPage,
  LookupResult,
} from '../dossiers/presenters.js';
import { Procedure, ProcedureDocument } from '../procedures/presenters.js';
import { ErrorBody } from '../web/error-body.js';
import { CatalogQuery } from '../catalog/catalog-query.js';
import { Me } from './presenters.js';
import { NEEDS_TEXT, needsOf } from './operations.js';

/** components/schemas: each presenter schema under its name; one schema used inside another is a $ref to it. */
const components = z.registry<{ id: string }>();
const named: Record<string, z.ZodType> = {
  Error: ErrorBody,
  Applicant,
  Dossier,
  DossierDetail,
  DossierEvent,
  DossierFile,
  DossierResult,
  DossierSummary,
  InboxPage,
  LookupResult,
  Me,
  Procedure,
  ProcedureDocument,
};
for (const [id, schema] of Object.entries(named)) components.add(schema, { id });

type JsonSchema = Record<string, unknown>;
const withoutDialect = ({ $schema, $id, ...rest }: JsonSchema): JsonSchema => (void $schema, void $id, rest);

const componentSchemas = (): Record<string, JsonSchema> => {
  const { schemas } = z.toJSONSchema(components, { io: 'output', uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(Object.entries(schemas).map(([id, s]) => [id, withoutDialect(s)]));
};

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (description: string, schema: JsonSchema) => ({ description, content: { 'application/json': { schema } } });

const body = (schema: z.ZodType) => ({
  required: true,
  content: { 'application/json': { schema: withoutDialect(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })) } },
});

/** Query parameters from a zod object, one per property. */
const queryParameters = (schema: z.ZodObject) => {
  const { properties = {}, required = [] } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return Object.entries(properties).map(([name, s]) => ({ name, in: 'query', required: required.includes(name), schema: s }));
};

/** The errors an operation may answer, all in the one Error shape; `default` covers 500, 503 and 504. */
const ERROR_MEANINGS = {
  400: 'Dữ liệu gửi lên hoặc tham số không hợp lệ',
  401: 'Chưa xác thực',
  403: 'Không có quyền, thiếu x-csrf-token khi dùng phiên đăng nhập, hoặc phiên đăng nhập của tài khoản phải đổi mật khẩu tạm thời trước (password_change_required)',
  404: 'Không tồn tại hoặc không có quyền xem',
  409: 'Xung đột với trạng thái hiện tại (hồ sơ đã được xử lý; cơ quan ngừng hoạt động hoặc chưa có mã định danh)',
  413: 'Dữ liệu gửi lên quá lớn',
  415: 'Nội dung tệp không thuộc loại được nhận',
  422: 'Không xử lý được theo quy định',
} as const;
type ErrorStatus = keyof typeof ERROR_MEANINGS;
/** The errors an operation may answer; `said` replaces a status's general meaning with what it means there. */
const errorResponses = (statuses: ErrorStatus[], said: Partial<Record<ErrorStatus, string>> = {}) => ({
  ...Object.fromEntries(statuses.map((s) => [s, json(said[s] ?? ERROR_MEANINGS[s], ref('Error'))])),
  default: json('Lỗi hệ thống (500), tạm gián đoạn (503) hoặc yêu cầu quá thời gian xử lý (504)', ref('Error')),
});

const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

/** An operation's description ends with what it needs (src/api/operations.ts). */
const described = (operationId: string, text?: string) => ({
  operationId,
  description: [text, NEEDS_TEXT[needsOf(operationId)]].filter(Boolean).join(' '),
});

const binary = (description: string) => ({ type: 'string', contentMediaType: 'application/octet-stream', description });

/**
 * Tiếp nhận takes channels 1 and 3 only: 2 (trực tuyến) is refused with 422 online_channel_reserved. The same body as
 * JSON, or as the `dossier` part of multipart/form-data with the scans as files `scan-<index>`.
 */
const receiveBody = () => {
  const b = body(ReceiveInput);
  const schema = b.content['application/json'].schema as { properties: Record<string, JsonSchema> };
  schema.properties.channel = {
    type: 'integer',
    enum: [1, 3],
    description:
      'Hình thức tiếp nhận: 1 trực tiếp, 3 bưu chính công ích. Kênh 2 (trực tuyến) chỉ dành cho Cổng Dịch vụ công của tỉnh và quốc gia: khóa API của cán bộ gửi 2 nhận lỗi 422, mã online_channel_reserved.',
  };
  schema.properties.documents = {
    ...schema.properties.documents,
    description:
      'Thành phần hồ sơ đã nhận: index là vị trí của giấy tờ trong danh sách documents của thủ tục (GET /procedures/{id}), kèm số bản chính, bản sao. Mọi giấy tờ bắt buộc (required) phải có; thiếu thì lỗi 422, mã required_documents_missing, thông báo nêu tên từng giấy tờ thiếu (fields: doc-<index>).',
  };
  return {
    ...b,
    content: {
      ...b.content,
      'multipart/form-data': {
        schema: {
          type: 'object',
          required: ['dossier'],
          properties: { dossier: { ...schema, description: 'Hồ sơ: cùng nội dung với thân yêu cầu application/json' } },
          patternProperties: {
            '^scan-[0-9]{1,2}$': binary(
              `Bản quét (số hóa) của thành phần hồ sơ có index tương ứng, đã có trong documents: ${SCAN_ALLOWED}. Hồ sơ được đánh dấu đã số hóa khi mọi thành phần đã nhận có bản quét. Tệp rỗng, quá lớn hoặc sai loại: lỗi 400 với fields.scan-<index>.`,
            ),
          },
        },
        encoding: { dossier: { contentType: 'application/json' } },
      },
    },
  };
};

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** POST /dossiers: a retry with the same key is the dossier the first request received (src/api/routes.ts). */
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Khóa chống tiếp nhận trùng (draft-ietf-httpapi-idempotency-key-header): một UUID do phần mềm gọi API tạo cho mỗi hồ sơ, viết trần hoặc trong dấu ngoặc kép (chuỗi Structured Field), không phân biệt hoa thường. Khi không nhận được trả lời (hết thời gian chờ, mất kết nối), gửi lại đúng yêu cầu với cùng khóa: nếu lần đầu đã tiếp nhận thì nhận lại chính hồ sơ đó (201, cùng nội dung), không có hồ sơ thứ hai, không gửi thông báo hay đồng bộ lên Cổng Dịch vụ công quốc gia lần nữa. Cùng khóa với nội dung khác (thủ tục, kênh, người nộp, ghi chú, thành phần, bản quét): lỗi 422 idempotency_key_reused. Khóa riêng của từng khóa API (hoặc tài khoản, khi dùng phiên đăng nhập): khóa API khác hoặc tài khoản khác gửi cùng giá trị là một yêu cầu mới của họ. Khóa không phải UUID: lỗi 400 invalid_idempotency_key. Không gửi header: mỗi yêu cầu tiếp nhận một hồ sơ.',
  schema: { type: 'string', pattern: `^(${UUID}|"${UUID}")$`, examples: ['8e03978e-40d5-43e8-bc93-6894a57f9324'] },
};

const fileId = { name: 'fileId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const resultMb = MAX_RESULT_BYTES / 1024 / 1024;

const AUTH_TEXT =
  'Các thao tác khác xác thực bằng phiên đăng nhập (cookie, kèm header x-csrf-token cho yêu cầu thay đổi dữ liệu) hoặc khóa API do quản trị cấp (Quản lý người dùng → Khóa API): `Authorization: Bearer <khóa API>`. Một khóa hành động với đúng vai trò của tài khoản được cấp (mỗi thao tác ghi rõ vai trò cần có); GET /me cho biết tài khoản, vai trò và các thao tác khóa được gọi. Khóa có thời hạn (mặc định 90 ngày, tối đa 365) và có thể bị thu hồi; khóa không hợp lệ, đã thu hồi hoặc hết hạn nhận lỗi 401 với mã invalid_token, api_key_revoked hoặc api_key_expired (tài khoản bị tạm đình chỉ: api_key_account_unavailable). Phiên đăng nhập (cookie) của tài khoản đang dùng mật khẩu tạm thời nhận lỗi 403 password_change_required cho đến khi đổi mật khẩu (khóa API không bị ảnh hưởng); phiên đăng nhập bằng mật khẩu đã kết thúc vì đơn vị chuyển sang chỉ đăng nhập bằng VNeID nhận lỗi 401 password_session_closed.';

export function openApiDocument(serverUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'MotCua API',
      version: '1.0.0',
      description: `API của Hệ thống thông tin giải quyết thủ tục hành chính. Danh mục thủ tục (/procedures) và tra cứu hồ sơ (/lookup) công khai, không cần xác thực. ${AUTH_TEXT}`,
    },
    servers: [{ url: `${serverUrl}/api/v1` }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'motcua_sid' } },
      schemas: componentSchemas(),
    },
    security: [{ bearer: [] }, { session: [] }],
    paths: {
      '/me': {
        get: {
          ...described('getMe', 'Tài khoản mà khóa API (hoặc phiên) hành động thay, vai trò theo đơn vị và các thao tác được gọi.'),
          summary: 'Tài khoản của khóa API, vai trò và các thao tác được phép',
          responses: { 200: json('Tài khoản, vai trò, thao tác', ref('Me')), ...errorResponses([401, 403]) },
        },
      },
      '/procedures': {
        get: {
          ...described(
            'listProcedures',
            'Công khai như Cổng Dịch vụ công quốc gia: gọi được không cần xác thực (nếu gửi khóa API thì khóa phải hợp lệ). Tìm theo tên không phân biệt dấu, lọc theo lĩnh vực, cơ quan thực hiện, mức độ; theo tên thủ tục, từng trang: trang sau ở header `Link` (rel="next"), không có khi là trang cuối.',
          ),
          summary: 'Danh mục thủ tục hành chính (công khai, không cần xác thực)',
          security: [{}, { bearer: [] }, { session: [] }],
          parameters: queryParameters(CatalogQuery),
          responses: {
            200: {
              ...json('Một trang thủ tục (phiên bản hiện hành), theo tên', { type: 'array', items: ref('Procedure') }),
              headers: {
                Link: { description: 'Địa chỉ trang sau: `<…>; rel="next"`; không có ở trang cuối', schema: { type: 'string' } },
              },
            },
            ...errorResponses([400, 401]),
          },
        },
      },
      '/procedures/{id}': {
        get: {
          ...described('getProcedure'),
          summary: 'Một thủ tục hành chính (phiên bản hiện hành; công khai, không cần xác thực)',
          security: [{}, { bearer: [] }, { session: [] }],
          parameters: [id],
          responses: { 200: json('Thủ tục', ref('Procedure')), ...errorResponses([401, 404]) },
        },
      },
      '/dossiers': {
        get: {
          ...described('listDossiers'),
          summary: 'Tìm hồ sơ cần xử lý (theo bước mình phụ trách)',
          parameters: queryParameters(InboxQuery),
          responses: {
            200: json('Một trang hồ sơ, số lượng theo tab, con trỏ trang sau', ref('InboxPage')),
            ...errorResponses([400, 401, 403]),
          },
        },
        post: {
          ...described(
            'receiveDossier',
            'Kênh 1 (trực tiếp) hoặc 3 (bưu chính công ích). Kênh 2 (trực tuyến) chỉ dành cho Cổng Dịch vụ công: bị từ chối với 422, mã online_channel_reserved.',
          ),
          summary: 'Tiếp nhận hồ sơ (trực tiếp, bưu chính công ích), kèm bản quét nếu có',
          parameters: [idempotencyKey],
          requestBody: receiveBody(),
          responses: {
            201: json(
              'Hồ sơ đã tiếp nhận; yêu cầu gửi lại với cùng Idempotency-Key và cùng nội dung nhận lại đúng hồ sơ đó (cùng mã 201), không tạo hồ sơ mới',
              ref('Dossier'),
            ),
            ...errorResponses([400, 401, 403, 404, 409, 413, 422], {
              400: 'Dữ liệu gửi lên không hợp lệ, hoặc header Idempotency-Key không phải UUID (invalid_idempotency_key, fields.Idempotency-Key)',
              422: 'Thiếu thành phần hồ sơ bắt buộc (required_documents_missing, nêu tên từng giấy tờ), kênh trực tuyến (2) chỉ dành cho Cổng Dịch vụ công (online_channel_reserved), hoặc Idempotency-Key đã dùng cho một yêu cầu có nội dung khác (idempotency_key_reused)',
            }),
          },
        },
      },
      '/dossiers/{id}': {
        get: {
          ...described('getDossier'),
          summary: 'Một hồ sơ, với lịch sử xử lý và các thao tác được phép',
          parameters: [id],
          responses: { 200: json('Hồ sơ', ref('DossierDetail')), ...errorResponses([401, 403, 404]) },
        },
      },
      '/dossiers/{id}/transitions': {
        post: {
          ...described('actOnDossier'),
          summary: 'Thực hiện một thao tác xử lý',
          parameters: [id],
          requestBody: body(ApiTransitionInput),
          responses: {
            200: json('Hồ sơ sau thao tác', ref('Dossier')),
            ...errorResponses([400, 401, 403, 404, 409, 413], {
              400: 'Dữ liệu gửi lên không hợp lệ, hoặc thiếu seen (seen_required, fields.seen): mỗi thao tác nêu dòng lịch sử mới nhất đã đọc, để một yêu cầu gửi lại không xử lý hồ sơ hai lần',
              409: 'Hồ sơ đã thay đổi sau dòng lịch sử seen — do người khác hoặc do chính yêu cầu này gửi lần trước (dossier_moved, kèm diễn biến) — thao tác không được phép ở trạng thái hiện tại (invalid_transition), hoặc chưa có kết quả để phê duyệt, trả (result_required)',
            }),
          },
        },
      },
      '/dossiers/{id}/result': {
        post: {
          ...described(
            'recordResult',
            'Ghi nhận kết quả giải quyết ở bước xử lý hoặc phê duyệt, như màn hình một cửa: văn bản (số, ngày ký, trích yếu, người ký) hoặc không có văn bản kèm lý do khi thủ tục cho phép. Ghi lại thay kết quả trước cho đến khi phê duyệt; gửi lại đúng giá trị cũ không ghi thêm gì. Phê duyệt (POST /dossiers/{id}/transitions, action approve) cần kết quả đã ghi nhận và, với văn bản, tệp kết quả.',
          ),
          summary: 'Ghi nhận kết quả giải quyết',
          parameters: [id],
          requestBody: body(RecordResultInput),
          responses: {
            200: json('Kết quả đã ghi nhận', ref('DossierResult')),
            ...errorResponses([400, 401, 403, 404, 409, 413], {
              409: 'Hồ sơ không ở bước xử lý hoặc phê duyệt (invalid_transition), hoặc kết quả đã được phê duyệt (result_frozen)',
            }),
          },
        },
      },
      '/dossiers/{id}/result/files': {
        post: {
          ...described(
            'attachResultFile',
            `Đính kèm tệp kết quả (bản ký) ở bước xử lý hoặc phê duyệt: multipart/form-data, tệp ở phần \`file\`; PDF, ảnh PNG/JPEG hoặc Word .docx, tối đa ${resultMb} MB, kiểm tra theo nội dung trong khi nhận. Tệp bị từ chối không để lại gì trong hồ sơ.`,
          ),
          summary: 'Đính kèm tệp kết quả',
          parameters: [id],
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: { type: 'object', required: ['file'], properties: { file: binary('Tệp kết quả') } },
              },
            },
          },
          responses: {
            201: json('Tệp đã đính kèm', ref('DossierFile')),
            ...errorResponses([400, 401, 403, 404, 409, 413, 415], {
              400: 'Không có tệp (file_missing) hoặc tệp rỗng (file_empty)',
              409: 'Hồ sơ không ở bước xử lý hoặc phê duyệt (invalid_transition)',
              413: `Tệp lớn hơn ${resultMb} MB (file_too_large), hoặc yêu cầu quá lớn (payload_too_large)`,
              415: 'Nội dung tệp không phải PDF, PNG, JPEG hoặc Word .docx (file_type_not_allowed)',
            }),
          },
        },
      },
      '/dossiers/{id}/files/{fileId}': {
        get: {
          ...described(
            'downloadDossierFile',
            'Nội dung một tệp của hồ sơ (kết quả, bản quét, tệp người nộp gửi) liệt kê ở files của GET /dossiers/{id}.',
          ),
          summary: 'Tải một tệp của hồ sơ',
          parameters: [id, fileId],
          responses: {
            200: {
              description: 'Nội dung tệp, với Content-Type của tệp',
              headers: {
                'Content-Disposition': { description: 'attachment, với tên tệp (filename*, UTF-8)', schema: { type: 'string' } },
              },
              content: { '*/*': { schema: binary('Nội dung tệp') } },
            },
            ...errorResponses([401, 404]),
          },
        },
      },
      '/lookup': {
        get: {
          ...described('lookupDossier'),
          summary: 'Tra cứu công khai theo mã hồ sơ và mã tra cứu',
          security: [],
          parameters: [
            { name: 'code', in: 'query', required: true, schema: { type: 'string', maxLength: 60 } },
            { name: 'lookupCode', in: 'query', required: true, schema: { type: 'string', maxLength: 20 } },
          ],
          responses: { 200: json('Trạng thái hồ sơ', ref('LookupResult')), ...errorResponses([400, 404]) },
        },
      },
    },
  };
}
