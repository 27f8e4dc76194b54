import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { SessionAccount } from '../auth/sessions.js';
import { AdminNav } from '../admin/admin-nav.js';
import { UnreadBadge } from '../notify/unread-badge.js';
import { ADDRESS_META, FORMS_SCRIPT } from './post-answer.js';

export type LayoutProps = {
  title: string;
  siteName: string;
  csrfToken: string;
  account: SessionAccount | null;
  isAdmin?: boolean;
  /** The official holds the reception position somewhere: TIẾP NHẬN HỒ SƠ is in the menu. */
  receives?: boolean;
  /** The official reads statistics somewhere (statistics/policy.ts): THỐNG KÊ, BÁO CÁO is in the menu. */
  readsStatistics?: boolean;
  /** The session proved its person by VNeID: Liên kết tài khoản is theirs to use. */
  proven?: boolean;
  /** The session was opened with a break-glass account's password + TOTP: a banner on every page says so. */
  breakGlass?: boolean;
  /** Other accounts of the same person (Chuyển tài khoản). */
  switchable?: Array<{ id: string; middleName: string; givenName: string; position: string | null }>;
  /** Unread in-app notices (read with the session): the count beside Thông báo in the user menu. */
  unreadNotices?: number;
  /** Which top menu is active. */
  section?: 'personal' | 'dossiers' | 'reception' | 'statistics' | 'admin';
  scripts?: string[];
  /** Where a GET shows this page again, for a page that answers a form's post (post-answer.ts postAnswerAddress). */
  address?: string | undefined;
  children: Child;
};

