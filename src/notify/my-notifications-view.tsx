import { formatDateTime } from '../shared/dates.js';
import type { MyNotification, MyNotificationPreference } from './my-notifications.js';

/** The page shows the latest messages; the ZIP has them all. */
const SHOWN = 200;

/** Dữ liệu của tôi → Thông báo đã gửi cho bạn: the messages and Cài đặt thông báo (src/portal/my-data-routes.tsx). */
export function MyNotificationsView(p: { notifications: MyNotification[]; preferences: MyNotificationPreference[] }) {
  return (
    <>
      <p>
        Cài đặt thông báo:{' '}
        {p.preferences.length
          ? p.preferences.map((x) => `${x.channelLabel}: ${x.enabled ? 'nhận' : 'không nhận'}`).join('; ')
          : 'nhận qua mọi kênh (chưa thay đổi)'}{' '}
        — <a href="/ca-nhan/thong-bao/cai-dat">Thay đổi</a>
      </p>
      {p.notifications.length > SHOWN ? <p class="muted">Hiển thị {SHOWN} thông báo gần nhất; tệp tải xuống có đầy đủ.</p> : null}
      {p.notifications.length ? (
        <ul>
          {p.notifications.slice(0, SHOWN).map((n) => (
            <li>
              {formatDateTime(n.createdAt)} — {n.channelLabel}
              {n.address ? ` đến ${n.address}` : ''}
              {n.dossierCode ? ` — hồ sơ ${n.dossierCode}` : ''} — {n.stateLabel}
              {n.reason ? ` (${n.reason})` : ''}
              {n.readAt ? ` — đã đọc lúc ${formatDateTime(n.readAt)}` : ''}
              {n.subject || n.body ? (
                <p class="muted">
                  {n.subject ? `${n.subject}: ` : ''}
                  {n.body ?? ''}
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p>Chưa có thông báo nào.</p>
      )}
    </>
  );
}
