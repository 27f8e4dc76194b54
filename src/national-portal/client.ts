/**
 * The national portal's synchronisation API (Cổng DVC quốc gia), over fetch: Bearer token, a time-out on every call,
 * answers checked with zod. Three calls — a status record sent (POST, idempotency key), the statuses it holds for
 * our province (GET, paged), the dossiers submitted there for our province (GET, paged by cursor). The stand-in of
 * the same API is sim/national-portal.ts; docs/decisions/0024-national-portal-sync.md.
 */
import { z } from 'zod';
import type { NationalPortalConfig } from '../config.js';
import type { NationalStatusPayload } from '../db/schema/index.js';
import { AnswerTooLarge, readBoundedText } from '../shared/bounded-read.js';
import { hasLoneSurrogate } from '../shared/text.js';

/** A call that did not succeed: `status` the HTTP status, 0 when there was no answer (refused, time-out). */
export class NationalPortalError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'NationalPortalError';
  }
}

/** A national code (dossier, procedure, agency, the id of a status record it answers): printable ASCII without spaces, so PostgreSQL and logs take it as is. */
const code = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[\x21-\x7e]+$/);
const NationalId = code(100);

/**
 * The national portal's id of a status record it took, stored on the outbox row as it is marked pushed: a code, so a
 * NUL (which PostgreSQL text cannot hold) or a lone surrogate in it is an unexpected answer — a failure written on the
 * row and retried with back-off (push.ts) — not a marking that fails after every send.
 */
const Recorded = z.object({ id: code(200) });

/**
 * A text of a pulled dossier, as declared there: a lone surrogate (JSON can carry one) has no UTF-8 form and no
 * character of its own — PostgreSQL's jsonb refuses it — so the item is unreadable (skipped), not a failed registration.
 */
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((v) => !hasLoneSurrogate(v), { error: 'not well-formed Unicode' });

/**
 * The id the national portal knows a dossier by: its own MaHoSoQG for a dossier submitted there (pulled), our MaHoSo
 * for ours. Status records, idempotency keys (`<this>:<seq>`) and reconciliation all go by it.
 */
export const nationalDossierKey = (record: { MaHoSo: string; MaHoSoQG?: string | null }): string => record.MaHoSoQG ?? record.MaHoSo;

/** What the national portal holds of one dossier: its latest status record. */
const HeldStatus = z.object({
  MaHoSo: z.string().min(1).max(100),
  MaHoSoQG: z.string().min(1).max(100).nullable().optional(),
  TrangThaiHoSo: z.number().int(),
  KenhThucHien: z.number().int().optional(),
  NgayHenTra: z.string().max(20).nullable().optional(),
  NgayKetThucXuLy: z.string().max(20).nullable().optional(),
});
export type HeldStatus = z.infer<typeof HeldStatus>;
// Item by item, as the pull's: one unreadable held status passed over (the dossier then counts as not held and is
// re-sent) rather than the page refused, which would stop every reconciliation at it.
/**
 * The portal's own cursor, sent back in the next page's address: a lone surrogate (JSON can carry one) has no UTF-8 and
 * would throw in encodeURIComponent — the page is refused as an unexpected answer instead.
 */
const Cursor = z
  .string()
  .max(200)
  .refine((v) => !hasLoneSurrogate(v), { error: 'the cursor is not well-formed Unicode' })
  .nullable();
const HeldPage = z.object({ items: z.array(z.unknown()).max(1000), nextCursor: Cursor });
const readableHeld = (items: unknown[]): HeldStatus[] =>
  items.flatMap((raw) => {
    const parsed = HeldStatus.safeParse(raw);
    return parsed.success ? [parsed.data] : [];
  });

/** A dossier submitted on the national portal: its id there, the procedure, the agency chosen, the applicant as declared. */
const Submitted = z.object({
  MaHoSoQG: NationalId,
  MaTTHC: code(50),
  MaDonVi: code(50).nullable().optional(),
  NgayNop: text(40),
  ChuHoSo: z.object({
    HoVaTen: text(300),
    SoDinhDanh: text(20).nullable().optional(),
    SoDienThoai: text(30).nullable().optional(),
    Email: text(300).nullable().optional(),
    DiaChi: text(500).nullable().optional(),
  }),
  GhiChu: text(1000).nullable().optional(),
});
export type SubmittedDossier = z.infer<typeof Submitted>;
/**
 * An item of a page that is not a dossier we can read (too long, a field missing…): why (the field, never its
 * value), and its national id when that is readable. Read item by item: one such item refusing the whole page
 * would stop the pull at that page for ever.
 */
