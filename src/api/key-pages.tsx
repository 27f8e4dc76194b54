import { formatDate, formatDateTime } from '../shared/dates.js';
import { CsrfField, FieldError, Flash } from '../web/layout.js';
import { KEY_DEFAULT_DAYS, KEY_VALIDITY_CHOICES } from './issue-api-client.js';
import type { ApiKeyRow, ApiKeyState } from './list-api-clients.js';

const STATE_LABELS: Record<ApiKeyState, string> = {
  active: 'Đang hiệu lực',
  expired: 'Đã hết hạn',
  revoked: 'Đã thu hồi',
  cutoff: 'Hết hiệu lực (chỉ đăng nhập VNeID)',
};

/** The key just issued: shown once, with how to use it, when it expires and how to revoke it. */
export type IssuedKey = { clientId: string; token: string; name: string; expiresAt: Date };

type KeysPageProps = {
  account: { id: string; username: string; middleName: string; givenName: string; unitId: string };
  keys: ApiKeyRow[];
  csrfToken: string;
  /** Where this page lives: /tiepnhan/quan-tri/nguoi-dung/:id/khoa-api or /tiepnhan/tai-khoan/khoa-api. */
  base: string;
  /** The account's own page (the holder): what issuing here means is said differently. */
  own: boolean;
  /** The API's base address: PUBLIC_URL/api/v1. */
  apiBase: string;
  issued?: IssuedKey | undefined;
  notice?: string | undefined;
  error?: string | undefined;
  errors?: Record<string, string> | undefined;
  values?: { name?: string; validDays?: string } | undefined;
  back?: { href: string; label: string } | undefined;
};

function IssuedKeyBox(p: { issued: IssuedKey; apiBase: string }) {
  const { issued } = p;
  return (
    <section class="flash flash-ok secret" role="status" id="issued-key" aria-labelledby="issued-key-title">
      <h2 id="issued-key-title">Khóa API "{issued.name}" đã được cấp</h2>
      <p>
        <strong>Sao chép khóa ngay bây giờ: khóa chỉ hiển thị một lần, sau khi rời trang này không thể xem lại.</strong> Hệ thống chỉ lưu mã
        băm của khóa; nếu làm mất khóa, hãy thu hồi và cấp khóa mới.
      </p>
      <label for="api-key-value">Khóa API</label>
      <input id="api-key-value" type="text" readonly value={issued.token} data-testid="api-key" class="code" />
      <h3>Cách sử dụng</h3>
      <p>
        Gửi khóa trong header <code>Authorization: Bearer &lt;khóa API&gt;</code> với mọi yêu cầu đến API tại <code>{p.apiBase}</code>. Khóa
        hoạt động với đúng vai trò của tài khoản; tài liệu API: <a href={`${p.apiBase}/openapi.json`}>{p.apiBase}/openapi.json</a>. Ví dụ
        xem tài khoản và các thao tác khóa được phép:
      </p>
      <pre id="api-key-example">
        <code>{`curl -H "Authorization: Bearer ${issued.token}" ${p.apiBase}/me`}</code>
      </pre>
      <p id="api-key-expiry">
        Hết hạn: <strong>{formatDateTime(issued.expiresAt)}</strong>. Sau thời điểm này API từ chối khóa (mã lỗi{' '}
        <code>api_key_expired</code>
        ); cần cấp khóa mới trước khi hết hạn.
      </p>
      <p>
        Thu hồi: bấm "Thu hồi" ở dòng của khóa trong danh sách dưới đây. Khóa bị từ chối ngay từ yêu cầu tiếp theo (mã lỗi{' '}
        <code>api_key_revoked</code>).
      </p>
    </section>
  );
}

