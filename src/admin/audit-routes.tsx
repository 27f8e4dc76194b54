import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import { Layout } from '../web/layout.js';
import { actorOf, pageProps, requireLogin } from '../web/http.js';
import { queryOf } from '../web/params.js';
import { param } from '../shared/validate.js';
import { listAuditEntries } from '../audit/list.js';
import { auditActionLabel, auditActionOptions, describeAudit } from '../audit/describe.js';
import { formatDateTime } from '../shared/dates.js';
import { sendHtml } from '../web/send-html.js';

export const adminAuditRoutes = new Hono<AppEnv>();
adminAuditRoutes.use('*', requireLogin);

const PAGE = 100;

/** ?truoc= the id of the last entry seen (the page continues with older entries); ?thaotac= one action code. */
const AuditQuery = z.object({
  truoc: param.int(1, Number.MAX_SAFE_INTEGER, 'Số thứ tự bản ghi phải là số nguyên dương.'),
  thaotac: param
    .text(60, 'Thao tác không hợp lệ.')
    .refine((v) => v === undefined || auditActionLabel(v) !== undefined, { message: 'Thao tác không hợp lệ.' }),
});

/** Nhật ký hệ thống: administrators read the entries that concern units of their subtree. Newest first, keyset pages. */
adminAuditRoutes.get('/', async (c) => {
  const { truoc: before, thaotac: action } = queryOf(c, AuditQuery);
  const rows = await listAuditEntries(c.get('deps').db, actorOf(c), before, PAGE, action);
  const props = await pageProps(c);
  const last = rows[rows.length - 1];
  const more = new URLSearchParams({ ...(action ? { thaotac: action } : {}), ...(last ? { truoc: String(last.id) } : {}) });
  return sendHtml(
    c,
    <Layout title="Nhật ký hệ thống" section="admin" {...props}>
      <section>
        <h1>NHẬT KÝ HỆ THỐNG</h1>
        <p class="muted">
          Mỗi bản ghi được nối chuỗi băm với bản ghi trước: không thể sửa hay xóa một bản ghi mà không bị phát hiện khi kiểm tra.
        </p>
        <form method="get" action="/tiepnhan/quan-tri/nhat-ky" class="inline-form">
          <label for="audit-action">Thao tác</label>
          <select id="audit-action" name="thaotac">
            <option value="">Tất cả thao tác</option>
            {auditActionOptions().map((o) => (
              <option value={o.code} selected={o.code === action}>
                {o.label}
              </option>
            ))}
          </select>
          <button type="submit">Lọc</button>
        </form>
        <table class="list" id="audit">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Thời gian</th>
              <th scope="col">Người thực hiện</th>
              <th scope="col">Thao tác</th>
              <th scope="col">Nội dung</th>
              <th scope="col">Địa chỉ IP</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const v = describeAudit(r);
              return (
                <tr data-action={r.action}>
                  <td>{r.id}</td>
                  <td>{formatDateTime(r.at)}</td>
                  <td>{r.actorLabel ?? ''}</td>
                  <td>{v.label}</td>
                  <td>
                    <p class="audit-sentence">{v.sentence}</p>
                    {v.details.length ? (
                      <ul class="audit-details">
                        {v.details.map((d) => (
                          <li>
                            {d.field}: {d.text}
                          </li>
                        ))}
                      </ul>
                    ) : null}
                    <details>
                      <summary>Dữ liệu gốc (dành cho kiểm toán)</summary>
                      <p>Mã thao tác: {r.action}</p>
                      {r.targetType ? (
                        <p>
                          Đối tượng: {r.targetType} {r.targetId ?? ''}
                        </p>
                      ) : null}
                      <code class="json">{JSON.stringify(r.data)}</code>
                    </details>
                  </td>
                  <td>{r.ip ?? ''}</td>
                </tr>
              );
            })}
            {rows.length === 0 ? (
              <tr>
                <td colspan={6} class="muted">
                  Không có bản ghi nào.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
        {rows.length === PAGE && last ? (
          <p>
            <a href={`/tiepnhan/quan-tri/nhat-ky?${more}`}>Cũ hơn →</a>
          </p>
        ) : null}
      </section>
    </Layout>,
  );
});