export type UnreadableSubmission = { unreadable: string; MaHoSoQG: string | null };
const SubmittedPage = z.object({ items: z.array(z.unknown()).max(1000), nextCursor: Cursor });

function readSubmitted(raw: unknown): SubmittedDossier | UnreadableSubmission {
  const parsed = Submitted.safeParse(raw);
  if (parsed.success) return parsed.data;
  const id = NationalId.safeParse(raw && typeof raw === 'object' && 'MaHoSoQG' in raw ? raw.MaHoSoQG : undefined);
  const field = parsed.error.issues[0]?.path.join('.') || 'hồ sơ';
  return { unreadable: `Dữ liệu hồ sơ từ Cổng DVC quốc gia không hợp lệ (${field}).`, MaHoSoQG: id.success ? id.data : null };
}

export type NationalPortalClient = {
  /** Sends one status record; the same key again is the same record on the national side. Returns its id there. */
  sendStatus(payload: NationalStatusPayload, idempotencyKey: string): Promise<{ id: string }>;
  /** The statuses held for our province's dossiers changed since `since`, one page. */
  heldStatuses(since: Date, cursor: string | null): Promise<{ items: HeldStatus[]; nextCursor: string | null }>;
  /** Dossiers submitted for our province after `cursor` (null: from the beginning), one page. */
  submittedDossiers(cursor: string | null): Promise<{ items: Array<SubmittedDossier | UnreadableSubmission>; nextCursor: string | null }>;
};

/**
 * The most of one answer read: a page of 1000 dossiers at their fields' limits in plain UTF-8 is about 7 MB (a
 * real page far less). A larger answer is refused unread past the limit instead of filling the process's memory.
 */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

export function nationalPortalClient(config: NationalPortalConfig, opts: { timeoutMs?: number } = {}): NationalPortalClient {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const base = config.url.replace(/\/+$/, '');
  const call = async <T>(method: 'GET' | 'POST', path: string, schema: z.ZodType<T>, body?: unknown, key?: string): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${config.token}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(key ? { 'Idempotency-Key': key } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
    } catch (err) {
      throw new NationalPortalError(`${method} ${path}: no answer (${err instanceof Error ? err.message : String(err)})`, 0);
    }
    let text = '';
    try {
      text = await readBoundedText(res, MAX_ANSWER_BYTES);
    } catch (err) {
      if (err instanceof AnswerTooLarge && res.ok)
        throw new NationalPortalError(`${method} ${path}: the answer is over ${MAX_ANSWER_BYTES / 1024 / 1024} MB, not read`, res.status);
    }
    if (!res.ok) throw new NationalPortalError(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 200)}`, res.status);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new NationalPortalError(`${method} ${path}: the answer is not JSON`, res.status);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new NationalPortalError(`${method} ${path}: unexpected answer (${parsed.error.issues[0]?.message})`, res.status);
    return parsed.data;
  };
  const province = encodeURIComponent(config.province);
  return {
    sendStatus: (payload, idempotencyKey) => call('POST', `/tinh/${province}/trang-thai`, Recorded, payload, idempotencyKey),
    heldStatuses: async (since, cursor) => {
      const page = await call(
        'GET',
        `/tinh/${province}/trang-thai?tu=${encodeURIComponent(since.toISOString())}${cursor ? `&sau=${encodeURIComponent(cursor)}` : ''}`,
        HeldPage,
      );
      return { items: readableHeld(page.items), nextCursor: page.nextCursor };
    },
    submittedDossiers: async (cursor) => {
      const page = await call('GET', `/tinh/${province}/ho-so-nop${cursor ? `?sau=${encodeURIComponent(cursor)}` : ''}`, SubmittedPage);
      return { items: page.items.map(readSubmitted), nextCursor: page.nextCursor };
    },
  };
}
