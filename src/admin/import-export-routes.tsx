import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import { Layout, CsrfField, Flash } from '../web/layout.js';
import { actorOf, pageProps, type Ctx } from '../web/http.js';
import { acceptsUpload, formData, uploadedFile } from '../web/body.js';
import { queryOf } from '../web/params.js';
import { param } from '../shared/validate.js';
import { AppError } from '../shared/errors.js';
import { administeredForest } from '../org/list-units.js';
import { readSheet } from '../accounts/read-sheet.js';
import { importOfficials, type ImportRowResult } from '../accounts/import-officials.js';
import { exportOfficials, officialsTemplate } from '../accounts/export-officials.js';
import { OFFICIAL_COLUMNS } from '../accounts/official-columns.js';
import { UnitOptions } from './unit-tree.js';
import { type SameIdentity, sameIdentityOfAccounts } from '../accounts/same-identity.js';
import { SameIdentityNotice } from './same-identity-notice.js';
import { sendHtml } from '../web/send-html.js';
import { postAnswerAddress } from '../web/post-answer.js';

export const importExportRoutes = new Hono<AppEnv>();

async function renderImport(
  c: Ctx,
  s: { error?: string; results?: ImportRowResult[]; sameIdentity?: Map<string, SameIdentity>; unitId?: string },
  status: ContentfulStatusCode = 200,
) {
  const { flat } = await administeredForest(c.get('deps').db, actorOf(c));
  const props = await pageProps(c);
  const created = s.results?.filter((r) => r.ok) ?? [];
  const refused = s.results?.filter((r) => !r.ok) ?? [];
  // The import's report (its temporary passwords) answers the post only: its history entry becomes the empty form's
  // address, so Back or reload reads that form and never imports the file a second time.
  return sendHtml(
    c,
    <Layout title="Nhập cán bộ từ tệp" section="admin" {...props} address={postAnswerAddress(c, '/tiepnhan/quan-tri/nguoi-dung/nhap')}>
      <section class="narrow wide-ok">
        <h1>Nhập cán bộ từ tệp CSV hoặc Excel</h1>
        {s.error ? <Flash kind="error">{s.error}</Flash> : null}
        {s.results ? (
          <div id="import-report">
            <Flash kind={refused.length ? 'info' : 'ok'}>
              Đã tạo {created.length} tài khoản; từ chối {refused.length} dòng.
            </Flash>
            {refused.length ? (
              <>
                <h2>Các dòng bị từ chối</h2>
                <table class="list">
                  <thead>
                    <tr>
                      <th scope="col">Dòng</th>
                      <th scope="col">Tên tài khoản</th>
                      <th scope="col">Lý do</th>
                    </tr>
                  </thead>
                  <tbody>
                    {refused.map((r) => (
                      <tr>
                        <td>{r.line}</td>
                        <td>{r.username}</td>
                        <td>{r.ok ? '' : r.reasons.join(' ')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            ) : null}
            {created.length ? (
              <>
                <h2>Tài khoản đã tạo (mật khẩu tạm thời chỉ hiển thị một lần)</h2>
                <table class="list">
                  <thead>
                    <tr>
                      <th scope="col">Dòng</th>
                      <th scope="col">Tên tài khoản</th>
                      <th scope="col">Mật khẩu tạm thời</th>
                    </tr>
                  </thead>
                  <tbody>
                    {created.map((r) => (
                      <tr>
                        <td>{r.line}</td>
                        <td>{r.username}</td>
                        <td>
                          <code>{r.ok ? r.temporaryPassword : ''}</code>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            ) : null}
            {created.some((r) => r.ok && s.sameIdentity?.has(r.accountId)) ? (
              <>
                <h2>Tài khoản khác cùng số định danh</h2>
                {created.map((r) => {
                  const same = r.ok ? s.sameIdentity?.get(r.accountId) : undefined;
                  return same ? (
                    <>
                      <h3>
                        Dòng {r.line}: {r.username}
                      </h3>
                      <SameIdentityNotice s={same} id={`same-identity-${r.line}`} />
                    </>
                  ) : null;
                })}
              </>
            ) : null}
          </div>
        ) : null}
        <form method="post" action="/tiepnhan/quan-tri/nguoi-dung/nhap" enctype="multipart/form-data" class="stack">
          <CsrfField token={props.csrfToken} />
          <label for="unitId">Đơn vị mặc định (cho các dòng không ghi đơn vị)</label>
          <select id="unitId" name="unitId">
            <option value="">-- Không chọn --</option>
            <UnitOptions flat={flat} selected={s.unitId ?? null} />
          </select>
          <label for="file">Tệp (.xlsx hoặc .csv UTF-8, tối đa 5 MB)</label>
          <input
            id="file"
            name="file"
            type="file"
            accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            required
          />
          <button type="submit" class="primary">
            Nhập
          </button>
        </form>
        <p>
          Dòng đầu tiên là tiêu đề cột, gồm: {OFFICIAL_COLUMNS.map(([, l]) => l).join('; ')}. Ngày ghi dạng dd/mm/yyyy; giới tính ghi Nam
          hoặc Nữ; các ô đánh dấu ghi "x". <a href="/tiepnhan/quan-tri/nguoi-dung/xuat?mau=1">Tải tệp mẫu</a>
        </p>
      </section>
    </Layout>,
    status,
  );
}

importExportRoutes.get('/nhap', (c) => renderImport(c, {}));

importExportRoutes.post('/nhap', acceptsUpload, async (c) => {
  const file = await uploadedFile(c);
  const unitId = (await formData(c)).unitId || undefined;
  if (!file) return renderImport(c, { error: 'Vui lòng chọn tệp cần nhập.', ...(unitId ? { unitId } : {}) }, 400);
  try {
    const rows = await readSheet(file.bytes);
    const { results } = await importOfficials(c.get('deps').db, actorOf(c), rows, unitId ?? null, c.get('deps').now());
    // The report is the import's own answer (a real write): it tells, row by row, what a save of the account would.
    const created = results.flatMap((r) => (r.ok ? [r.accountId] : []));
    const sameIdentity = await sameIdentityOfAccounts(c.get('deps').db, actorOf(c), created);
    return renderImport(c, { results, sameIdentity, ...(unitId ? { unitId } : {}) });
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    // The refusal's own status: a file that cannot be read is 400, a server busy reading others 503 (read-sheet.ts).
    if (err.retryAfterSeconds !== undefined) c.header('Retry-After', String(err.retryAfterSeconds));
    return renderImport(c, { error: err.message, ...(unitId ? { unitId } : {}) }, err.status as ContentfulStatusCode);
  }
});

/** Xuất danh sách: ?dinh-dang=csv|xlsx, ?mau=1 the empty template, else the list of ?donvi= matching ?q=. */
const ExportQuery = z.object({
  'dinh-dang': param.oneOf(['csv', 'xlsx'], 'Định dạng tệp là csv hoặc xlsx.'),
  mau: param.flag(),
  donvi: param.id('Mã đơn vị không hợp lệ.'),
  q: param.text(100, 'Từ khóa tìm kiếm tối đa 100 ký tự.'),
});

importExportRoutes.get('/xuat', async (c) => {
  const query = queryOf(c, ExportQuery);
  const format = query['dinh-dang'] ?? 'xlsx';
  const template = query.mau;
  const body = template
    ? await officialsTemplate(format)
    : (await exportOfficials(c.get('deps').db, actorOf(c), { unitId: query.donvi, q: query.q, format })).body;
  const name = `${template ? 'mau-nhap-can-bo' : 'danh-sach-can-bo'}.${format}`;
  return c.body(body as Uint8Array<ArrayBuffer>, 200, {
    'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'Content-Disposition': `attachment; filename="${name}"`,
  });
});
