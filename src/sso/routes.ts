/**
 * /sso on the application's HTTP server.
 *
 * ssoProviderRoutes: everything but the interaction goes to oidc-provider (a Koa application) on the raw Node
 * request and response that @hono/node-server hands over in c.env; the provider answers on them itself, so the
 * route returns RESPONSE_ALREADY_SENT. It is mounted before the session and CSRF middleware: the provider has
 * its own cookies, and its POSTs (token, logout) come from applications and carry their own protections.
 *
 * ssoInteractionRoutes: the provider's login step, after the session middleware. An official's session (or a
 * citizen's portal session) finishes it at once; otherwise the browser goes to the existing login page, which
 * comes back here. An official whose VNeID login proved a person with several accounts first chooses the one the
 * application receives (Chọn tài khoản, POSTed back here). Parse → call finishSsoLogin → redirect.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Hono, type Context } from 'hono';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { matchedRoutes } from 'hono/route';
import type { AppEnv } from '../web/env.js';
import { AppError, errors } from '../shared/errors.js';
import { isId } from '../shared/validate.js';
import { switchableAccounts } from '../auth/person-accounts.js';
import { formData, pageProps, passwordChangeDue } from '../web/http.js';
import { rawSecurityHeaders } from '../web/security-headers.js';
import { ChooseAccountPage } from './choose-account-page.js';
import { citizenActor } from '../shared/context.js';
import { currentCitizen, PORTAL_COOKIE } from '../portal/citizen-context.js';
import { readCookie } from '../web/cookies.js';
import { finishSsoLogin, type SsoBrowserSubject } from './finish-login.js';
import type { SsoProvider } from './provider.js';
import { withProviderRequest } from './provider-request.js';
import { sendHtml } from '../web/send-html.js';

const MOUNT = '/sso';
const INTERACTION = `${MOUNT}/interaction/`;

type NodeBindings = { incoming?: IncomingMessage & { originalUrl?: string }; outgoing?: ServerResponse };

function nodeOf(c: Context<AppEnv>) {
  const env = c.env as NodeBindings | undefined;
  if (!env?.incoming || !env.outgoing)
    throw new AppError('sso_unavailable', 'Hệ thống xác thực tập trung chỉ chạy trên máy chủ HTTP.', 503);
  return { req: env.incoming, res: env.outgoing };
}

/** oidc-provider's endpoints (its default routes): the request log and metrics name them, not "/sso/*". */
const ENDPOINTS = [
  '/.well-known/openid-configuration',
  '/jwks',
  '/auth',
  '/auth/:uid',
  '/token',
  '/token/introspection',
  '/token/revocation',
  '/me',
  '/session/end',
  '/session/end/confirm',
  '/session/end/success',
];
const METHODS = ['GET', 'POST', 'OPTIONS', 'PUT', 'PATCH', 'DELETE'];

export function ssoProviderRoutes(sso: SsoProvider) {
  const app = new Hono<AppEnv>();
  const handlers = new WeakMap<object, (req: IncomingMessage, res: ServerResponse) => Promise<void>>();
  const answer = async (c: Context<AppEnv>) => {
    const { req, res } = nodeOf(c);
    const provider = await sso.get();
    // The app's security headers (the middleware cannot reach this raw response); the provider may replace them.
    for (const [name, value] of rawSecurityHeaders(c.get('deps').config.secureCookies)) res.setHeader(name, value);
    // As Express mounts an application: the provider routes on the rest, and finds its mount path in originalUrl.
    req.originalUrl = req.url;
    req.url = (req.url ?? '/').slice(MOUNT.length) || '/';
    let handle = handlers.get(provider);
    if (!handle) {
      // Koa composes its middleware on every callback(): once per provider (it is rebuilt when the keys change).
      handle = provider.callback();
      handlers.set(provider, handle);
    }
    const { db, now, logger } = c.get('deps');
    await withProviderRequest(db, () => handle!(req, res), { now, logger });
    return RESPONSE_ALREADY_SENT;
  };
  // Anything else under /sso goes to the provider too (its 404), unless a route registered later answers it: an
  // endpoint below, or the login step (ssoInteractionRoutes, after the session middleware).
  app.on(METHODS, '/*', (c, next) => {
    const routes = matchedRoutes(c).filter((r) => r.method !== 'ALL');
    return routes[routes.length - 1]?.path === `${MOUNT}/*` ? answer(c) : next();
  });
  app.on(METHODS, ENDPOINTS, answer);
  return app;
}

const expired = () =>
  new AppError('sso_interaction_expired', 'Phiên đăng nhập đã hết hạn. Vui lòng mở lại ứng dụng và đăng nhập lại.', 400);