/** The officials' system frame: province header, main menu, user menu. */
export function Layout(p: LayoutProps) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="vi">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${p.title} — ${p.siteName}`}</title>
          <link rel="stylesheet" href="/static/app.css" />
          {p.address ? <meta name={ADDRESS_META} content={p.address} /> : null}
          {[...new Set([...(p.scripts ?? []), ...(p.address ? [FORMS_SCRIPT] : [])])].map((s) => (
            <script type="module" src={s}></script>
          ))}
        </head>
        <body>
          <a class="skip" href="#main">
            Bỏ qua đến nội dung chính
          </a>
          <header class="top officials-top">
            <div class="brand">
              <a href="/tiepnhan">{p.siteName.toUpperCase()}</a>
              <span class="sub">Hệ thống một cửa điện tử</span>
            </div>
            {p.account ? (
              <nav class="mainnav" aria-label="Menu chính">
                <a href="/tiepnhan" aria-current={p.section === 'personal' ? 'page' : undefined}>
                  CÁ NHÂN
                </a>
                <a href="/tiepnhan/ho-so" aria-current={p.section === 'dossiers' ? 'page' : undefined}>
                  HỒ SƠ
                </a>
                {p.receives ? (
                  <a href="/tiepnhan/tiep-nhan" aria-current={p.section === 'reception' ? 'page' : undefined}>
                    TIẾP NHẬN HỒ SƠ
                  </a>
                ) : null}
                {p.readsStatistics ? (
                  <a href="/tiepnhan/thong-ke" aria-current={p.section === 'statistics' ? 'page' : undefined}>
                    THỐNG KÊ, BÁO CÁO
                  </a>
                ) : null}
                {p.isAdmin ? (
                  <a href="/tiepnhan/quan-tri/nguoi-dung" aria-current={p.section === 'admin' ? 'page' : undefined}>
                    QUẢN TRỊ HỆ THỐNG
                  </a>
                ) : null}
                <a href="/tiepnhan/ho-tro">Hỗ trợ</a>
                {/* Also in the user menu; here the count shows without opening it (the summary stays the name). */}
                <a href="/tiepnhan/thong-bao" id="menu-thong-bao">
                  Thông báo
                  <UnreadBadge count={p.unreadNotices ?? 0} />
                </a>
              </nav>
            ) : null}
            {p.account ? (
              <details class="usermenu">
                <summary>
                  {p.account.middleName} {p.account.givenName}
                  {p.account.position ? ` (${p.account.position})` : ''}
                </summary>
                <ul>
                  <li>
                    <a href="/tiepnhan/thong-bao">
                      Thông báo
                      <UnreadBadge count={p.unreadNotices ?? 0} />
                    </a>
                  </li>
                  <li>
                    <a href="/tiepnhan/ho-tro">Hỗ trợ</a>
                  </li>
                  <li>
                    <a href="/tiepnhan/tai-khoan">Thông tin tài khoản</a>
                  </li>
                  <li>
                    <a href="/tiepnhan/doi-mat-khau">Đổi mật khẩu</a>
                  </li>
                  <li>
                    <a href="/tiepnhan/uy-quyen">Ủy quyền giải quyết DVC</a>
                  </li>
                  {p.proven ? (
                    <li>
                      <a href="/tiepnhan/lien-ket-tai-khoan">Liên kết tài khoản</a>
                    </li>
                  ) : null}
                  {(p.switchable ?? []).map((a) => (
                    <li>
                      <form method="post" action={`/tiepnhan/chuyen-tai-khoan/${a.id}`}>
                        <input type="hidden" name="_csrf" value={p.csrfToken} />
                        <button type="submit" class="linklike">
                          Chuyển tài khoản: {a.middleName} {a.givenName} ({a.position ?? ''})
                        </button>
                      </form>
                    </li>
                  ))}
                  <li>
                    <form method="post" action="/tiepnhan/dang-xuat">
                      <input type="hidden" name="_csrf" value={p.csrfToken} />
                      <button type="submit" class="linklike">
                        Đăng xuất
                      </button>
                    </form>
                  </li>
                </ul>
              </details>
            ) : null}
          </header>
          {p.account && p.breakGlass ? (
            <p class="break-glass-banner" role="note">
              Bạn đang đăng nhập bằng tài khoản khẩn cấp — mọi thao tác được ghi nhật ký.
            </p>
          ) : null}
          {p.account && p.isAdmin && p.section === 'admin' ? <AdminNav /> : null}
          <main id="main">{p.children}</main>
          <footer class="foot">Hệ thống thông tin giải quyết thủ tục hành chính — {p.siteName}</footer>
        </body>
      </html>
    </>
  );
}

export function Flash(p: { kind: 'ok' | 'error' | 'info'; children: Child }) {
  return (
    <div class={`flash flash-${p.kind}`} role={p.kind === 'error' ? 'alert' : 'status'}>
      {p.children}
    </div>
  );
}

/**
 * A refused form's summary, the one way every form page shows it: `children` says what happened, then each field's
 * message (all but `form`) as a link to the message beside its field (FieldError's id) — the form is several screens
 * long on a phone. `onPage` names the fields that are on this page; another's message is listed without a link.
 * Marked data-error-summary and focusable by script only (tabindex -1): /static/submit-once.js focuses it on load, so
 * that a screen reader announces it and a phone scrolls to it (the CSP allows no inline script); without
 * JavaScript it is still the first thing under the page's heading.
 */
export function ErrorSummary(p: { errors: Record<string, string>; onPage?: (name: string) => boolean; children: Child }) {
  const fields = Object.entries(p.errors).filter(([name]) => name !== 'form');
  return (
    <div class="flash flash-error" role="alert" tabindex={-1} data-error-summary>
      {p.children}
      {fields.length ? (
        <ul class="error-summary">
          {fields.map(([name, message]) => (
            <li>{(p.onPage ?? (() => true))(name) ? <a href={`#err-${name}`}>{message}</a> : message}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function CsrfField(p: { token: string }) {
  return <input type="hidden" name="_csrf" value={p.token} />;
}

export function FieldError(p: { errors?: Record<string, string> | undefined; name: string }) {
  const msg = p.errors?.[p.name];
  return msg ? (
    <span class="field-error" id={`err-${p.name}`}>
      {msg}
    </span>
  ) : null;
}

/** Giới tính, as THÔNG TIN XÁC THỰC asks it (the official's own page and the administrator's form). */
export function GenderSelect(p: { id: string; value: string | undefined; required?: boolean }) {
  return (
    <select id={p.id} name="gender" required={p.required}>
      <option value="" selected={!p.value}>
        -- Chọn giới tính --
      </option>
      <option value="male" selected={p.value === 'male'}>
        Nam
      </option>
      <option value="female" selected={p.value === 'female'}>
        Nữ
      </option>
    </select>
  );
}
