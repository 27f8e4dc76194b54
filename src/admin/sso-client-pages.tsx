/**
 * The pages of Quản trị → Ứng dụng kết nối SSO (sso-clients-routes.tsx): the list, an application's page (its
 * settings, the secret's actions, enabling, its recent logins), the confirmations and the secret shown once. The
 * registration and edit form is sso-client-form.tsx.
 */
import { formatDateTime } from '../shared/dates.js';
import { CsrfField, Flash } from '../web/layout.js';
import { RECENT_LOGINS, type SsoClientListItem, type SsoLoginRow, secretVersion } from '../sso/sso-client-registry.js';

export const SSO_ADMIN_BASE = '/tiepnhan/quan-tri/ung-dung-sso';
export const hrefOf = (clientId: string) => `${SSO_ADMIN_BASE}/${encodeURIComponent(clientId)}`;

const REFUSAL_REASONS: Record<string, string> = {
  unit_not_allowed: 'Đơn vị của tài khoản không được dùng ứng dụng',
  citizen_not_allowed: 'Ứng dụng không mở cho công dân',
};

function StateBadge(p: { client: SsoClientListItem }) {
  const c = p.client;
  if (c.disabledAt) return <span class="badge warn">Tạm dừng</span>;
  if (c.confidential && !c.secretHash) return <span class="badge warn">Chưa có khóa bí mật</span>;
  return <span class="badge ok">Hoạt động</span>;
}

const kindLabel = (c: { confidential: boolean }) => (c.confidential ? 'Bảo mật (confidential)' : 'Công khai (public)');
const unitsLabel = (c: SsoClientListItem) => (c.unitNames.length === 0 ? 'Mọi đơn vị' : c.unitNames.join('; '));