export function ssoInteractionRoutes(sso: SsoProvider) {
  const app = new Hono<AppEnv>();

  /** The provider's interaction of this browser, the subject of its session, or the login page to get one. */
  async function step(c: Context<AppEnv>) {
    const { req, res } = nodeOf(c);
    const provider = await sso.get();
    // No interaction cookie, or the interaction expired or was finished: a clear page, not a 500.
    // The provider is built, so its module is loaded: this import costs nothing.
    const { errors: oidcErrors } = await import('oidc-provider');
    const details = await provider.interactionDetails(req, res).catch((err: unknown) => {
      if (err instanceof oidcErrors.SessionNotFound) return null;
      throw err;
    });
    if (!details || details.uid !== c.req.param('uid')) throw expired();
    const here = `${INTERACTION}${details.uid}`;
    const subject = await browserSubject(c);
    // A session on a temporary password is held at Đổi mật khẩu on every page of the one-stop system; an application
    // is no way round it. After the change the login goes on here.
    if (subject?.kind === 'official' && passwordChangeDue(c)) {
      return { held: `/tiepnhan/doi-mat-khau?tiep=${encodeURIComponent(here)}` } as const;
    }
    // Citizens log in on the portal; everyone else at the one-stop system's login page.
    const scopes = String(details.params.scope ?? '').split(' ');
    const citizenApp = scopes.includes('citizen') && !scopes.includes('official');
    // An application that accepts only VNeID level 2 (acr_values=LoA2, as the one-stop system asks of an SSO): the
    // officials' login page offers VNeID alone — a password login would give it no acr, and it would refuse.
    const acrs = String(details.params.acr_values ?? '')
      .split(' ')
      .filter(Boolean);
    const vneidOnly = !citizenApp && acrs.length > 0 && acrs.every((acr) => acr === 'LoA2');
    const login = `${citizenApp ? '/dang-nhap' : '/tiepnhan/dang-nhap'}?tiep=${encodeURIComponent(here)}${vneidOnly ? '&chi-vneid=1' : ''}`;
    const finish = async (chosenAccountId?: string) => {
      const maxAge = details.params.max_age === undefined ? undefined : Number(details.params.max_age);
      const result = await finishSsoLogin(c.get('deps').db, String(details.params.client_id ?? ''), subject!, {
        interactionStartedAt: new Date((details.iat ?? 0) * 1000),
        forceLogin: details.prompt.reasons.includes('login_prompt'),
        maxAge: Number.isFinite(maxAge) ? maxAge : undefined,
        now: c.get('deps').now(),
        chosenAccountId,
      });
      // A login answers the consent prompt too (the grant is then made by loadExistingGrant in provider.ts, with the
      // scopes the registry allows): with prompt=consent oidc-provider would otherwise ask for a consent this provider
      // never shows, and send the browser round the login step for ever — any site could start that loop.
      const consent = 'login' in result ? { consent: {} } : {};
      const returnTo = await provider.interactionResult(req, res, { ...result, ...consent }, { mergeWithLastSubmission: false });
      return c.redirect(returnTo, 303);
    };
    return { provider, details, here, subject, login, finish };
  }

  app.get('/interaction/:uid', async (c) => {
    const s = await step(c);
    if (s.held !== undefined) return c.redirect(s.held, 303);
    const { provider, details, here, subject, login, finish } = s;
    if (!subject) return c.redirect(login, 303);
    const proof = c.get('identityProof');
    if (subject.kind === 'official' && proof) {
      const others = await switchableAccounts(c.get('deps').db, proof, subject.actor.accountId);
      if (others.length > 0) {
        const own = c.get('account')!;
        const client = await provider.Client.find(String(details.params.client_id ?? ''));
        return sendHtml(
          c,
          ChooseAccountPage({
            props: await pageProps(c),
            action: here,
            clientName: client?.clientName ?? String(details.params.client_id ?? ''),
            accounts: [
              { id: own.id, username: own.username, middleName: own.middleName, givenName: own.givenName, position: own.position },
              ...others,
            ],
          }),
        );
      }
    }
    return finish();
  });

  // Chọn tài khoản submitted (CSRF checked by the session middleware).
  app.post('/interaction/:uid', async (c) => {
    const s = await step(c);
    if (s.held !== undefined) return c.redirect(s.held, 303);
    const { subject, login, finish } = s;
    if (!subject) return c.redirect(login, 303);
    const chosen = (await formData(c)).taiKhoan;
    if (!isId(chosen)) throw errors.notFound('Tài khoản');
    return finish(chosen);
  });
  return app;
}

async function browserSubject(c: Context<AppEnv>): Promise<SsoBrowserSubject | null> {
  const actor = c.get('actor');
  const token = c.get('sessionToken');
  if (actor?.kind === 'official' && token)
    return {
      kind: 'official',
      actor,
      loa: c.get('identityProof')?.loa ?? null,
      personId: c.get('identityProof')?.personId ?? null,
      sessionToken: token,
    };
  const citizen = await currentCitizen(c);
  const portalToken = readCookie(c, PORTAL_COOKIE);
  return citizen && portalToken
    ? { kind: 'citizen', actor: citizenActor(citizen.id, c.get('meta')), loa: citizen.loa, sessionToken: portalToken }
    : null;
}
