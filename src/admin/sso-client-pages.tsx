/**
 * The pages of Quản trị → Ứng dụng kết nối SSO (sso-clients-routes.tsx): the list, the registration and edit form,
 * an application's page (its settings, the secret's actions, enabling, its recent logins), the confirmations and
 * the secret shown once.
 */
import type { UnitNode } from '../org/tree.js';
import { formatDateTime } from '../shared/dates.js';
import { CsrfField, Flash } from '../web/layout.js';
import { SSO_SCOPES } from '../sso/clients.js';
import { SSO_TTL_LIMITS } from '../sso/client-input.js';
import { RECENT_LOGINS, type SsoClientListItem, type SsoLoginRow, secretVersion } from '../sso/sso-client-registry.js';

export const SSO_ADMIN_BASE = '/tiepnhan/quan-tri/ung-dung-sso';
const hrefOf = (clientId: string) => `${SSO_ADMIN_BASE}/${encodeURIComponent(clientId)}`;

/** What each scope gives the application, as the administrator chooses it. */
const SCOPE_EXPLANATIONS: Record<(typeof SSO_SCOPES)[number], string> = {
  openid: 'Bắt buộc: ứng dụng đăng nhập người dùng qua Hệ thống xác thực tập trung và nhận mã định danh (sub) của họ.',
  offline_access: 'Ứng dụng được duy trì truy cập khi người dùng không trực tuyến (refresh token dài hạn).',
  profile: 'Họ và tên của người dùng.',
  cccd: 'Số định danh cá nhân (CCCD). Chỉ chọn cho ứng dụng thật sự cần; với cán bộ, chỉ có khi tài khoản đã gắn với VNeID.',
  official: 'Thông tin cán bộ: tên tài khoản, mã và tên đơn vị, các đơn vị cấp trên, vai trò.',
  citizen: 'Cho phép công dân đăng nhập (bằng VNeID); ứng dụng nhận loại tài khoản và mã số thuế của tổ chức.',
};

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

/** The form's values as typed (lists one per line), kept through a refusal. */
export type SsoClientFormValues = {
  name: string;
  redirectUris: string;
  postLogoutRedirectUris: string;
  backchannelLogoutUri: string;
  scopes: string[];
  kind: string;
  accessTokenTtl: string;
  refreshTokenTtl: string;
  idTokenTtl: string;
  unitIds: string[];
  subjectType: string;
};

export const EMPTY_SSO_CLIENT_FORM: SsoClientFormValues = {
  name: '',
  redirectUris: '',
  postLogoutRedirectUris: '',
  backchannelLogoutUri: '',
  scopes: ['openid'],
  kind: 'confidential',
  accessTokenTtl: String(SSO_TTL_LIMITS.accessTokenTtl.default),
  refreshTokenTtl: String(SSO_TTL_LIMITS.refreshTokenTtl.default),
  idTokenTtl: String(SSO_TTL_LIMITS.idTokenTtl.default),
  unitIds: [],
  subjectType: 'public',
};

export function formOfClient(c: SsoClientListItem): SsoClientFormValues {
  return {
    name: c.name,
    redirectUris: c.redirectUris.join('\n'),
    postLogoutRedirectUris: c.postLogoutRedirectUris.join('\n'),
    backchannelLogoutUri: c.backchannelLogoutUri ?? '',
    scopes: c.scopes,
    kind: c.confidential ? 'confidential' : 'public',
    accessTokenTtl: String(c.accessTokenTtl),
    refreshTokenTtl: String(c.refreshTokenTtl),
    idTokenTtl: String(c.idTokenTtl),
    unitIds: c.unitIds,
    subjectType: c.subjectType,
  };
}

type Errors = Record<string, string> | undefined;

/** The messages of a field and of its items (redirectUris.2 → "Dòng 3: …"), beside the field. */
function fieldMessages(errors: Errors, name: string): string[] {
  if (!errors) return [];
  const out: string[] = [];
  if (errors[name]) out.push(errors[name]);
  for (const [k, v] of Object.entries(errors)) {
    const m = new RegExp(`^${name}\\.(\\d+)$`).exec(k);
    if (m) out.push(name === 'scopes' || name === 'unitIds' ? v : `Dòng ${Number(m[1]) + 1}: ${v}`);
  }
  return out;
}

function Messages(p: { errors: Errors; name: string }) {
  const msgs = fieldMessages(p.errors, p.name);
  return msgs.length ? (
    <span class="field-error" id={`err-${p.name}`}>
      {msgs.map((m, i) => (
        <>
          {i > 0 ? <br /> : null}
          {m}
        </>
      ))}
    </span>
  ) : null;
}

