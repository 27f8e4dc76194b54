/**
 * The frame an error page for people is drawn in: its area's own, so that a refusal does not look like leaving the
 * site — the portal's header and menu (with the citizen's name) everywhere but /tiepnhan and /sso, the officials'
 * Layout (with their menus) under /tiepnhan, and a plain page under /sso, whose login step both areas share.
 *
 * The frame is read as the area's pages read it, except when the error is the database itself: then it is drawn from
 * what the request already holds (the official's session, a citizen already read, the province's name last read), as
 * reading it would fail again, or wait out another statement timeout. A frame that cannot be read is drawn that way too.
 */
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { PortalFrame, portalChrome, portalChromeOffline } from '../portal/layout.js';
import type { AppError } from '../shared/errors.js';
import { lastSiteName, pageProps, type Ctx } from './http.js';
import { Layout, type LayoutProps } from './layout.js';

type Area = 'official' | 'portal' | 'sso';

export function areaOf(path: string): Area {
  if (path.startsWith('/tiepnhan')) return 'official';
  if (path === '/sso' || path.startsWith('/sso/')) return 'sso';
  return 'portal';
}

/** The errors that say the database is away or too slow: their page reads nothing from it. */
const DATABASE_ERRORS = new Set(['database_unavailable', 'database_timeout']);

export type ErrorFrame = {
  /** Where "Về trang chủ" leads: the area's home (a logged-in citizen's is TRANG CÁ NHÂN). */
  home: string;
  /** Where "Đăng nhập" leads on a 401: the area's own login. */
  login: string;
  draw: (title: string, content: Child) => JSX.Element;
};

/**
 * A page needing nothing: under /sso, and when the area's frame could not be drawn at all (error-page.tsx) — still
 * in Vietnamese, with its links, never a bare 500.
 */
export function plainFrame(area: Area): ErrorFrame {
  return {
    home: area === 'official' ? '/tiepnhan' : '/',
    login: area === 'portal' ? '/dang-nhap' : '/tiepnhan/dang-nhap',
    draw: (title, content) => (
      <>
        {raw('<!DOCTYPE html>')}
        <html lang="vi">
          <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>{title}</title>
            <link rel="stylesheet" href="/static/app.css" />
          </head>
          <body>
            <main id="main" class="narrow">
              {content}
            </main>
          </body>
        </html>
      </>
    ),
  };
}

type OfficialChrome = Omit<LayoutProps, 'title' | 'children'>;

/**
 * The officials' frame from what the request holds: the session's account (a body refused by its size never reached
 * the session: none then), without the menus a lookup decides (administration, reception, statistics).
 */
const officialChromeOffline = (c: Ctx): OfficialChrome => ({
  siteName: lastSiteName(c),
  csrfToken: c.get('csrfToken') ?? '',
  account: c.get('account') ?? null,
  unreadNotices: c.get('unreadNotices') ?? 0,
});

/** The frame of the request's area, its props read with a fallback that reads nothing (see the top of this file). */
export async function errorFrame(c: Ctx, err: AppError): Promise<ErrorFrame> {
  const area = areaOf(c.req.path);
  const offline = DATABASE_ERRORS.has(err.code);
  if (area === 'official') {
    const chrome = offline ? officialChromeOffline(c) : await pageProps(c).catch(() => officialChromeOffline(c));
    return {
      ...plainFrame(area),
      draw: (title, content) => (
        <Layout {...chrome} title={title}>
          <div class="narrow">{content}</div>
        </Layout>
      ),
    };
  }
  if (area === 'portal') {
    const chrome = offline ? await portalChromeOffline(c) : await portalChrome(c).catch(() => portalChromeOffline(c));
    return {
      ...plainFrame(area),
      home: chrome.citizenName ? '/ca-nhan' : '/',
      draw: (title, content) => (
        <PortalFrame {...chrome} title={title}>
          {content}
        </PortalFrame>
      ),
    };
  }
  return plainFrame(area);
}
