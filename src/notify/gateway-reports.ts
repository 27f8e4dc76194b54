/**
 * The gateways' delivery reports (docs/decisions/0023), checked before anything is believed:
 *
 * - SMS: headers X-Timestamp (Unix seconds) and X-Signature = hex HMAC-SHA256(SMS_REPORT_SECRET, timestamp + "." +
 *   body). The timestamp is signed with the body, so an old report cannot be sent again under a new time.
 * - Zalo ZNS: X-ZEvent-Signature = "mac=" + hex SHA-256(app id + body + timestamp + OA secret), the timestamp (ms)
 *   being the body's own field — Zalo's scheme (../shared/MISSION.md §4).
 *
 * Signatures are compared in constant time; a timestamp more than 5 minutes from our clock is refused (the replay
 * window). Inside the window each report is applied once: its id (SMS reportId; ZNS msg_id + event) is recorded in
 * the database (applied_delivery_reports, migration 0050) for twice the window, in the transaction that applies it,
 * so a replay is refused by every instance on the database and after a restart, and a report whose application
 * failed is not recorded (the gateway's retry applies it). applyDeliveryReport is idempotent besides.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { lte } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { appliedDeliveryReports } from '../db/schema/index.js';
import { applyDeliveryReport, type DeliveryReport } from './delivery-report.js';
import { instantField } from '../shared/validate.js';

export const REPORT_MAX_BYTES = 4 * 1024;
const WINDOW_MS = 5 * 60_000;

/** A report that passed its signature and window; `report` null when it names no message of ours (not our id). */
type Verified = { ok: true; replayKey: string; report: DeliveryReport | null };
type Refused = { ok: false; status: 400 | 401; error: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function equalHex(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

const inWindow = (atMs: number, now: Date) => Number.isFinite(atMs) && Math.abs(now.getTime() - atMs) <= WINDOW_MS;

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return null;
  }
}

/** The operators' failure codes, said for administrators (Quản trị → Thông báo). */
const REASONS: Record<string, string> = {
  SUBSCRIBER_UNREACHABLE: 'Thuê bao không liên lạc được (tắt máy hoặc ngoài vùng phủ sóng)',
  VALIDITY_PERIOD_EXPIRED: 'Hết thời gian chờ mà thuê bao chưa nhận được tin nhắn',
  USER_NOT_REACHABLE: 'Người nhận không nhận được tin Zalo',
  MESSAGE_EXPIRED: 'Hết thời gian chờ mà người nhận chưa nhận được tin Zalo',
};
function reasonOf(state: DeliveryReport['state'], code: string | undefined, gateway: string): string | null {
  if (state === 'delivered') return null;
  if (code && REASONS[code]) return REASONS[code];
  const said = code && /^[\w.-]{1,40}$/.test(code) ? ` (mã ${code})` : '';
  return state === 'expired' ? `Hết thời gian chờ mà người nhận chưa nhận được tin${said}` : `${gateway} báo không gửi được${said}`;
}

const SmsReport = z.object({
  reportId: z.string().min(1).max(64),
  messageId: z.string().min(1).max(128),
  clientRef: z.string().min(1).max(64),
  status: z.enum(['delivered', 'failed', 'expired']),
  errorCode: z.string().max(64).optional(),
  // Years PostgreSQL holds (zod lets year 0 through, which would answer the gateway 500 at each of its retries).
  doneAt: instantField('doneAt out of range'),
});

export function verifySmsReport(
  secret: string,
  raw: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  now: Date,
): Verified | Refused {
  const timestamp = headers.timestamp ?? '';
  const expected = crypto.createHmac('sha256', secret).update(`${timestamp}.${raw}`, 'utf8').digest('hex');
  if (!/^\d{1,12}$/.test(timestamp) || !equalHex(expected, headers.signature ?? ''))
    return { ok: false, status: 401, error: 'invalid_signature' };
  if (!inWindow(Number(timestamp) * 1000, now)) return { ok: false, status: 401, error: 'stale_timestamp' };
  const parsed = SmsReport.safeParse(parseJson(raw));
  if (!parsed.success) return { ok: false, status: 400, error: 'invalid_report' };
  const r = parsed.data;
  return {
    ok: true,
    replayKey: `sms:${r.reportId}`,
    report: UUID.test(r.clientRef)
      ? {
          notificationId: r.clientRef.toLowerCase(),
          channel: 'sms',
          gatewayId: r.messageId,
          state: r.status,
          reason: reasonOf(r.status, r.errorCode, 'Nhà mạng'),
          at: new Date(r.doneAt),
        }
      : null,
  };
}

