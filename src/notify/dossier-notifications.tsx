/**
 * "Thông báo đã gửi" on the officials' dossier page: every message about the dossier (to the applicant and to
 * officials), newest first, addresses half hidden. Read by viewDossier, so only those dossiers/access.ts lets view
 * the dossier see it.
 */
import { desc, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { notifications } from '../db/schema/index.js';
import { formatDateTime } from '../shared/dates.js';
import { CHANNEL_LABELS, MESSAGE_STATE_LABELS } from './channels.js';
import { NOTIFY_EVENTS, isNotifyEvent } from './events.js';
import { maskAddress } from './failed-messages.js';

export async function dossierNotifications(q: Queryable, dossierId: string) {
  return q
    .select({
      id: notifications.id,
      event: notifications.event,
      channel: notifications.channel,
      address: notifications.address,
      state: notifications.state,
      reason: notifications.reason,
      createdAt: notifications.createdAt,
      sentAt: notifications.sentAt,
      deliveredAt: notifications.deliveredAt,
      failedAt: notifications.failedAt,
    })
    .from(notifications)
    .where(eq(notifications.dossierId, dossierId))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(200);
}

export function DossierNotificationsSection(p: { rows: Awaited<ReturnType<typeof dossierNotifications>> }) {
  return (
    <>
      <h2>Thông báo đã gửi</h2>
      <table class="list" id="dossier-notifications">
        <thead>
          <tr>
            <th scope="col">Tạo lúc</th>
            <th scope="col">Sự kiện</th>
            <th scope="col">Kênh</th>
            <th scope="col">Gửi đến</th>
            <th scope="col">Trạng thái</th>
            <th scope="col">Thời điểm</th>
            <th scope="col">Lý do</th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((n) => (
            <tr>
              <td>{formatDateTime(n.createdAt)}</td>
              <td>{isNotifyEvent(n.event) ? NOTIFY_EVENTS[n.event].label : n.event}</td>
              <td>{CHANNEL_LABELS[n.channel]}</td>
              <td>{n.channel === 'inapp' ? 'Tài khoản trên hệ thống' : maskAddress(n.address)}</td>
              <td>{MESSAGE_STATE_LABELS[n.state]}</td>
              <td>{formatDateTime(n.deliveredAt ?? n.failedAt ?? n.sentAt)}</td>
              <td>{n.reason ?? ''}</td>
            </tr>
          ))}
          {p.rows.length === 0 ? (
            <tr>
              <td class="muted">Chưa có thông báo nào.</td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </>
  );
}
