import type { Context, MiddlewareHandler } from 'hono';
import { isAdministrator } from '../accounts/policies.js';
import { switchableAccounts } from '../auth/person-accounts.js';
import { isBreakGlassSession } from '../auth/sessions.js';
import { receivesAnywhere } from '../dossiers/access.js';
import { readsAnyStatistics } from '../statistics/policy.js';
import { rootUnitName } from '../org/unit-queries.js';
import type { StaffActor } from '../shared/context.js';
import type { DisplayCache } from '../shared/display-cache.js';
import { errors } from '../shared/errors.js';
import type { AppEnv } from './env.js';
import { previousPage } from './previous-page.js';
import { readCookie, SESSION_COOKIE } from './cookies.js';

export type Ctx = Context<AppEnv>;

/** Form fields as strings: bodies are read only through web/body.ts, within its limits. */
export { formData } from './body.js';

export function actorOf(c: Ctx): StaffActor {
  const actor = c.get('actor');
  if (!actor) throw errors.unauthenticated();
  return actor;
}

/** The login page's query flag for a password session ended by its unit's VNeID-only cutoff (auth/routes.tsx). */
export const PASSWORD_CLOSED_FLAG = 'het-mat-khau';
/** The login page's flag for a session that ended (1), during a form post (gui). */
export const SESSION_ENDED_FLAG = 'het-phien';

/**
 * After Đặt lại mật khẩu (or a new account's temporary password) the official must choose a new password before
 * anything else, pages and cookie calls of the JSON API alike (api/routes.ts). A VNeID session never used the
 * temporary password, so it is not held up by it; neither is an API key (its own credential, not the password).
 */
export function passwordChangeDue(c: Ctx): boolean {
  const account = c.get('account');
  return !!account && account.mustChangePassword && c.get('actor')?.kind === 'official' && !c.get('identityProof');
}

/** Officials' pages: an anonymous visit goes to the login page, keeping where it wanted to go. */
export const requireLogin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const account = c.get('account');
  if (!account) return toOfficialLogin(c);
  const free = ['/tiepnhan/doi-mat-khau', '/tiepnhan/dang-xuat'];
  if (passwordChangeDue(c) && !free.includes(c.req.path)) return c.redirect('/tiepnhan/doi-mat-khau', 303);
  await next();
};

/**
 * Đăng nhập for a request without an official's session, coming back to this page (a GET) or to the page a form was
 * on (its Referer, when that is an officials' page). A password session the cutoff ended: the login page says why and
 * points to VNeID. Any other session this browser had that no longer is (timed out, logged out elsewhere, ended by an
 * administrator — a suspension does that): the login page says the session ended, and that a form sent was not kept.
 */
export function toOfficialLogin(c: Ctx) {
  const back = c.req.method === 'GET' ? c.req.path + (new URL(c.req.url).search || '') : (previousPage(c, 'official') ?? '/tiepnhan');
  const why = c.get('passwordSessionClosed')
    ? `&${PASSWORD_CLOSED_FLAG}=1`
    : readCookie(c, SESSION_COOKIE)
      ? `&${SESSION_ENDED_FLAG}=${c.req.method === 'GET' ? '1' : 'gui'}`
      : '';
  return c.redirect(`/tiepnhan/dang-nhap?tiep=${encodeURIComponent(back)}${why}`, 303);
}

/** The header's name before any province is set up (no root unit yet), and before it was ever read. */
const UNNAMED = 'MotCua';

/** The name each app last read, by its display cache (one per app): what an error page shows without the database. */
const lastNames = new WeakMap<DisplayCache, string>();

/** The name in the header is the root unit's: every deployment names its own province. */
export function siteName(c: Ctx): Promise<string> {
  const { db, displayCache } = c.get('deps');
  return displayCache.get('site-name', async () => {
    const name = (await rootUnitName(db)) ?? UNNAMED;
    lastNames.set(displayCache, name);
    return name;
  });
}

/**
 * The name as last read, reading nothing: for an error page about the database itself (web/error-frame.tsx). The
 * display cache cannot serve it then — it keeps nothing while the change feed is down, as it is with the database.
 */
export function lastSiteName(c: Ctx): string {
  return lastNames.get(c.get('deps').displayCache) ?? UNNAMED;
}

/** Props every page's Layout needs. */
export async function pageProps(c: Ctx) {
  const account = c.get('account');
  const actor = c.get('actor');
  const proof = c.get('identityProof');
  const { db, displayCache } = c.get('deps');
  // The administration and reception links and the accounts to switch to are chrome: the pages behind them check again.
  const token = c.get('sessionToken');
  const [name, isAdmin, receives, readsStatistics, switchable, breakGlass] = await Promise.all([
    siteName(c),
    actor ? displayCache.get(`is-admin:${actor.accountId}`, () => isAdministrator(db, actor)) : false,
    actor ? displayCache.get(`receives:${actor.accountId}`, () => receivesAnywhere(db, actor)) : false,
    actor ? displayCache.get(`reads-statistics:${actor.accountId}`, () => readsAnyStatistics(db, actor)) : false,
    account && proof ? displayCache.get(`linked:${proof.personId}:${account.id}`, () => switchableAccounts(db, proof, account.id)) : [],
    // Only a break-glass account can open such a session: no lookup for the others.
    account?.breakGlass && token ? isBreakGlassSession(db, token) : false,
  ]);
  return {
    siteName: name,
    csrfToken: c.get('csrfToken'),
    account,
    isAdmin,
    receives,
    readsStatistics,
    switchable,
    proven: !!proof,
    breakGlass,
    // Read with the session, never cached: this person's, as of this request (notify/unread.ts).
    unreadNotices: c.get('unreadNotices'),
  };
}