const invalid = (errors: Errors, name: string) => fieldMessages(errors, name).length > 0;
const describedBy = (errors: Errors, name: string, hint?: string) =>
  [invalid(errors, name) ? `err-${name}` : null, hint ?? null].filter(Boolean).join(' ') || undefined;

function UrlList(p: {
  name: 'redirectUris' | 'postLogoutRedirectUris';
  label: string;
  hint: string;
  v: SsoClientFormValues;
  errors: Errors;
  required?: boolean;
}) {
  return (
    <div class="field">
      <label for={`f-${p.name}`}>
        {p.label}
        {p.required ? <span class="req">*</span> : null}
      </label>
      <textarea
        id={`f-${p.name}`}
        name={p.name}
        rows={3}
        spellcheck={false}
        required={p.required}
        aria-invalid={invalid(p.errors, p.name) ? 'true' : undefined}
        aria-describedby={describedBy(p.errors, p.name, `hint-${p.name}`)}
      >
        {p.v[p.name]}
      </textarea>
      <span class="muted" id={`hint-${p.name}`}>
        {p.hint}
      </span>
      <Messages errors={p.errors} name={p.name} />
    </div>
  );
}

function Ttl(p: { name: keyof typeof SSO_TTL_LIMITS; label: string; v: SsoClientFormValues; errors: Errors }) {
  const l = SSO_TTL_LIMITS[p.name];
  return (
    <div class="field">
      <label for={`f-${p.name}`}>{p.label} (giây)</label>
      <input
        id={`f-${p.name}`}
        name={p.name}
        type="number"
        inputmode="numeric"
        min={l.min}
        max={l.max}
        value={p.v[p.name]}
        aria-invalid={invalid(p.errors, p.name) ? 'true' : undefined}
        aria-describedby={describedBy(p.errors, p.name, `hint-${p.name}`)}
      />
      <span class="muted" id={`hint-${p.name}`}>
        Từ {l.min} đến {l.max} giây; mặc định {l.default}.
      </span>
      <Messages errors={p.errors} name={p.name} />
    </div>
  );
}

/** The unit tree as checkboxes: an application open to a unit is open to its whole subtree. */
function UnitChecks(p: { forest: UnitNode[]; selected: string[] }) {
  const render = (nodes: UnitNode[]) => (
    <ul class="unit-checks">
      {nodes.map((n) => (
        <li>
          <label class="check">
            <input type="checkbox" name="unitIds" value={n.id} checked={p.selected.includes(n.id)} /> {n.name}
            {n.active ? '' : ' (ngừng hoạt động)'}
          </label>
          {n.children.length ? render(n.children) : null}
        </li>
      ))}
    </ul>
  );
  return render(p.forest);
}

