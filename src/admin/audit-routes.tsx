import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import { FieldError, Flash, Layout } from '../web/layout.js';
import { actorOf, pageProps, requireLogin } from '../web/http.js';
import { param, periodInOrder } from '../shared/validate.js';
import type { FieldErrors } from '../shared/errors.js';
import { requireAdministrator } from '../accounts/policies.js';
import { listAuditEntries } from '../audit/list.js';
import { auditActionLabel, auditActionOptions, describeAudit } from '../audit/describe.js';
import { formatDate, formatDateTime } from '../shared/dates.js';
import { DayField, dateMessage, invalid, PERIOD_MESSAGE, readFilters } from '../onestop/list-filters.js';
import { sendHtml } from '../web/send-html.js';

export const adminAuditRoutes = new Hono<AppEnv>();
adminAuditRoutes.use('*', requireLogin);
// Before the filters are read: a filter that cannot be read must not show the page to someone who may not see it.
adminAuditRoutes.use('*', async (c, next) => {
  await requireAdministrator(c.get('deps').db, actorOf(c));
  await next();
});

const PAGE = 100;
const PATH = '/tiepnhan/quan-tri/nhat-ky';

/**
 * ?truoc= the id of the last entry seen (the page continues with older entries); ?thaotac= one action code;
 * ?nguoi= Người thực hiện, a username; ?doituong= Đối tượng, a dossier code or a username; ?tu= / ?den= the period,
 * dd/mm/yyyy in Vietnam time, đến ngày included (before từ ngày: refused at đến ngày).
 */
const AuditQuery = periodInOrder(
  z.object({
    truoc: param.int(1, Number.MAX_SAFE_INTEGER, 'Số thứ tự bản ghi phải là số nguyên dương.'),
    thaotac: param.text(60, 'Thao tác không hợp lệ.').refine((v) => v === undefined || auditActionLabel(v) !== undefined, {
      message: 'Thao tác không hợp lệ: vui lòng chọn lại trong danh sách.',
    }),
    // Usernames have at most 50 characters (accounts/official-input.ts); dossier codes about 25.
    nguoi: param.text(50, 'Người thực hiện: tên tài khoản tối đa 50 ký tự.'),
    doituong: param.text(60, 'Đối tượng: mã hồ sơ hoặc tên tài khoản tối đa 60 ký tự.'),
    tu: param.date(dateMessage('Từ ngày')),
    den: param.date(dateMessage('Đến ngày')),
  }),
  'tu',
  'den',
  PERIOD_MESSAGE,
);

/** The names of the filter form's fields: what is kept in its boxes and carried to the next page. */
const FILTER_NAMES = ['thaotac', 'nguoi', 'doituong', 'tu', 'den'] as const;

/** The filter form: each field with its message under it when it cannot be read. */
function AuditFilterForm(p: { query: Record<string, string>; errors?: FieldErrors | undefined }) {
  const e = p.errors;
  return (
    <form method="get" action={PATH} class="filters" novalidate>
      <label>
        Thao tác
        <select id="audit-action" name="thaotac" {...invalid(e, 'thaotac')}>
          <option value="">Tất cả thao tác</option>
          {auditActionOptions().map((o) => (
            <option value={o.code} selected={o.code === p.query.thaotac}>
              {o.label}
            </option>
          ))}
        </select>
        <FieldError errors={e} name="thaotac" />
      </label>
      <label>
        Người thực hiện
        <input name="nguoi" value={p.query.nguoi ?? ''} placeholder="Tên tài khoản" maxlength={50} {...invalid(e, 'nguoi')} />
        <FieldError errors={e} name="nguoi" />
      </label>
      <label>
        Đối tượng
        <input
          name="doituong"
          value={p.query.doituong ?? ''}
          placeholder="Mã hồ sơ hoặc tên tài khoản"
          maxlength={60}
          {...invalid(e, 'doituong')}
        />
        <FieldError errors={e} name="doituong" />
      </label>
      <DayField name="tu" label="Từ ngày" value={p.query.tu} errors={e} />
      <DayField name="den" label="Đến ngày" value={p.query.den} errors={e} />
      <button type="submit">Lọc</button>
      {Object.keys(p.query).length ? <a href={PATH}>Bỏ lọc</a> : null}
    </form>
  );
}

/**
 * Nhật ký hệ thống: administrators read the entries that concern units of their subtree. Newest first, keyset pages.
 * A filter that cannot be read is said at its field (400) with no list under it: a list that ignored the filter
 * would read as its answer.
 */
adminAuditRoutes.get('/', async (c) => {
  const read = readFilters(c, AuditQuery);
  const raw = c.req.query();
  const typed = Object.fromEntries(FILTER_NAMES.filter((k) => raw[k]).map((k) => [k, raw[k]!]));
  const rows = read.ok
    ? await listAuditEntries(
        c.get('deps').db,
        actorOf(c),
        {
          before: read.q.truoc,
          action: read.q.thaotac,
          actorUsername: read.q.nguoi,
          target: read.q.doituong,
          fromDay: read.q.tu,
          toDay: read.q.den,
        },
        PAGE,
      )
    : [];
  const props = await pageProps(c);
  const last = rows[rows.length - 1];
  // The next page carries the filters as read (days written dd/mm/yyyy), and the last id seen.
  const carried: Record<string, string | undefined> = read.ok
    ? {
        thaotac: read.q.thaotac,
        nguoi: read.q.nguoi?.trim(),
        doituong: read.q.doituong?.trim(),
        tu: read.q.tu ? formatDate(read.q.tu) : undefined,
        den: read.q.den ? formatDate(read.q.den) : undefined,
      }
    : {};
  const filtered = Object.values(carried).some((v) => v);
  const more = new URLSearchParams({
    ...Object.fromEntries(Object.entries(carried).filter((e): e is [string, string] => !!e[1])),
    ...(last ? { truoc: String(last.id) } : {}),
  });
  const errors = read.ok ? undefined : read.fields;
  // A message for a parameter the form has no box for (truoc: a hand-made address).
  const others = Object.entries(errors ?? {})
    .filter(([k]) => !(FILTER_NAMES as readonly string[]).includes(k))
    .map(([, m]) => m);
  return sendHtml(
    c,
    <Layout title="Nhật ký hệ thống" section="admin" {...props}>
      <section>
        <h1>NHẬT KÝ HỆ THỐNG</h1>
        <p class="muted">
          Mỗi bản ghi được nối chuỗi băm với bản ghi trước: không thể sửa hay xóa một bản ghi mà không bị phát hiện khi kiểm tra.
        </p>
        {errors ? (
          <Flash kind="error">
            Bộ lọc chưa hợp lệ: vui lòng sửa ô được đánh dấu rồi bấm Lọc.{others.length ? ` ${others.join(' ')}` : ''}
          </Flash>
        ) : null}
        <AuditFilterForm query={typed} errors={errors} />
        <p class="muted">Chỉ hiển thị bản ghi thuộc các đơn vị bạn quản trị, kể cả thao tác của cán bộ đơn vị khác trên các đơn vị đó.</p>
        {errors ? null : (
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
                    {filtered ? 'Không có bản ghi nào khớp bộ lọc.' : 'Không có bản ghi nào.'}
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        )}
        {rows.length === PAGE && last ? (
          <p>
            <a href={`${PATH}?${more}`}>Cũ hơn →</a>
          </p>
        ) : null}
      </section>
    </Layout>,
    read.ok ? 200 : 400,
  );
});
