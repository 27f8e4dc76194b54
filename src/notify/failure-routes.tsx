/** Quản trị → Thông báo: failed messages of the administrator's units, and Gửi lại (resend.ts). Parse, call, render. */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import { CsrfField, Flash, Layout } from '../web/layout.js';
import { actorOf, pageProps, requireLogin } from '../web/http.js';
import { queryOf } from '../web/params.js';
import { param } from '../shared/validate.js';
import { formatDateTime } from '../shared/dates.js';
import { CHANNEL_LABELS, EXTERNAL_CHANNELS, MESSAGE_STATE_LABELS } from './channels.js';
import { NOTIFY_EVENTS, NOTIFY_EVENT_KEYS, isNotifyEvent } from './events.js';
import { listFailedNotifications, maskAddress } from './failed-messages.js';
import { resendNotification } from './resend.js';
import { znsTokenTrouble } from './zns-tokens.js';
import { sendHtml } from '../web/send-html.js';

export const notificationFailureRoutes = new Hono<AppEnv>();
notificationFailureRoutes.use('*', requireLogin);

const BASE = '/tiepnhan/quan-tri/thong-bao';
const ListQuery = z.object({
  kenh: param.oneOf(EXTERNAL_CHANNELS, 'Kênh không hợp lệ.'),
  'su-kien': param.oneOf(NOTIFY_EVENT_KEYS, 'Sự kiện không hợp lệ.'),
  'trang-thai': param.oneOf(['failed', 'expired'], 'Trạng thái không hợp lệ.'),
  sau: param.text(100, 'Trang không hợp lệ.'),
  'da-gui-lai': param.oneOf(['1'], 'Tham số không hợp lệ.'),
});

notificationFailureRoutes.get('/', async (c) => {
  const { db, config } = c.get('deps');
  const q = queryOf(c, ListQuery);
  const znsTrouble = await znsTokenTrouble(db, config.zns);
  const { rows, next } = await listFailedNotifications(db, actorOf(c), {
    channel: q.kenh,
    event: q['su-kien'],
    state: q['trang-thai'],
    after: q.sau,
  });
  const props = await pageProps(c);
  const keep: Array<[string, string]> = [];
  for (const [k, v] of [
    ['kenh', q.kenh],
    ['su-kien', q['su-kien']],
    ['trang-thai', q['trang-thai']],
  ] as const)
    if (v) keep.push([k, v]);
  return sendHtml(
    c,
    <Layout title="Thông báo gửi không thành công" section="admin" {...props}>
      <section>
        <h1>THÔNG BÁO GỬI KHÔNG THÀNH CÔNG</h1>
        {q['da-gui-lai'] ? <Flash kind="ok">Đã đưa thông báo vào hàng đợi để gửi lại.</Flash> : null}
        {znsTrouble ? (
          <Flash kind="error">
            <span id="zns-token-dead">
              Zalo ZNS không gửi được từ {formatDateTime(znsTrouble.at)}: {znsTrouble.reason}. Tin nhắn Zalo đang được gửi thay bằng SMS.
              Quản trị hệ thống cần lấy refresh token mới của Zalo Official Account, đặt vào ZNS_REFRESH_TOKEN và khởi động lại ứng dụng.
            </span>
          </Flash>
        ) : null}
        <form method="get" action={BASE} class="filters">
          <label>
            Kênh{' '}
            <select name="kenh">
              <option value="">Tất cả</option>
              {EXTERNAL_CHANNELS.map((ch) => (
                <option value={ch} selected={q.kenh === ch}>
                  {CHANNEL_LABELS[ch]}
                </option>
              ))}
            </select>
          </label>{' '}
          <label>
            Sự kiện{' '}
            <select name="su-kien">
              <option value="">Tất cả</option>
              {NOTIFY_EVENT_KEYS.map((ev) => (
                <option value={ev} selected={q['su-kien'] === ev}>
                  {NOTIFY_EVENTS[ev].label}
                </option>
              ))}
            </select>
          </label>{' '}
          <label>
            Trạng thái{' '}
            <select name="trang-thai">
              <option value="">Tất cả</option>
              <option value="failed" selected={q['trang-thai'] === 'failed'}>
                {MESSAGE_STATE_LABELS.failed}
              </option>
              <option value="expired" selected={q['trang-thai'] === 'expired'}>
                {MESSAGE_STATE_LABELS.expired}
              </option>
            </select>
          </label>{' '}
          <button type="submit">Lọc</button>
        </form>
        <table class="list" id="failed-notifications">
          <thead>
            <tr>
              <th scope="col">Tạo lúc</th>
              <th scope="col">Hồ sơ</th>
              <th scope="col">Sự kiện</th>
              <th scope="col">Kênh</th>
              <th scope="col">Người nhận</th>
              <th scope="col">Trạng thái</th>
              <th scope="col">Lý do</th>
              <th scope="col"></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <td>{formatDateTime(r.createdAt)}</td>
                <td>{r.dossierCode ?? ''}</td>
                <td>{isNotifyEvent(r.event) ? NOTIFY_EVENTS[r.event].label : r.event}</td>
                <td>{CHANNEL_LABELS[r.channel]}</td>
                <td>{maskAddress(r.address)}</td>
                <td>
                  {MESSAGE_STATE_LABELS[r.state]} ({r.attempts} lần)
                </td>
                <td>{r.reason ?? ''}</td>
                <td>
                  {r.replaced ? (
                    <span class="muted">Đã gửi lại</span>
                  ) : (
                    <form method="post" action={`${BASE}/${r.id}/gui-lai`}>
                      <CsrfField token={props.csrfToken} />
                      <button type="submit">Gửi lại</button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
            {rows.length === 0 ? (
              <tr>
                <td class="muted">Không có thông báo nào gửi không thành công.</td>
              </tr>
            ) : null}
          </tbody>
        </table>
        {next ? (
          <p>
            <a href={`${BASE}?${new URLSearchParams([...keep, ['sau', next]]).toString()}`}>Trang sau →</a>
          </p>
        ) : null}
      </section>
    </Layout>,
  );
});

notificationFailureRoutes.post('/:id/gui-lai', async (c) => {
  const { db, now } = c.get('deps');
  await resendNotification(db, actorOf(c), { id: c.req.param('id') }, now());
  return c.redirect(`${BASE}?da-gui-lai=1`, 303);
});
