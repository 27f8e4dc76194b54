/**
 * A gateway's delivery report (SMS, ZNS: report-routes.ts verifies its signature first) applied to its message.
 * Reports may come before our 'sent' is recorded (the gateway is fast, or we crashed after handing it over), late,
 * or twice: a report moves any state that is not final, and nothing moves a final one.
 */
import { and, eq, notInArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { notifications } from '../db/schema/index.js';
import { type ExternalChannel, FINAL_STATES } from './channels.js';
import { failAndFallBack } from './fallback.js';

export type DeliveryReport = {
  notificationId: string;
  channel: ExternalChannel;
  gatewayId: string | null;
  state: 'delivered' | 'failed' | 'expired';
  reason: string | null;
  at: Date;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Applies a gateway's report: updates the row even when it arrives before the send was recorded; a late or repeated
 *  report never moves a final state; failed/expired falls back to the next channel. Unknown id → returns 'unknown'. */
export async function applyDeliveryReport(db: Db, report: DeliveryReport): Promise<'applied' | 'ignored' | 'unknown'> {
  if (!UUID.test(report.notificationId)) return 'unknown';
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ id: notifications.id, state: notifications.state, gatewayId: notifications.gatewayId })
      .from(notifications)
      .where(and(eq(notifications.id, report.notificationId), eq(notifications.channel, report.channel)))
      .for('update');
    if (!row) return 'unknown';
    // A report naming another gateway message than the one recorded for ours is not about this row.
    if (row.gatewayId && report.gatewayId && row.gatewayId !== report.gatewayId) return 'unknown';
    if (FINAL_STATES.includes(row.state)) return 'ignored';
    if (report.state === 'delivered') {
      await tx
        .update(notifications)
        .set({ state: 'delivered', deliveredAt: report.at, updatedAt: report.at, gatewayId: row.gatewayId ?? report.gatewayId })
        .where(and(eq(notifications.id, row.id), notInArray(notifications.state, [...FINAL_STATES])));
      return 'applied';
    }
    const reason = report.reason ?? (report.state === 'expired' ? 'Hết thời hạn chờ nhận tin' : 'Nhà mạng báo không gửi được');
    return (await failAndFallBack(tx, row.id, report.state, reason, report.at, report.gatewayId)) ? 'applied' : 'ignored';
  });
}
