import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { lastSiteName, siteName, type Ctx } from '../web/http.js';
import { citizenAlreadyRead, currentCitizen, type Citizen } from './citizen-context.js';
import { UnreadBadge } from '../notify/unread-badge.js';
import { ADDRESS_META, FORMS_SCRIPT, postAnswerAddress } from '../web/post-answer.js';

/** What the portal's frame shows around a page: the province, the citizen of the request, her unread notices. */
export type PortalChrome = {
  siteName: string;
  /** The logged-in citizen's name; null when nobody is logged in (or nobody is known: see portalChromeOffline). */
  citizenName: string | null;
  unreadNotices: number;
  /** null when the request never reached the session middleware (a body refused by its size): no Đăng xuất form then. */
  csrfToken: string | null;
  path: string;
};

const chromeOf = (c: Ctx, name: string, citizen: Citizen | null): PortalChrome => ({
  siteName: name,
  citizenName: citizen?.fullName ?? null,
  unreadNotices: c.get('citizenUnreadNotices') ?? 0,
  csrfToken: c.get('csrfToken') ?? null,
  path: c.req.path,
});

/** The frame's props, read from the request (so every page shows the same header). */
export async function portalChrome(c: Ctx): Promise<PortalChrome> {
  const [name, citizen] = await Promise.all([siteName(c), currentCitizen(c)]);
  return chromeOf(c, name, citizen);
}

/** The same without reading anything (the database is away): the name last read, the citizen if already read. */
export async function portalChromeOffline(c: Ctx): Promise<PortalChrome> {
  return chromeOf(c, lastSiteName(c), await citizenAlreadyRead(c));
}

/**
 * The portal's page: header with the province's name, TRANG CÁ NHÂN and Đăng xuất for a logged-in citizen, Đăng nhập
 * otherwise. Phone first: one column under 600 px.
 * WCAG 2.1 AA (tests/e2e/portal-a11y.test.ts): a skip link first, the current section marked in the menu.
 */
export function PortalFrame(
  p: PortalChrome & { title: string; children: Child; scripts?: string[] | undefined; address?: string | undefined },
) {
  const current = (prefix: string) => (p.path === prefix ? 'page' : p.path.startsWith(`${prefix}/`) ? 'true' : undefined);
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="vi">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${p.title} — Cổng Dịch vụ công ${p.siteName}`}</title>
          <link rel="stylesheet" href="/static/app.css" />
          {p.address ? <meta name={ADDRESS_META} content={p.address} /> : null}
          {/* submit-once.js on every page: it also focuses a refused form's summary (ErrorSummary), wherever one is. */}
          {[...new Set([FORMS_SCRIPT, ...(p.scripts ?? [])])].map((src) => (
            <script type="module" src={src}></script>
          ))}
        </head>
        <body>
          <a class="skip" href="#main">
            Bỏ qua đến nội dung chính
          </a>
          <header class="top portal-top">
            <div class="brand">
              <a href="/">{p.siteName.toUpperCase()}</a>
              <span class="sub">Cổng Dịch vụ công</span>
            </div>
            <nav class="mainnav" aria-label="Menu chính">
              <a href="/thu-tuc" aria-current={current('/thu-tuc')}>
                Thủ tục hành chính
              </a>
              {p.citizenName ? (
                <>
                  <a href="/ca-nhan" aria-current={current('/ca-nhan')}>
                    TRANG CÁ NHÂN
                  </a>
                  <a href="/ca-nhan/thong-bao" id="menu-thong-bao" aria-current={current('/ca-nhan/thong-bao')}>
                    Thông báo
                    <UnreadBadge count={p.unreadNotices} />
                  </a>
                  {p.csrfToken !== null ? (
                    <form method="post" action="/dang-xuat" class="inline">
                      <input type="hidden" name="_csrf" value={p.csrfToken} />
                      <button type="submit" class="linklike">
                        Đăng xuất ({p.citizenName})
                      </button>
                    </form>
                  ) : null}
                </>
              ) : (
                <a href="/dang-nhap" aria-current={current('/dang-nhap')}>
                  Đăng nhập
                </a>
              )}
            </nav>
          </header>
          <main id="main" class="narrow">
            {p.children}
          </main>
        </body>
      </html>
    </>
  );
}

/**
 * A portal page: its frame read from the request around `body`. `scripts`: our own files under /static (the CSP
 * allows no other), for what helps on top of a page that works without them. `address`: where a GET shows this page
 * again, for a page that answers a form's post (web/post-answer.ts).
 */
export async function PortalPage(c: Ctx, title: string, body: Child, opts: { scripts?: string[]; address?: string } = {}) {
  const address = opts.address ? postAnswerAddress(c, opts.address) : undefined;
  return (
    <PortalFrame {...(await portalChrome(c))} title={title} scripts={opts.scripts} address={address}>
      {body}
    </PortalFrame>
  );
}
