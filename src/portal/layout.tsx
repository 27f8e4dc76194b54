import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { siteName, type Ctx } from '../web/http.js';
import { currentCitizen } from './citizen-context.js';
import { UnreadBadge } from '../notify/unread-badge.js';

/**
 * The portal's page: header with the province's name, TRANG CÁ NHÂN and Đăng xuất for a logged-in citizen (read
 * from the request, so every page shows the same header), Đăng nhập otherwise. Phone first: one column under 600 px.
 * WCAG 2.1 AA (tests/e2e/portal-a11y.test.ts): a skip link first, the current section marked in the menu.
 */
export async function PortalPage(c: Ctx, title: string, body: Child) {
  const [name, citizen] = await Promise.all([siteName(c), currentCitizen(c)]);
  const citizenName = citizen?.fullName;
  const path = c.req.path;
  const current = (prefix: string) => (path === prefix ? 'page' : path.startsWith(`${prefix}/`) ? 'true' : undefined);
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="vi">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${title} — Cổng Dịch vụ công ${name}`}</title>
          <link rel="stylesheet" href="/static/app.css" />
        </head>
        <body>
          <a class="skip" href="#main">
            Bỏ qua đến nội dung chính
          </a>
          <header class="top portal-top">
            <div class="brand">
              <a href="/">{name.toUpperCase()}</a>
              <span class="sub">Cổng Dịch vụ công</span>
            </div>
            <nav class="mainnav" aria-label="Menu chính">
              <a href="/thu-tuc" aria-current={current('/thu-tuc')}>
                Thủ tục hành chính
              </a>
              {citizenName ? (
                <>
                  <a href="/ca-nhan" aria-current={current('/ca-nhan')}>
                    TRANG CÁ NHÂN
                  </a>
                  <a href="/ca-nhan/thong-bao" id="menu-thong-bao" aria-current={current('/ca-nhan/thong-bao')}>
                    Thông báo
                    <UnreadBadge count={c.get('citizenUnreadNotices')} />
                  </a>
                  <form method="post" action="/dang-xuat" class="inline">
                    <input type="hidden" name="_csrf" value={c.get('csrfToken')} />
                    <button type="submit" class="linklike">
                      Đăng xuất ({citizenName})
                    </button>
                  </form>
                </>
              ) : (
                <a href="/dang-nhap" aria-current={current('/dang-nhap')}>
                  Đăng nhập
                </a>
              )}
            </nav>
          </header>
          <main id="main" class="narrow">
            {body}
          </main>
        </body>
      </html>
    </>
  );
}