export function SsoClientForm(p: {
  mode: 'register' | 'edit';
  action: string;
  csrfToken: string;
  v: SsoClientFormValues;
  errors?: Errors;
  error?: string | undefined;
  forest: UnitNode[];
  production: boolean;
  clientId?: string;
}) {
  const { v, errors } = p;
  return (
    <section class="narrow" id="sso-client-form">
      <h1>{p.mode === 'register' ? 'Đăng ký ứng dụng kết nối SSO' : 'Sửa ứng dụng kết nối SSO'}</h1>
      {p.error ? <Flash kind="error">{p.error}</Flash> : null}
      <form method="post" action={p.action} class="stack" novalidate>
        <CsrfField token={p.csrfToken} />
        <div class="field">
          <label for="f-name">
            Tên ứng dụng<span class="req">*</span>
          </label>
          <input
            id="f-name"
            name="name"
            required
            maxlength={200}
            value={v.name}
            autocomplete="off"
            aria-invalid={invalid(errors, 'name') ? 'true' : undefined}
            aria-describedby={describedBy(errors, 'name')}
          />
          <Messages errors={errors} name="name" />
        </div>
        <fieldset aria-describedby={describedBy(errors, 'confidential')}>
          <legend>Loại ứng dụng</legend>
          {p.mode === 'edit' ? (
            <p id="f-kind">
              {v.kind === 'confidential' ? 'Bảo mật (confidential)' : 'Công khai (public)'} — không đổi được sau khi đăng ký.
            </p>
          ) : (
            <>
              <label class="check">
                <input type="radio" name="kind" value="confidential" checked={v.kind === 'confidential'} /> Bảo mật (confidential): ứng dụng
                chạy trên máy chủ, giữ được khóa bí mật; được dùng thêm client credentials.
              </label>
              <label class="check">
                <input type="radio" name="kind" value="public" checked={v.kind === 'public'} /> Công khai (public): ứng dụng trên trình
                duyệt hoặc điện thoại, không có khóa bí mật; xác thực bằng PKCE.
              </label>
            </>
          )}
          <Messages errors={errors} name="confidential" />
        </fieldset>
        <UrlList
          name="redirectUris"
          label="Địa chỉ quay về (redirect URI)"
          hint={`Mỗi dòng một địa chỉ, so khớp chính xác từng ký tự. ${p.production ? 'Phải dùng https://.' : 'Dùng https:// (http:// chỉ khi chạy thử).'}`}
          v={v}
          errors={errors}
          required
        />
        <UrlList
          name="postLogoutRedirectUris"
          label="Địa chỉ sau khi đăng xuất (post-logout redirect URI)"
          hint="Mỗi dòng một địa chỉ; có thể để trống."
          v={v}
          errors={errors}
        />
        <div class="field">
          <label for="f-backchannelLogoutUri">Địa chỉ nhận thông báo đăng xuất (back-channel logout URI)</label>
          <input
            id="f-backchannelLogoutUri"
            name="backchannelLogoutUri"
            value={v.backchannelLogoutUri}
            autocomplete="off"
            spellcheck={false}
            aria-invalid={invalid(errors, 'backchannelLogoutUri') ? 'true' : undefined}
            aria-describedby={describedBy(errors, 'backchannelLogoutUri', 'hint-backchannelLogoutUri')}
          />
          <span class="muted" id="hint-backchannelLogoutUri">
            Hệ thống gửi logout token đến địa chỉ này khi người dùng đăng xuất; có thể để trống.
          </span>
          <Messages errors={errors} name="backchannelLogoutUri" />
        </div>
        <fieldset id="f-scopes" aria-describedby={describedBy(errors, 'scopes')}>
          <legend>Phạm vi thông tin ứng dụng được yêu cầu</legend>
          {SSO_SCOPES.map((s) => (
            <label class="check">
              <input type="checkbox" name="scopes" value={s} checked={v.scopes.includes(s)} />
              <span>
                <code>{s}</code> — {SCOPE_EXPLANATIONS[s]}
              </span>
            </label>
          ))}
          <Messages errors={errors} name="scopes" />
        </fieldset>
        <fieldset aria-describedby={describedBy(errors, 'subjectType')}>
          <legend>Mã định danh người dùng (sub) ứng dụng nhận</legend>
          <label class="check">
            <input type="radio" name="subjectType" value="public" checked={v.subjectType !== 'pairwise'} /> Chung (public): mã tài khoản của
            cán bộ, mã công dân — giống nhau ở mọi ứng dụng.
          </label>
          <label class="check">
            <input type="radio" name="subjectType" value="pairwise" checked={v.subjectType === 'pairwise'} /> Riêng (pairwise): mỗi ứng dụng
            nhận một mã khác cho cùng một người, không đối chiếu được giữa các ứng dụng. Mọi địa chỉ quay về phải cùng một máy chủ.
          </label>
          {p.mode === 'edit' ? (
            <p class="muted">Đổi kiểu định danh làm ứng dụng nhận mã khác cho người dùng đã đăng nhập trước đó.</p>
          ) : null}
          <Messages errors={errors} name="subjectType" />
        </fieldset>
        <fieldset>
          <legend>Thời hạn token</legend>
          <Ttl name="accessTokenTtl" label="Access token" v={v} errors={errors} />
          <Ttl name="idTokenTtl" label="ID token" v={v} errors={errors} />
          <Ttl name="refreshTokenTtl" label="Refresh token" v={v} errors={errors} />
        </fieldset>
        <fieldset id="f-units" aria-describedby={describedBy(errors, 'unitIds', 'hint-unitIds')}>
          <legend>Đơn vị được dùng ứng dụng</legend>
          <p class="muted" id="hint-unitIds">
            Cán bộ của đơn vị được chọn và các đơn vị trực thuộc được đăng nhập. Không chọn đơn vị nào: mọi đơn vị.
          </p>
          <details open={v.unitIds.length > 0 || invalid(errors, 'unitIds')}>
            <summary>Chọn đơn vị ({v.unitIds.length === 0 ? 'mọi đơn vị' : `${v.unitIds.length} đơn vị đã chọn`})</summary>
            <UnitChecks forest={p.forest} selected={v.unitIds} />
          </details>
          <Messages errors={errors} name="unitIds" />
        </fieldset>
        <div class="form-actions">
          <a class="button" href={p.clientId ? hrefOf(p.clientId) : SSO_ADMIN_BASE}>
            Hủy
          </a>
          <button type="submit" class="primary">
            {p.mode === 'register' ? 'Đăng ký' : 'Lưu thay đổi'}
          </button>
        </div>
      </form>
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