export function SsoClientListPage(p: { clients: SsoClientListItem[]; notice?: string | undefined }) {
  return (
    <section id="sso-clients">
      <h1>ỨNG DỤNG KẾT NỐI SSO</h1>
      <p>
        Các ứng dụng của tỉnh đăng nhập cán bộ và công dân qua Hệ thống xác thực tập trung (SSO). Chỉ quản trị cấp tỉnh đăng ký và quản lý
        ứng dụng.
      </p>
      {p.notice ? <Flash kind="ok">{p.notice}</Flash> : null}
      <p>
        <a class="button primary" href={`${SSO_ADMIN_BASE}/dang-ky`}>
          Đăng ký ứng dụng
        </a>
      </p>
      {p.clients.length === 0 ? (
        <p class="muted" id="no-sso-clients">
          Chưa có ứng dụng nào được đăng ký.
        </p>
      ) : (
        <table class="list" id="sso-client-list">
          <thead>
            <tr>
              <th scope="col">Tên ứng dụng</th>
              <th scope="col">Mã ứng dụng (client_id)</th>
              <th scope="col">Loại</th>
              <th scope="col">Phạm vi</th>
              <th scope="col">Mở cho đơn vị</th>
              <th scope="col">Trạng thái</th>
              <th scope="col">Ngày đăng ký</th>
            </tr>
          </thead>
          <tbody>
            {p.clients.map((c) => (
              <tr data-client={c.clientId}>
                <td>
                  <a href={hrefOf(c.clientId)}>{c.name}</a>
                </td>
                <td>
                  <code>{c.clientId}</code>
                </td>
                <td>{kindLabel(c)}</td>
                <td>{c.scopes.join(' ')}</td>
                <td>{unitsLabel(c)}</td>
                <td>
                  <StateBadge client={c} />
                </td>
                <td>{formatDateTime(c.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The secret just issued: shown in this answer only (no-store), never in an address. */
export function SsoSecretPage(p: { clientId: string; name: string; secret: string; issuer: string; rotated: boolean }) {
  return (
    <section class="narrow">
      <section class="flash flash-ok secret" role="status" id="sso-secret" aria-labelledby="sso-secret-title">
        <h1 id="sso-secret-title">{p.rotated ? `Đã cấp khóa bí mật mới cho "${p.name}"` : `Đã đăng ký ứng dụng "${p.name}"`}</h1>
        <p>
          <strong>Sao chép khóa bí mật ngay bây giờ: khóa chỉ hiển thị một lần, sau khi rời trang này không thể xem lại.</strong> Hệ thống
          chỉ lưu mã băm của khóa; nếu làm mất, hãy đổi khóa.
          {p.rotated ? ' Khóa cũ đã ngừng hoạt động.' : ''}
        </p>
        <label for="sso-client-id">Mã ứng dụng (client_id)</label>
        <input id="sso-client-id" type="text" readonly value={p.clientId} class="code" />
        <label for="sso-client-secret">Khóa bí mật (client_secret)</label>
        <input id="sso-client-secret" type="text" readonly value={p.secret} data-testid="sso-client-secret" class="code" />
        <p>
          Cấu hình ứng dụng với issuer <code>{p.issuer}</code> (tài liệu khám phá:{' '}
          <code>{`${p.issuer}/.well-known/openid-configuration`}</code>), xác thực tại token endpoint bằng <code>client_secret_basic</code>{' '}
          hoặc <code>client_secret_post</code>, và luôn dùng PKCE (S256).
        </p>
      </section>
      <p>
        <a class="button primary" href={hrefOf(p.clientId)}>
          Đến trang của ứng dụng
        </a>
      </p>
    </section>
  );
}

export function SsoClientPage(p: {
  client: SsoClientListItem;
  createdBy: string | null;
  logins: SsoLoginRow[];
  issuer: string;
  csrfToken: string;
  notice?: string | undefined;
  error?: string | undefined;
}) {
  const c = p.client;
  const href = hrefOf(c.clientId);
  return (
    <section id="sso-client">
      <h1>{c.name}</h1>
      {p.notice ? <Flash kind="ok">{p.notice}</Flash> : null}
      {p.error ? <Flash kind="error">{p.error}</Flash> : null}
      <dl class="facts" id="sso-client-facts">
        <dt>Mã ứng dụng (client_id)</dt>
        <dd>
          <code>{c.clientId}</code>
        </dd>
        <dt>Trạng thái</dt>
        <dd>
          <StateBadge client={c} />
          {c.disabledAt ? ` từ ${formatDateTime(c.disabledAt)}` : ''}
        </dd>
        <dt>Loại</dt>
        <dd>{kindLabel(c)}</dd>
        {c.confidential ? (
          <>
            <dt>Khóa bí mật</dt>
            <dd id="sso-secret-state">
              {c.secretHash
                ? `Đang hiệu lực${c.secretIssuedAt ? `, cấp lúc ${formatDateTime(c.secretIssuedAt)}` : ''}`
                : 'Đã thu hồi — ứng dụng không xác thực được cho đến khi được cấp khóa mới'}
            </dd>
          </>
        ) : null}
        <dt>Địa chỉ quay về</dt>
        <dd>
          {c.redirectUris.map((u) => (
            <div>
              <code>{u}</code>
            </div>
          ))}
        </dd>
        <dt>Sau khi đăng xuất</dt>
        <dd>
          {c.postLogoutRedirectUris.length
            ? c.postLogoutRedirectUris.map((u) => (
                <div>
                  <code>{u}</code>
                </div>
              ))
            : 'Không có'}
        </dd>
        <dt>Thông báo đăng xuất (back-channel)</dt>
        <dd>{c.backchannelLogoutUri ? <code>{c.backchannelLogoutUri}</code> : 'Không có'}</dd>
        <dt>Phạm vi</dt>
        <dd>{c.scopes.join(' ')}</dd>
        <dt>Mã định danh (sub)</dt>
        <dd>{c.subjectType === 'pairwise' ? 'Riêng cho ứng dụng (pairwise)' : 'Chung (public)'}</dd>
        <dt>Thời hạn token</dt>
        <dd>
          Access token {c.accessTokenTtl} giây; ID token {c.idTokenTtl} giây; refresh token {c.refreshTokenTtl} giây
        </dd>
        <dt>Mở cho đơn vị</dt>
        <dd>{unitsLabel(c)}</dd>
        <dt>Đăng ký</dt>
        <dd>
          {formatDateTime(c.createdAt)}
          {p.createdBy ? ` bởi ${p.createdBy}` : ''}
        </dd>
        <dt>Issuer</dt>
        <dd>
          <code>{p.issuer}</code>
        </dd>
      </dl>
      <div class="form-actions" id="sso-client-actions">
        <a class="button" href={`${href}/sua`}>
          Sửa
        </a>
        {c.confidential ? (
          <a class="button" href={`${href}/doi-khoa`}>
            {c.secretHash ? 'Đổi khóa bí mật' : 'Cấp khóa bí mật mới'}
          </a>
        ) : null}
        {c.confidential && c.secretHash ? (
          <a class="button danger" href={`${href}/thu-hoi-khoa`}>
            Thu hồi khóa bí mật
          </a>
        ) : null}
        <form method="post" action={`${href}/${c.disabledAt ? 'kich-hoat' : 'tam-dung'}`} class="inline">
          <CsrfField token={p.csrfToken} />
          <button type="submit" class={c.disabledAt ? 'primary' : 'danger'}>
            {c.disabledAt ? 'Cho hoạt động lại' : 'Tạm dừng ứng dụng'}
          </button>
        </form>
      </div>
      <h2>Đăng nhập gần đây</h2>
      <p class="muted">{RECENT_LOGINS} lần gần nhất, mới nhất trước.</p>
      {p.logins.length === 0 ? (
        <p class="muted" id="no-sso-logins">
          Chưa có lần đăng nhập nào.
        </p>
      ) : (
        <table class="list" id="sso-logins">
          <thead>
            <tr>
              <th scope="col">Thời điểm</th>
              <th scope="col">Người đăng nhập</th>
              <th scope="col">Mức xác thực (acr)</th>
              <th scope="col">Kết quả</th>
            </tr>
          </thead>
          <tbody>
            {p.logins.map((l) => (
              <tr data-refused={l.refused ? '1' : undefined}>
                <td>{formatDateTime(l.at)}</td>
                <td>{l.kind === 'citizen' ? 'Công dân' : l.username ? `${l.fullName} (${l.username})` : '—'}</td>
                <td>{l.acr ?? 'Không có'}</td>
                <td>{l.refused ? `Bị từ chối: ${REFUSAL_REASONS[l.reason ?? ''] ?? l.reason ?? 'không rõ lý do'}` : 'Thành công'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        <a href={SSO_ADMIN_BASE}>← Ứng dụng kết nối SSO</a>
      </p>
    </section>
  );
}

/** Đổi / Thu hồi khóa bí mật? — asked once; the form names the secret it replaces (a stale one changes nothing). */
export function SsoSecretConfirmPage(p: { client: SsoClientListItem; action: 'rotate' | 'revoke'; csrfToken: string }) {
  const c = p.client;
  const href = hrefOf(c.clientId);
  const rotate = p.action === 'rotate';
  return (
    <section class="narrow">
      <h1>{rotate ? (c.secretHash ? 'Đổi khóa bí mật' : 'Cấp khóa bí mật mới') : 'Thu hồi khóa bí mật'}</h1>
      <p>
        {rotate
          ? `Cấp khóa bí mật mới cho "${c.name}"? Khóa hiện tại (nếu có) ngừng hoạt động ngay; ứng dụng cần được cấu hình khóa mới. Khóa mới chỉ hiển thị một lần.`
          : `Thu hồi khóa bí mật của "${c.name}"? Ứng dụng không xác thực được với Hệ thống xác thực tập trung cho đến khi được cấp khóa mới.`}
      </p>
      <form method="post" action={`${href}/${rotate ? 'doi-khoa' : 'thu-hoi-khoa'}`} class="inline">
        <CsrfField token={p.csrfToken} />
        <input type="hidden" name="replaces" value={secretVersion(c)} />
        <button type="submit" class={rotate ? 'primary' : 'danger'}>
          {rotate ? 'Cấp khóa mới' : 'Thu hồi khóa'}
        </button>
      </form>{' '}
      <a class="button" href={href}>
        Hủy
      </a>
    </section>
  );
}
