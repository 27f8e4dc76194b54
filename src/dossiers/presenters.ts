/**
 * Dossiers as the outside world sees them: each resource shaped once, as a zod output schema and the
 * `present…` function that turns a use case's result into it (dates as ISO 8601 strings, statuses with
 * their label and the national portal's TrangThaiHoSo code). The API returns these and its OpenAPI
 * document is generated from the same schemas (src/api/openapi.ts); pages may render them too.
 */
import { z } from 'zod';
import type { Applicant as ApplicantRow, dossierEvents, dossiers } from '../db/schema/index.js';
import { ACTIONS, DOSSIER_STATUSES, INBOX_TAB_KEYS, STATUS_KEYS, STATUS_LABELS, type DossierStatus, type InboxTab } from './transitions.js';
import type { InboxRecordRow, InboxResult } from './inbox.js';
import type { viewDossier } from './view-dossier.js';
import type { HistoryPerson, HistoryRow } from './dossier-history.js';
import type { lookupDossier } from './public-lookup.js';
import type { DossierResult as ResultRow } from './record-result.js';
import type { resultFilesOf } from './attach-result.js';
import type { DossierFeeFacts } from '../payments/queries.js';

// A status as every resource shows it: its name, its TrangThaiHoSo code and its label (the workflow's data).
const status = (s: DossierStatus) => ({ status: s, statusCode: DOSSIER_STATUSES[s], statusLabel: STATUS_LABELS[s] });

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

const Instant = z.iso.datetime().describe('Thời điểm ISO 8601 (UTC)');
const StatusFields = {
  status: z.enum(STATUS_KEYS).describe('Trạng thái hồ sơ'),
  statusCode: z.int().min(1).max(10).describe('TrangThaiHoSo của Cổng DVC quốc gia (1–10)'),
  statusLabel: z.string().describe('Tên trạng thái'),
};