export function ApiKeysPage(p: KeysPageProps) {
  const a = p.account;
  return (
    <section class="narrow wide-ok" id="api-keys">
      <h1>Khóa API</h1>
      <p>
        Khóa API của tài khoản <strong>{a.username}</strong> ({a.middleName} {a.givenName}). Một hệ thống khác dùng khóa để gọi API của Hệ
        thống một cửa điện tử với đúng vai trò và phạm vi của tài khoản này, cho đến khi khóa hết hạn hoặc bị thu hồi.
      </p>
      {p.notice ? <Flash kind="ok">{p.notice}</Flash> : null}
      {p.error ? <Flash kind="error">{p.error}</Flash> : null}
      {p.issued ? <IssuedKeyBox issued={p.issued} apiBase={p.apiBase} /> : null}
      <h2>Các khóa đã cấp</h2>
      {p.keys.length === 0 ? (
        <p class="muted" id="no-keys">
          Tài khoản chưa có khóa API nào.
        </p>
      ) : (
        <table class="list" id="keys">
          <thead>
            <tr>
              <th scope="col">Tên (hệ thống sử dụng)</th>
              <th scope="col">Mã khóa</th>
              <th scope="col">Ngày cấp</th>
              <th scope="col">Hết hạn</th>
              <th scope="col">Dùng lần cuối</th>
              <th scope="col">Tình trạng</th>
              <th scope="col">
                <span class="visually-hidden">Thao tác</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {p.keys.map((k) => (
              <tr data-key={k.id} data-state={k.state}>
                <td>{k.name}</td>
                <td>
                  <code>{k.id}</code>
                </td>
                <td>
                  {formatDateTime(k.createdAt)}
                  {k.createdBy ? ` (${k.createdBy})` : ''}
                </td>
                <td>{formatDateTime(k.expiresAt)}</td>
                <td>{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : 'Chưa dùng'}</td>
                <td>
                  <span class={`badge ${k.state === 'active' ? 'ok' : 'warn'}`}>{STATE_LABELS[k.state]}</span>
                  {k.state === 'active' && k.stopsOn ? (
                    <span class="muted"> — dùng được đến trước ngày {formatDate(k.stopsOn)} (ngày chỉ đăng nhập VNeID)</span>
                  ) : null}
                  {k.revokedAt ? ` (${formatDateTime(k.revokedAt)})` : ''}
                </td>
                <td>
                  {k.state === 'revoked' ? null : (
                    <a class="button danger" href={`${p.base}/${k.id}/thu-hoi`}>
                      Thu hồi<span class="visually-hidden"> khóa {k.name}</span>
                    </a>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form method="post" action={p.base} class="stack" id="issue-key">
        <CsrfField token={p.csrfToken} />
        <h2>Cấp khóa API mới</h2>
        <div class="field">
          <label for="key-name">Tên hệ thống sử dụng khóa</label>
          <input
            id="key-name"
            name="name"
            required
            maxlength={100}
            value={p.values?.name ?? ''}
            aria-describedby={p.errors?.name ? 'err-name' : undefined}
          />
          <FieldError errors={p.errors} name="name" />
        </div>
        <div class="field">
          <label for="key-days">Thời hạn</label>
          <select id="key-days" name="validDays" aria-describedby={p.errors?.validDays ? 'err-validDays' : undefined}>
            {KEY_VALIDITY_CHOICES.map((d) => (
              <option value={String(d)} selected={(p.values?.validDays ?? String(KEY_DEFAULT_DAYS)) === String(d)}>
                {d} ngày
              </option>
            ))}
          </select>
          <FieldError errors={p.errors} name="validDays" />
        </div>
        <p class="muted">Khóa chỉ hiển thị một lần ngay sau khi cấp. Thời hạn tối đa 365 ngày.</p>
        <div class="form-actions">
          <button type="submit" class="primary">
            Cấp khóa API
          </button>
        </div>
      </form>
      <p class="muted" id="key-rule">
        {p.own
          ? 'Khóa bạn tự cấp sau khi đăng nhập bằng VNeID vẫn dùng được sau ngày đơn vị chỉ đăng nhập bằng VNeID; khóa cấp từ phiên đăng nhập bằng mật khẩu, hoặc do quản trị viên cấp, hết hiệu lực từ ngày đó.'
          : 'Khóa do quản trị viên cấp hết hiệu lực từ ngày đơn vị của tài khoản chỉ đăng nhập bằng VNeID; từ ngày đó chỉ chính chủ tài khoản tự cấp khóa (Thông tin tài khoản → Khóa API) sau khi đăng nhập bằng VNeID.'}
      </p>
      {p.back ? (
        <p>
          <a href={p.back.href}>{p.back.label}</a>
        </p>
      ) : null}
    </section>
  );
}

/** Thu hồi khóa API? — asked once before the key stops working. */
export function RevokeKeyPage(p: { base: string; apiKey: ApiKeyRow; username: string; csrfToken: string }) {
  return (
    <section class="narrow">
      <h1>Thu hồi khóa API</h1>
      <p>
        Thu hồi khóa <strong>{p.apiKey.name}</strong> (<code>{p.apiKey.id}</code>) của tài khoản <strong>{p.username}</strong>? Hệ thống
        dùng khóa này bị từ chối ngay từ yêu cầu tiếp theo; không thể khôi phục khóa đã thu hồi.
      </p>
      <form method="post" action={`${p.base}/${p.apiKey.id}/thu-hoi`} class="inline">
        <CsrfField token={p.csrfToken} />
        <button type="submit" class="danger">
          Thu hồi khóa
        </button>
      </form>{' '}
      <a class="button" href={p.base}>
        Hủy
      </a>
    </section>
  );
}