const ZnsEvent = z.object({
  app_id: z.string().min(1).max(64),
  event_name: z.string().min(1).max(64),
  timestamp: z.string().regex(/^\d{1,15}$/),
  message: z.object({
    msg_id: z.string().min(1).max(128),
    tracking_id: z.string().max(64).optional(),
    delivery_time: z
      .string()
      .regex(/^\d{1,15}$/)
      .optional(),
    status: z.enum(['failed', 'expired']).optional(),
    error_code: z.string().max(64).optional(),
  }),
});
const ZNS_STATES: Record<string, DeliveryReport['state'] | undefined> = {
  user_received_message: 'delivered',
  user_not_received_message: 'failed',
};

export function verifyZnsReport(
  config: { appId: string; secret: string },
  raw: string,
  signature: string | undefined,
  now: Date,
): Verified | Refused {
  const parsed = ZnsEvent.safeParse(parseJson(raw));
  if (!parsed.success) return { ok: false, status: 400, error: 'invalid_report' };
  const e = parsed.data;
  const mac = crypto.createHash('sha256').update(`${config.appId}${raw}${e.timestamp}${config.secret}`, 'utf8').digest('hex');
  if (e.app_id !== config.appId || !equalHex(`mac=${mac}`, signature ?? '')) return { ok: false, status: 401, error: 'invalid_signature' };
  if (!inWindow(Number(e.timestamp), now)) return { ok: false, status: 401, error: 'stale_timestamp' };
  const base = ZNS_STATES[e.event_name];
  const state = base === 'failed' && e.message.status ? e.message.status : base;
  const replayKey = `zns:${e.message.msg_id}:${e.event_name}`;
  // Another event of the OA (a follower, a template's review): not a delivery, nothing to apply.
  const ours = state && e.message.tracking_id && UUID.test(e.message.tracking_id);
  return {
    ok: true,
    replayKey,
    report: ours
      ? {
          notificationId: (e.message.tracking_id ?? '').toLowerCase(),
          channel: 'zns',
          gatewayId: e.message.msg_id,
          state,
          reason: reasonOf(state, e.message.error_code, 'Zalo'),
          at: new Date(Number(e.message.delivery_time ?? e.timestamp)),
        }
      : null,
  };
}

/**
 * Applies a verified report once, on whichever instance it reaches: 'duplicate' for one already applied, 'unknown'
 * for a message not ours (not recorded: it changes nothing). Insert-or-nothing on the report id, in the transaction
 * of the application: a concurrent copy waits for that transaction and then finds the id.
 */
export async function receiveDeliveryReport(
  db: Db,
  verified: Verified,
  now: Date,
): Promise<'applied' | 'ignored' | 'unknown' | 'duplicate'> {
  const report = verified.report;
  if (!report) return 'unknown';
  const expiresAt = new Date(now.getTime() + 2 * WINDOW_MS);
  return db.transaction(async (tx) => {
    // An expired row (kept until the purge job) is taken over: past the window the signature refuses a replay anyway.
    const [recorded] = await tx
      .insert(appliedDeliveryReports)
      .values({ replayKey: verified.replayKey, expiresAt })
      .onConflictDoUpdate({
        target: appliedDeliveryReports.replayKey,
        set: { expiresAt },
        where: lte(appliedDeliveryReports.expiresAt, now),
      })
      .returning({ key: appliedDeliveryReports.replayKey });
    if (!recorded) return 'duplicate';
    return applyDeliveryReport(tx, report);
  });
}

/** Forgets the report ids past their expiry (job sessions.purge); returns how many. */
export async function purgeAppliedDeliveryReports(db: Db, now: Date): Promise<number> {
  const removed = await db
    .delete(appliedDeliveryReports)
    .where(lte(appliedDeliveryReports.expiresAt, now))
    .returning({ key: appliedDeliveryReports.replayKey });
  return removed.length;
}