export const Applicant = z
  .object({
    fullName: z.string(),
    cccd: z.string().nullable(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    address: z.string().nullable(),
    organisation: z.string().nullable(),
  })
  .describe('Người nộp hồ sơ');
export type Applicant = z.output<typeof Applicant>;

const presentApplicant = (a: ApplicantRow): Applicant => ({
  fullName: a.fullName,
  cccd: a.cccd ?? null,
  phone: a.phone ?? null,
  email: a.email ?? null,
  address: a.address ?? null,
  organisation: a.organisation ?? null,
});

/** A dossier: what reception (POST /dossiers) and an action (POST /dossiers/{id}/transitions) return. */
export const Dossier = z
  .object({
    id: z.uuid(),
    code: z.string().meta({ examples: ['000.00.13.H10-261123-0001'] }),
    lookupCode: z.string().describe('Mã tra cứu in trên giấy tiếp nhận'),
    ...StatusFields,
    channel: z.literal([1, 2, 3]).describe('Hình thức tiếp nhận: 1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích'),
    applicant: Applicant,
    receivedAt: Instant,
    dueAt: Instant.describe('Hẹn trả kết quả'),
    currentStep: z.int().min(0).describe('Bước hiện tại của quy trình (từ 0)'),
    clockStoppedAt: Instant.nullable().describe('Tạm dừng tính thời gian từ (chờ bổ sung)'),
    finishedAt: Instant.nullable(),
    returnedAt: Instant.nullable(),
  })
  .describe('Hồ sơ');
export type Dossier = z.output<typeof Dossier>;

export function presentDossier(d: typeof dossiers.$inferSelect): Dossier {
  return {
    id: d.id,
    code: d.code,
    lookupCode: d.lookupCode,
    ...status(d.status),
    channel: d.channel,
    applicant: presentApplicant(d.applicant),
    receivedAt: iso(d.receivedAt),
    dueAt: iso(d.dueAt),
    currentStep: d.currentStep,
    clockStoppedAt: isoOrNull(d.clockStoppedAt),
    finishedAt: isoOrNull(d.finishedAt),
    returnedAt: isoOrNull(d.returnedAt),
  };
}

/** One line of a dossier's history. */
export const DossierEvent = z
  .object({
    id: z.int().describe('Số dòng lịch sử (tăng dần); dòng mới nhất là seen của hồ sơ'),
    at: Instant,
    actor: z
      .string()
      .nullable()
      .describe('Người thực hiện: "Họ tên (Chức vụ)"; theo ủy quyền: "<người nhận> thay <người ủy quyền> (ủy quyền số n)"'),
    action: z.string().describe('Thao tác (receive, submit, handover, …)'),
    fromStatus: z.string().nullable(),
    toStatus: z.string(),
    note: z.string().nullable(),
  })
  .describe('Một dòng lịch sử xử lý');
export type DossierEvent = z.output<typeof DossierEvent>;

/** A person as the history names them: "Họ tên (Chức vụ)"; the stored username when the account is gone. */
const personLabel = (p: HistoryPerson | null | undefined, stored: string | null): string =>
  p ? (p.position ? `${p.fullName} (${p.position})` : p.fullName) : (stored ?? '');

/**
 * Who acted in a history row, as officials' screens, Mẫu 06 and the API write it: the full name and position of the
 * account (dossier-history.ts joins them at read time), "<delegate> thay <delegator> (ủy quyền số n)" under a
 * delegation; an API call is marked as such, a citizen is the applicant, the system is "Hệ thống". Not for the
 * citizen's own history, which names no official.
 */
export function eventActorLabel(
  h: Pick<typeof dossierEvents.$inferSelect, 'actorKind' | 'actorLabel' | 'onBehalfLabel' | 'delegationId'> &
    Partial<Pick<HistoryRow, 'actor' | 'onBehalf'>>,
): string {
  if (h.actorKind === 'citizen') return 'Người nộp hồ sơ';
  if (h.actorKind === 'system') return h.actorLabel === 'payment-platform' ? 'Nền tảng thanh toán' : 'Hệ thống';
  const who = personLabel(h.actor, h.actorLabel);
  if (h.actorKind === 'api') return `${who} (qua API)`;
  if (h.delegationId === null || h.delegationId === undefined) return who;
  return `${who} thay ${personLabel(h.onBehalf, h.onBehalfLabel)} (ủy quyền số ${h.delegationId})`;
}

const presentDossierEvent = (h: HistoryRow): DossierEvent => ({
  id: h.id,
  at: iso(h.at),
  actor: eventActorLabel(h),
  action: h.action,
  fromStatus: h.fromStatus,
  toStatus: h.toStatus,
  note: h.note,
});

/** A file of a dossier (a result, a counter scan, a document sent online or in a supplement), without its bytes. */
export const DossierFile = z
  .object({
    id: z.uuid(),
    kind: z
      .enum(['result', 'submitted', 'supplement', 'scan'])
      .describe('result: kết quả; scan: bản quét khi tiếp nhận; submitted, supplement: người nộp gửi'),
    documentLabel: z.string().nullable().describe('Thành phần hồ sơ của tệp (theo thủ tục), nếu có'),
    name: z.string(),
    size: z.int().min(0).describe('Số byte'),
    uploadedAt: Instant,
  })
  .describe('Một tệp của hồ sơ; tải nội dung bằng GET /dossiers/{id}/files/{fileId}');
export type DossierFile = z.output<typeof DossierFile>;

export const presentDossierFile = (f: Awaited<ReturnType<typeof resultFilesOf>>[number]): DossierFile => ({
  id: f.id,
  kind: f.kind,
  documentLabel: f.label,
  name: f.name,
  size: f.size,
  uploadedAt: iso(f.uploadedAt),
});

/** Kết quả giải quyết as recorded (record-result.ts): a document, or none with the reason the procedure allows. */
export const DossierResult = z
  .object({
    kind: z.enum(['document', 'none']).describe('document: văn bản kết quả; none: không có văn bản'),
    number: z.string().nullable().describe('Số, ký hiệu'),
    signedOn: z.iso.date().nullable().describe('Ngày ký (yyyy-mm-dd)'),
    summary: z.string().nullable().describe('Trích yếu'),
    signer: z.string().nullable().describe('Người ký'),
    noDocumentReason: z.string().nullable().describe('Lý do không có văn bản'),
    recordedAt: Instant,
    approvedAt: Instant.nullable().describe('Thời điểm phê duyệt; từ đó kết quả không thay đổi được'),
  })
  .describe('Kết quả giải quyết đã ghi nhận');
export type DossierResult = z.output<typeof DossierResult>;

export const presentDossierResult = (r: ResultRow): DossierResult => ({
  kind: r.kind,
  number: r.number,
  signedOn: r.signedOn,
  summary: r.summary,
  signer: r.signer,
  noDocumentReason: r.noDocumentReason,
  recordedAt: iso(r.recordedAt),
  approvedAt: isoOrNull(r.approvedAt),
});

/** A dossier as an official sees it: its procedure, current step, what they may do, its history, result and files. */
export const DossierDetail = Dossier.extend({
  procedure: z.object({ id: z.uuid(), version: z.int(), name: z.string() }),
  step: z.object({
    name: z.string(),
    unitId: z.uuid().nullable().describe('Đơn vị phụ trách bước; null: chính cơ quan tiếp nhận'),
    role: z.enum(['reception', 'processing', 'approval', 'result']),
    share: z
      .number()
      .describe('Thời gian của bước: ngày làm việc khi thời hạn của thủ tục tính bằng ngày (workingDays > 0), giờ làm việc nếu không'),
    actions: z.array(z.string()),
  }),
  allowedActions: z.array(z.enum(ACTIONS)).describe('Các thao tác người gọi được thực hiện lúc này'),
  seen: z.int().describe('Số dòng lịch sử mới nhất của hồ sơ: gửi kèm là seen khi thực hiện thao tác (POST /dossiers/{id}/transitions)'),
  history: z.array(DossierEvent),
  result: DossierResult.nullable().describe('Kết quả giải quyết đã ghi nhận; null: chưa ghi nhận'),
  files: z.array(DossierFile).describe('Các tệp của hồ sơ người gọi được tải'),
  fee: z
    .object({
      amount: z.int().min(0).describe('Phí, lệ phí của thủ tục (đồng); 0: không mất phí'),
      paidOnline: z
        .object({ amount: z.int(), paidAt: Instant.nullable(), transactionId: z.string().nullable() })
        .nullable()
        .describe('Khoản đã thanh toán trực tuyến; null: chưa (hồ sơ trực tiếp, bưu chính nộp tại Bộ phận Một cửa)'),
      refunds: z
        .array(
          z.object({
            amount: z.int(),
            transactionId: z.string().nullable(),
            status: z.enum(['refund_due', 'refunded']).describe('refund_due: cần hoàn trả; refunded: đã hoàn trả'),
            refundedAt: Instant.nullable(),
          }),
        )
        .describe('Các khoản đã thanh toán nhưng hồ sơ không phải nộp, cần hoặc đã hoàn trả'),
    })
    .describe('Phí, lệ phí'),
}).describe('Hồ sơ, với bước hiện tại, thao tác được phép, lịch sử xử lý, kết quả, các tệp và phí, lệ phí');
export type DossierDetail = z.output<typeof DossierDetail>;

export function presentDossierDetail(
  v: Awaited<ReturnType<typeof viewDossier>>,
  result: ResultRow | null,
  files: Awaited<ReturnType<typeof resultFilesOf>>,
  fee: DossierFeeFacts,
): DossierDetail {
  return {
    ...presentDossier(v.dossier),
    procedure: { id: v.version.procedureId, version: v.version.version, name: v.version.name },
    step: { name: v.step.name, unitId: v.step.unitId, role: v.step.role, share: v.step.share, actions: v.step.actions },
    allowedActions: v.actions,
    // Every dossier has a history row from its reception on (receive or submit), so there is always a latest one.
    seen: v.history.at(-1)?.id ?? 0,
    history: v.history.map(presentDossierEvent),
    result: result ? presentDossierResult(result) : null,
    files: files.map(presentDossierFile),
    fee: {
      amount: v.version.fee,
      paidOnline: fee.paid ? { amount: fee.paid.amount, paidAt: isoOrNull(fee.paid.paidAt), transactionId: fee.paid.transactionId } : null,
      refunds: fee.refunds.map((r) => ({ ...r, refundedAt: isoOrNull(r.refundedAt) })),
    },
  };
}

/** A row of Hồ sơ cần xử lý. */
export const DossierSummary = z
  .object({
    id: z.uuid(),
    code: z.string(),
    ...StatusFields,
    applicant: Applicant,
    procedureName: z.string(),
    channel: z.literal([1, 2, 3]),
    receivedAt: Instant,
    dueAt: Instant,
    stepDueAt: Instant.nullable().describe('Hạn của bước hiện tại'),
    currentStep: z.int().min(0),
  })
  .describe('Một hồ sơ trong danh sách cần xử lý');
export type DossierSummary = z.output<typeof DossierSummary>;

const presentDossierSummary = (r: InboxRecordRow): DossierSummary => ({
  id: r.id,
  code: r.code,
  ...status(r.status),
  applicant: presentApplicant(r.applicant),
  procedureName: r.procedureName,
  channel: r.channel,
  receivedAt: iso(r.receivedAt),
  dueAt: iso(r.dueAt),
  stepDueAt: isoOrNull(r.stepDueAt),
  currentStep: r.currentStep,
});

/** A page of the inbox: its rows, the count of every tab, the cursor of the next page. */
export const InboxPage = z
  .object({
    items: z.array(DossierSummary),
    counts: z
      .object(Object.fromEntries(INBOX_TAB_KEYS.map((t) => [t, z.int().min(0)])) as Record<InboxTab, z.ZodInt>)
      .describe('Số hồ sơ theo tab'),
    next: z.string().nullable().describe('Giá trị tham số after để lấy trang sau; null: hết'),
  })
  .describe('Một trang hồ sơ cần xử lý');
export type InboxPage = z.output<typeof InboxPage>;

export const presentInboxPage = (res: InboxResult<InboxRecordRow>): InboxPage => ({
  items: res.rows.map(presentDossierSummary),
  counts: res.counts,
  next: res.next,
});

/** Tra cứu: what anyone holding the receipt may know (the applicant's name masked). */
export const LookupResult = z
  .object({
    code: z.string(),
    procedureName: z.string(),
    agencyName: z.string(),
    applicant: z.string().describe('Tên người nộp, viết tắt'),
    ...StatusFields,
    receivedAt: Instant,
    dueAt: Instant,
    returnedAt: Instant.nullable(),
  })
  .describe('Kết quả tra cứu hồ sơ');
export type LookupResult = z.output<typeof LookupResult>;

export function presentLookupResult(found: NonNullable<Awaited<ReturnType<typeof lookupDossier>>>): LookupResult {
  return {
    code: found.code,
    procedureName: found.procedureName,
    agencyName: found.agencyName,
    applicant: found.applicant,
    ...status(found.status),
    receivedAt: iso(found.receivedAt),
    dueAt: iso(found.dueAt),
    returnedAt: isoOrNull(found.returnedAt),
  };
}
