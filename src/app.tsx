/**
 * The HTTP application: middleware in the order a request meets it, then the feature routes.
 * Request flow: request id → security headers → error page → session → CSRF → route → use case.
 * The first middleware also writes the request's log line and duration sample (web/observability.ts).
 */
import { delegationRoutes } from './delegation/routes.js';
import { statisticsRoutes } from './statistics/routes.js';
import crypto from 'node:crypto';
import { Hono } from 'hono';
import type { Deps, AppEnv } from './web/env.js';
import { securityHeaders } from './web/security-headers.js';
import { CSRF_COOKIE, SESSION_COOKIE, clearCookie, readCookie, writeCookie } from './web/cookies.js';
import { csrfToken, csrfTokenValid, sameOrigin } from './web/csrf.js';
import { limitBody, readForm } from './web/body.js';
import { readSession } from './auth/sessions.js';
import { endClosedPasswordSession } from './auth/end-closed-password-session.js';
import { AppError, errors } from './shared/errors.js';
import { isDatabaseUnavailable, isStatementCancelled } from './db/client.js';
import { renderError } from './web/error-page.js';
import { healthRoutes } from './web/health.js';
import { staticRoutes } from './web/static.js';
import { authRoutes } from './auth/routes.js';
import { identityRoutes } from './auth/identity-routes.js';
import { linkRoutes } from './auth/link-routes.js';
import { onestopRoutes } from './onestop/routes.js';
import { adminUserRoutes } from './admin/users-routes.js';
import { CATALOG_IMPORT_PATH, catalogImportRoutes, UNIT_IMPORT_PATH, unitImportRoutes } from './admin/catalog-import-routes.js';
import { adminUnitRoutes } from './admin/units-routes.js';
import { adminAuditRoutes } from './admin/audit-routes.js';
import { adminJobRoutes } from './admin/jobs-routes.js';
import { NATIONAL_INTAKE_PATH, nationalIntakeRoutes } from './national-portal/intake-routes.js';
import { notificationFailureRoutes } from './notify/failure-routes.js';
import { adminSsoClientRoutes } from './admin/sso-clients-routes.js';
import { portalRoutes } from './portal/routes.js';
import { personalFileRoutes } from './personal-files/routes.js';
import { paymentNotifyRoutes, paymentRoutes } from './payments/routes.js';
import { refundRoutes } from './payments/refund-routes.js';
import { notifyReportRoutes } from './notify/report-routes.js';
import { catalogRoutes } from './catalog/routes.js';
import { CitizenLoginRequired, PORTAL_COOKIE } from './portal/citizen-context.js';
import { citizenDossierRoutes } from './portal/dossier-routes.js';
import { myDataRoutes } from './portal/my-data-routes.js';
import { portalNoticeRoutes } from './notify/portal-notice-routes.js';
import { officialNoticeRoutes } from './notify/official-notice-routes.js';
import { submissionRoutes } from './portal/submission-routes.js';
import { cutoverRoutes } from './cutover/routes.js';
import { calendarRoutes } from './calendar/routes.js';
import { notificationTemplateRoutes } from './notify/template-routes.js';
import { dossierRoutes } from './onestop/dossier-routes.js';
import { inboxRoutes } from './onestop/inbox-routes.js';
import { receptionRoutes } from './onestop/reception-routes.js';
import { apiRoutes } from './api/routes.js';
import { procedureRoutes } from './procedures/routes.js';
import { templateDownloadRoutes } from './procedures/template-download.js';
import { authenticateApiToken } from './api/authenticate-api-token.js';
import { adminKeyRoutes, ownKeyRoutes } from './api/key-routes.js';
import { ownSessionRoutes } from './auth/session-routes.js';
import { breakGlassEnrolRoutes } from './cutover/enrol-routes.js';
import { metricsRoutes, recordRequest, requestIdFrom, supportCode } from './web/observability.js';
import { collectProcessMetrics, watchPool } from './shared/metrics.js';
import { ssoProvider } from './sso/provider.js';
import { ssoInteractionRoutes, ssoProviderRoutes } from './sso/routes.js';
import { statisticsExportRoutes } from './statistics/export-routes.js';
import { serviceIndexRoutes } from './statistics/index-routes.js';
import { SESSION_ENDED_FLAG, toOfficialLogin } from './web/http.js';
import { bearerToken } from './web/bearer.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The pages whose successful writes change what page chrome shows (the display cache, src/db/changes.ts):
 * - quan-tri: administration (units, accounts and their positions, settings the header and menus read);
 * - tai-khoan: one's own account pages;
 * - lien-ket-tai-khoan: linking accounts of one person (the switch menu);
 * - uy-quyen: delegations made or ended (the delegate's delegated inbox tabs).
 */
const CHANGES_DISPLAY = /^\/tiepnhan\/(quan-tri|tai-khoan|lien-ket-tai-khoan|uy-quyen)(\/|$)/;

function clientIp(c: { req: { header(n: string): string | undefined }; env: unknown }, trustProxy: boolean): string | null {
  if (trustProxy) {
    const fwd = c.req.header('x-forwarded-for');
    if (fwd) return fwd.split(',')[0]!.trim();
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? null;
}

export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>();
  const policy = { idleMs: deps.config.sessionIdleMs, absoluteMs: deps.config.sessionAbsoluteMs };
  const log = deps.logger;
  // Durations and process metrics are collected only when GET /metrics is served.
  const metricsOn = deps.config.metricsToken !== null;
  if (metricsOn) collectProcessMetrics();
  if (metricsOn && deps.dbPool) watchPool(deps.dbPool);

  app.use('*', async (c, next) => {
    const started = performance.now();
    c.set('deps', deps);
    // A client's id only in a safe format and length (it is echoed, logged and shown); else our own.
    const requestId = requestIdFrom(c.req.header('x-request-id'));
    c.set('requestId', requestId);
    c.set('meta', {
      ip: clientIp(c, deps.config.trustProxy),
      requestId,
      userAgent: c.req.header('user-agent') ?? null,
    });
    c.header('X-Request-Id', requestId);
    await next();
    // A write served here (a logout, a suspension, a notice read) is seen by the next request of anyone here, before
    // this answer leaves; other instances hear of it from the database (auth/session-cache.ts). Only a logged-in
    // person's writes: anonymous posts (a login among them, announced by the database) must not keep it cold.
    if (UNSAFE.has(c.req.method) && (readCookie(c, SESSION_COOKIE) || readCookie(c, PORTAL_COOKIE))) {
      deps.sessionCaches.officials.clear();
      deps.sessionCaches.citizens.clear();
      deps.sessionCaches.ssoClients.clear();
    }
    // What page chrome shows changes only through the pages of CHANGES_DISPLAY: announced to this process's
    // caches now and to the other processes' through the database (src/db/changes.ts).
    if (UNSAFE.has(c.req.method) && c.res.status < 400 && CHANGES_DISPLAY.test(c.req.path))
      // The write is done: if the database cannot be told, the others' display caches expire on their own.
      await deps.changes.announce().catch((err) => log.warn({ err }, 'could not announce a change to other processes'));
    recordRequest(c, log, started, metricsOn);
  });
  app.use('*', securityHeaders);
  // The provincial SSO provider (src/sso): oidc-provider answers on the raw Node request, with its own cookies;
  // built at its first request. Its login step (/sso/interaction) is below, with the session. Before limitBody:
  // the provider reads its own bodies (56 KB at most), and a stream limitBody started would be gone for it.
  const sso = ssoProvider({ db: deps.db, config: deps.config, logger: log, now: deps.now, clientCache: deps.sessionCaches.ssoClients });
  app.route('/sso', ssoProviderRoutes(sso));
  // Bodies: small unless the route takes an upload (web/body.ts); read only through web/body.ts.
  app.use('*', limitBody);

  // Every 5xx is logged with the request id and, as `ref`, the short code its error page shows for support
  // (observability.ts supportCode); a refusal (4xx) at debug, by its code only — its page shows no code (error-page.tsx).
  // The logger's err serialiser drops what may be personal (observability.ts).
  app.onError((err, c) => {
    const requestId = c.get('requestId');
    const ref = supportCode(requestId);
    // A portal page that needs a citizen's login: go to Đăng nhập and come back.
    if (err instanceof CitizenLoginRequired)
      return c.redirect(`/dang-nhap?tiep=${encodeURIComponent(err.returnTo)}${err.postLost ? `&${SESSION_ENDED_FLAG}=1` : ''}`, 303);
    if (err instanceof AppError) {
      if (err.retryAfterSeconds !== undefined) c.header('Retry-After', String(err.retryAfterSeconds));
      if (err.status >= 500) log.error({ err, requestId, ref, code: err.code }, 'request failed');
      else log.debug({ requestId, code: err.code, status: err.status }, 'request refused');
      return renderError(c, err);
    }
    if (isDatabaseUnavailable(err)) {
      log.warn({ err, requestId, ref }, 'database unavailable');
      c.header('Retry-After', '30');
      return renderError(c, errors.databaseUnavailable());
    }
    if (isStatementCancelled(err)) {
      log.warn({ err, requestId, ref }, 'statement cancelled (DB_STATEMENT_TIMEOUT_MS)');
      return renderError(c, errors.databaseTimeout());
    }
    log.error({ err, requestId, ref }, 'unhandled error');
    return renderError(c, new AppError('internal', 'Đã có lỗi xảy ra. Vui lòng thử lại sau ít phút.', 500));
  });
  app.notFound((c) => renderError(c, new AppError('not_found', 'Không tìm thấy trang bạn yêu cầu.', 404)));

  app.route('/', healthRoutes);
  app.route('/static', staticRoutes);
  // Public, immutable files: no session, no cookies (they are cached for a year).
  app.route('/', templateDownloadRoutes);
  // The payment platform's server-to-server confirmation: signed, no session, no CSRF (src/payments).
  app.route('/', paymentNotifyRoutes);
  // The SMS and Zalo ZNS gateways' delivery reports: signed, no session, no CSRF (src/notify/report-routes.ts).
  app.route('/', notifyReportRoutes);

  // Session and CSRF for every page.
  app.use('*', async (c, next) => {
    c.set('sessionToken', null);
    c.set('account', null);
    c.set('actor', null);
    c.set('identityProof', null);
    c.set('passwordSessionClosed', false);
    c.set('unreadNotices', 0);
    c.set('citizenUnreadNotices', 0);
    // API clients: a Bearer token acts as the account it was issued for; no cookies, so no CSRF.
    const bearer = c.req.path.startsWith('/api/') ? bearerToken(c.req.header('authorization')) : undefined;
    if (bearer) {
      // Unknown, revoked, expired or its account suspended: a typed 401 (api/authenticate-api-token.ts).
      const client = await authenticateApiToken(deps.db, bearer, deps.now());
      c.set('account', client.account);
      c.set('actor', {
        kind: 'api',
        clientId: client.clientId,
        accountId: client.account.id,
        label: `${client.account.username} (API ${client.clientId})`,
        meta: c.get('meta'),
      });
      c.set('csrfToken', '');
      return next();
    }
    const token = readCookie(c, SESSION_COOKIE);
    if (token) {
      const read = await readSession(deps.db, token, policy, deps.now(), deps.sessionCaches.officials);
      if (read?.kind === 'live') {
        const { row } = read;
        c.set('sessionToken', token);
        c.set('account', row.account);
        c.set('unreadNotices', row.unreadNotices);
        c.set('actor', { kind: 'official', accountId: row.account.id, label: row.account.username, meta: c.get('meta') });
        const { personId, method, loa } = row.session;
        if (personId && loa !== null && (method === 'vneid' || method === 'sso')) c.set('identityProof', { personId, method, loa });
      } else {
        // A password session from before its unit's VNeID-only cutoff: ended now, as every session ends, and the
        // official told why on the login page (web/http.ts requireLogin).
        if (read?.kind === 'closed') {
          await endClosedPasswordSession(deps.db, token, read.row.account, read.cutoff);
          c.set('passwordSessionClosed', true);
        }
        clearCookie(c, SESSION_COOKIE);
      }
    }
    let csrfCookie = readCookie(c, CSRF_COOKIE);
    if (!csrfCookie || csrfCookie.length < 20) {
      csrfCookie = crypto.randomBytes(24).toString('base64url');
      writeCookie(c, CSRF_COOKIE, csrfCookie);
    }
    // Bound to the official's session, or else to the portal's: a token from before a portal login or logout is void.
    const boundTo = c.get('sessionToken') ?? readCookie(c, PORTAL_COOKIE) ?? null;
    c.set('csrfToken', csrfToken(deps.config.sessionSecret, csrfCookie, boundTo));
    if (UNSAFE.has(c.req.method)) {
      if (!sameOrigin(deps.config.publicUrl, c.req.url, c.req.header('origin'), c.req.header('referer'))) {
        throw errors.csrf();
      }
      const ct = c.req.header('content-type') ?? '';
      let submitted = c.req.header('x-csrf-token');
      if (!submitted && (ct.startsWith('application/x-www-form-urlencoded') || ct.startsWith('multipart/form-data'))) {
        // Parsed once: the route reads the same form. An anonymous upload is refused here, unread.
        const v = (await readForm(c)).get('_csrf');
        submitted = typeof v === 'string' ? v : undefined;
      }
      if (!csrfTokenValid(deps.config.sessionSecret, readCookie(c, CSRF_COOKIE), boundTo, submitted)) {
        // Đăng xuất from a page whose session ended meanwhile (a time-out, the unit's cutoff): its token was bound to
        // that session, and there is nothing left to end — the login page, changing nothing.
        if (c.req.path === '/tiepnhan/dang-xuat' && c.get('sessionToken') === null)
          return c.redirect('/tiepnhan/dang-nhap?da-dang-xuat=1', 303);
        // Any other form of a page whose session ended meanwhile (the token was bound to it): Đăng nhập, which says
        // the form was not kept and comes back to its page — a redirect to a login page changes nothing.
        if (c.req.path.startsWith('/tiepnhan/') && c.get('sessionToken') === null && readCookie(c, SESSION_COOKIE))
          return toOfficialLogin(c);
        throw errors.csrf();
      }
    }
    await next();
  });

  // Prometheus, behind METRICS_TOKEN; otherwise the same 404 (and cookies) as any unknown address.
  app.route('/', metricsRoutes);
  app.route('/sso', ssoInteractionRoutes(sso));
  app.route('/', portalRoutes);
  app.route('/', citizenDossierRoutes);
  app.route('/', submissionRoutes);
  app.route('/', personalFileRoutes);
  app.route('/', myDataRoutes);
  app.route('/', portalNoticeRoutes);
  app.route('/', paymentRoutes);
  app.route('/', catalogRoutes);
  app.route('/tiepnhan', authRoutes);
  app.route('/tiepnhan', identityRoutes);
  app.route('/tiepnhan', linkRoutes);
  app.route('/tiepnhan', ownKeyRoutes);
  app.route('/tiepnhan', ownSessionRoutes);
  app.route('/tiepnhan', breakGlassEnrolRoutes);
  app.route('/tiepnhan', onestopRoutes);
  app.route('/tiepnhan', inboxRoutes);
  app.route('/tiepnhan', receptionRoutes);
  app.route('/tiepnhan', refundRoutes);
  app.route('/tiepnhan', dossierRoutes);
  app.route('/tiepnhan', delegationRoutes);
  app.route('/tiepnhan', officialNoticeRoutes);
  // Before the report page's routes: its downloads (.xlsx, .pdf) sit beside its address.
  app.route('/tiepnhan', statisticsExportRoutes);
  app.route('/tiepnhan', statisticsRoutes);
  app.route('/tiepnhan', serviceIndexRoutes);
  app.route('/api/v1', apiRoutes);
  // Quản lý người dùng → Khóa API of an account (api/key-routes.tsx), with its own login and administrator gates.
  app.route('/tiepnhan/quan-tri/nguoi-dung', adminKeyRoutes);
  app.route('/tiepnhan/quan-tri/nguoi-dung', adminUserRoutes);
  // Before the unit and procedure pages: their addresses sit under theirs.
  app.route(UNIT_IMPORT_PATH, unitImportRoutes);
  app.route(CATALOG_IMPORT_PATH, catalogImportRoutes);
  app.route('/tiepnhan/quan-tri/don-vi', adminUnitRoutes);
  app.route('/tiepnhan/quan-tri/nhat-ky', adminAuditRoutes);
  app.route('/tiepnhan/quan-tri/hang-doi', adminJobRoutes);
  app.route(NATIONAL_INTAKE_PATH, nationalIntakeRoutes);
  app.route('/tiepnhan/quan-tri/thong-bao', notificationFailureRoutes);
  app.route('/tiepnhan/quan-tri/ung-dung-sso', adminSsoClientRoutes);
  app.route('/tiepnhan/quan-tri/chuyen-doi-vneid', cutoverRoutes);
  app.route('/tiepnhan/quan-tri/lich-lam-viec', calendarRoutes);
  app.route('/tiepnhan/quan-tri/mau-thong-bao', notificationTemplateRoutes);
  app.route('/tiepnhan/quan-tri/thu-tuc', procedureRoutes);
  return app;
}
