/**
 * Quản trị → Hồ sơ từ Cổng DVC quốc gia chưa tiếp nhận được (province administrators; anyone else gets 404 from the
 * use case, skipped-intake.ts): the national dossiers the pull skipped, with the reason, newest first.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../web/env.js';
import { Layout } from '../web/layout.js';
import { actorOf, pageProps, requireLogin } from '../web/http.js';
import { formatDateTime } from '../shared/dates.js';
import { sendHtml } from '../web/send-html.js';
import { listSkippedIntake } from './skipped-intake.js';

export const NATIONAL_INTAKE_PATH = '/tiepnhan/quan-tri/cong-dvc-quoc-gia';

export const nationalIntakeRoutes = new Hono<AppEnv>();
nationalIntakeRoutes.use('*', requireLogin);

nationalIntakeRoutes.get('/', async (c) => {
  const { db } = c.get('deps');
  const { total, rows } = await listSkippedIntake(db, actorOf(c));
  const props = await pageProps(c);
  return sendHtml(
    c,
    <Layout title="Hồ sơ từ Cổng DVC quốc gia" section="admin" {...props}>
      <section>
        <h1>HỒ SƠ TỪ CỔNG DVC QUỐC GIA CHƯA TIẾP NHẬN ĐƯỢC</h1>
        <p>
          Các hồ sơ dưới đây đã được nộp trên Cổng Dịch vụ công quốc gia nhưng hệ thống không ghi nhận được vào hàng chờ tiếp nhận, và sẽ
          không tự thử lại. Vui lòng xử lý theo lý do (ví dụ bổ sung thủ tục vào danh mục) và liên hệ người nộp qua Cổng Dịch vụ công quốc
          gia.
        </p>
        <p id="intake-count">
          Số hồ sơ chưa tiếp nhận được: <strong>{total}</strong>
          {total > rows.length ? ` (hiển thị ${rows.length} hồ sơ mới nhất)` : ''}
        </p>
        <table class="list" id="skipped-intake">
          <thead>
            <tr>
              <th scope="col">Mã hồ sơ quốc gia</th>
              <th scope="col">Mã thủ tục</th>
              <th scope="col">Nộp lúc</th>
              <th scope="col">Nhận về lúc</th>
              <th scope="col">Lý do</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <td>{r.nationalId}</td>
                <td>{r.procedureCode}</td>
                <td>{r.submittedAt ? formatDateTime(r.submittedAt) : ''}</td>
                <td>{formatDateTime(r.pulledAt)}</td>
                <td>{r.reason}</td>
              </tr>
            ))}
            {rows.length === 0 ? (
              <tr>
                <td class="muted" colspan={5}>
                  Không có hồ sơ nào.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </section>
    </Layout>,
  );
});
