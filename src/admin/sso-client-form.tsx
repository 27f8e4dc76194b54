/**
 * Đăng ký / Sửa ứng dụng kết nối SSO: the form of Quản trị → Ứng dụng kết nối SSO (sso-clients-routes.tsx), its
 * values kept as typed through a refusal, each message beside its field.
 */
import type { UnitNode } from '../org/tree.js';
import { CsrfField, Flash } from '../web/layout.js';
import { SSO_SCOPES } from '../sso/clients.js';
import { SSO_TTL_LIMITS } from '../sso/client-input.js';
import type { SsoClientListItem } from '../sso/sso-client-registry.js';
import { hrefOf, SSO_ADMIN_BASE } from './sso-client-pages.js';

/** What each scope gives the application, as the administrator chooses it. */
const SCOPE_EXPLANATIONS: Record<(typeof SSO_SCOPES)[number], string> = {
  openid: 'Bắt buộc: ứng dụng đăng nhập người dùng qua Hệ thống xác thực tập trung và nhận mã định danh (sub) của họ.',
  offline_access: 'Ứng dụng được duy trì truy cập khi người dùng không trực tuyến (refresh token dài hạn).',
  profile: 'Họ và tên của người dùng.',
  cccd: 'Số định danh cá nhân (CCCD). Chỉ chọn cho ứng dụng thật sự cần; với cán bộ, chỉ có khi tài khoản đã gắn với VNeID.',
  official: 'Thông tin cán bộ: tên tài khoản, mã và tên đơn vị, các đơn vị cấp trên, vai trò.',
  citizen: 'Cho phép công dân đăng nhập (bằng VNeID); ứng dụng nhận loại tài khoản và mã số thuế của tổ chức.',
};

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
            Hệ thống gửi logout token đến địa chỉ này khi người dùng đăng xuất; có thể để trống. Địa chỉ mạng riêng (10.x, 172.16–31.x,
            192.168.x) được phép; không được trỏ tới chính máy chủ (localhost), link-local hay 0.0.0.0.
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
