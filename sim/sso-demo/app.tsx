/**
 * THE SSO DEMO APPLICATION (`npm run sso:demo-client`): a small separate web application of the province that logs
 * its users in through the provincial SSO (the one-stop system's provider at PUBLIC_URL/sso), as any of the
 * province's applications would: openid-client for discovery, the authorization code with PKCE S256 (a public
 * client: no secret), the token and userinfo endpoints; it shows the claims it received, logs out by RP-initiated
 * logout (end_session with id_token_hint and post_logout_redirect_uri), and takes back-channel logout tokens from
 * the provider (verified against its JWKS: iss, aud, typ, events, sid, no nonce) to end its own session of that sid.
 *
 * It is a stand-in outside the product, for demonstrations and the browser test of the walk-through: its sessions
 * and logins in progress are kept in this process's memory (ONLY acceptable here: a real application keeps them
 * where all its instances see them), and it has its own origin (port) and its own cookie names.
 */
import crypto from 'node:crypto';
import { Hono, type Context } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';

export type SsoDemoOptions = {
  /** The provider, e.g. http://localhost:3000/sso. */
  issuer: string;
  clientId: string;
  /** This application's own address, e.g. http://localhost:3100 (the redirect URIs registered are under it). */
  url: string;
};

/** Its own cookie names: a browser shares cookies between ports of one host (the one-stop system's are others). */
const SESSION_COOKIE = 'sso_demo_session';
const LOGIN_COOKIE = 'sso_demo_login';
const SCOPE = 'openid profile official citizen';
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const LOGIN_TTL_MS = 10 * 60_000;

type DemoSession = { sid: string | null; sub: string; idToken: string; claims: Record<string, unknown> };
type PendingLogin = { state: string; nonce: string; codeVerifier: string; at: number };

/** The claims shown, in order, with their Vietnamese labels (the claim's own name beside it). */
const CLAIM_LABELS: Array<[string, string]> = [
  ['sub', 'Định danh người dùng'],
  ['name', 'Họ và tên'],
  ['acr', 'Mức độ xác thực'],
  ['username', 'Tên tài khoản cán bộ'],
  ['unit_code', 'Mã đơn vị'],
  ['unit_name', 'Đơn vị'],
  ['unit_path', 'Thuộc'],
  ['roles', 'Vai trò'],
  ['citizen_type', 'Loại tài khoản công dân'],
  ['tax_code', 'Mã số thuế'],
  ['auth_time', 'Thời điểm đăng nhập'],
  ['sid', 'Phiên đăng nhập tập trung'],
];

function claimText(key: string, v: unknown): string {
  if (key === 'acr')
    return typeof v === 'string' ? `${v} (định danh điện tử mức độ ${v.replace(/^LoA/, '')})` : 'Không có (không đăng nhập bằng VNeID)';
  if (key === 'unit_path' && Array.isArray(v)) return v.join(' › ');
  if (key === 'roles' && Array.isArray(v))
    return (
      v.map((r: { role?: string; unit_code?: string | null }) => `${r.role ?? ''}${r.unit_code ? ` (${r.unit_code})` : ''}`).join(', ') ||
      'Không có'
    );
  if (v === null || v === undefined || v === '') return 'Không có';
  if (key === 'citizen_type') return v === 'organisation' ? 'Tổ chức, doanh nghiệp' : 'Cá nhân';
  if (key === 'auth_time' && typeof v === 'number') return new Date(v * 1000).toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' });
  return typeof v === 'string' ? v : JSON.stringify(v);
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,"Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a;background:#f5f6f8;line-height:1.5}
header{background:#0b4f8a;color:#fff;padding:.75rem 1rem}
header p{margin:0;font-weight:600}
main{max-width:48rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.5rem 0 1rem}
.box{background:#fff;border:1px solid #ccd2da;border-radius:6px;padding:1rem;margin-bottom:1rem}
.button{display:inline-block;background:#0b4f8a;color:#fff;border:0;border-radius:4px;padding:.6rem 1rem;font-size:1rem;text-decoration:none;cursor:pointer;max-width:100%}
.button:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
table{width:100%;border-collapse:collapse;table-layout:fixed}
th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;border-bottom:1px solid #e1e5ea;overflow-wrap:anywhere}
th{width:40%;font-weight:600}
code{font-size:.85em;color:#374151}
.info{background:#e7f3e8;border:1px solid #8bc28f;padding:.5rem .75rem;border-radius:4px}
`;

function Page(p: { title: string; children: Child }) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="vi">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{p.title} — Ứng dụng minh họa</title>
          <style>{raw(STYLE)}</style>
        </head>
        <body>
          <header>
            <p>Ứng dụng minh họa đăng nhập tập trung</p>
          </header>
          <main>{p.children}</main>
        </body>
      </html>
    </>
  );
}

const refused = (c: Context, message: string) =>
  c.html(
    <Page title="Không đăng nhập được">
      <h1>Không đăng nhập được</h1>
      <p role="alert">{message}</p>
      <a class="button" href="/">
        Về trang chủ
      </a>
    </Page>,
    400,
  );

export function ssoDemoApp(opts: SsoDemoOptions) {
  const sessions = new Map<string, DemoSession>();
  const pending = new Map<string, PendingLogin>();
  const allowHttp = new URL(opts.issuer).protocol === 'http:';
  const secure = new URL(opts.url).protocol === 'https:';

  // Discovery when first needed: the provider may start after this application.
  let configPromise: Promise<oidc.Configuration> | null = null;
  const configuration = () => {
    configPromise ??= oidc
      .discovery(new URL(opts.issuer), opts.clientId, { id_token_signed_response_alg: 'RS256' }, oidc.None(), {
        ...(allowHttp ? { execute: [oidc.allowInsecureRequests] } : {}),
      })
      .catch((err: unknown) => {
        configPromise = null;
        throw err;
      });
    return configPromise;
  };
  let jwks: ReturnType<typeof createRemoteJWKSet> | null = null;
  const keys = async () => {
    const meta = (await configuration()).serverMetadata();
    jwks ??= createRemoteJWKSet(new URL(meta.jwks_uri!));
    return { jwks, issuer: meta.issuer };
  };

  const cookie = (c: Context, name: string, value: string, maxAge: number) =>
    setCookie(c, name, value, { httpOnly: true, sameSite: 'Lax', path: '/', secure, maxAge });
  const current = (c: Context) => {
    const id = getCookie(c, SESSION_COOKIE);
    return id ? (sessions.get(id) ?? null) : null;
  };

  const app = new Hono();
  app.use(async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'same-origin');
  });

  app.get('/', (c) => {
    const s = current(c);
    if (!s) {
      const loggedOut = c.req.query('da-dang-xuat') !== undefined;
      return c.html(
        <Page title="Trang chủ">
          <h1>Ứng dụng minh họa</h1>
          {loggedOut ? (
            <p class="info" role="status">
              Bạn đã đăng xuất.
            </p>
          ) : null}
          <div class="box">
            <p>Bạn chưa đăng nhập. Ứng dụng này dùng chung tài khoản với Hệ thống xác thực tập trung của tỉnh.</p>
            <a class="button" href="/dang-nhap">
              Đăng nhập bằng Hệ thống xác thực tập trung
            </a>
          </div>
        </Page>,
      );
    }
    const rows = CLAIM_LABELS.filter(([k]) => k === 'acr' || s.claims[k] !== undefined);
    return c.html(
      <Page title="Đã đăng nhập">
        <h1>Xin chào, {String(s.claims.name ?? s.sub)}</h1>
        <div class="box">
          <table>
            <caption style="text-align:left;font-weight:600;padding-bottom:.5rem">
              Thông tin nhận được từ Hệ thống xác thực tập trung
            </caption>
            <tbody>
              {rows.map(([key, label]) => (
                <tr data-claim={key}>
                  <th scope="row">
                    {label} <code>{key}</code>
                  </th>
                  <td>{claimText(key, s.claims[key])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <form method="post" action="/dang-xuat">
          <button class="button" type="submit">
            Đăng xuất
          </button>
        </form>
      </Page>,
    );
  });

  app.get('/dang-nhap', async (c) => {
    const config = await configuration();
    const login: PendingLogin = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
      at: Date.now(),
    };
    for (const [k, v] of pending) if (Date.now() - v.at > LOGIN_TTL_MS) pending.delete(k);
    const key = crypto.randomBytes(32).toString('base64url');
    pending.set(key, login);
    cookie(c, LOGIN_COOKIE, key, LOGIN_TTL_MS / 1000);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${opts.url}/callback`,
      scope: SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(login.codeVerifier),
      code_challenge_method: 'S256',
      state: login.state,
      nonce: login.nonce,
      acr_values: 'LoA2 LoA1',
    });
    return c.redirect(url.href, 303);
  });

  app.get('/callback', async (c) => {
    const key = getCookie(c, LOGIN_COOKIE);
    const login = key ? pending.get(key) : undefined;
    if (key) pending.delete(key);
    deleteCookie(c, LOGIN_COOKIE, { path: '/' });
    const error = c.req.query('error');
    if (!login || error) {
      return refused(
        c,
        error === 'access_denied'
          ? 'Hệ thống xác thực tập trung không cho phép tài khoản này vào ứng dụng.'
          : 'Phản hồi đăng nhập không hợp lệ hoặc đã hết hạn.',
      );
    }
    const config = await configuration();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    let userinfo: oidc.UserInfoResponse;
    try {
      tokens = await oidc.authorizationCodeGrant(config, new URL(c.req.url, opts.url), {
        expectedState: login.state,
        expectedNonce: login.nonce,
        pkceCodeVerifier: login.codeVerifier,
        idTokenExpected: true,
      });
      userinfo = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    } catch {
      return refused(c, 'Phản hồi đăng nhập không hợp lệ hoặc đã hết hạn.');
    }
    const idClaims = tokens.claims()!;
    const id = crypto.randomBytes(32).toString('base64url');
    sessions.set(id, {
      sid: typeof idClaims.sid === 'string' ? idClaims.sid : null,
      sub: idClaims.sub,
      idToken: tokens.id_token!,
      claims: { ...userinfo, ...idClaims },
    });
    cookie(c, SESSION_COOKIE, id, 8 * 3600);
    return c.redirect('/', 303);
  });

  app.post('/dang-xuat', async (c) => {
    // A form of this origin only (the session cookie is SameSite=Lax; this refuses a cross-site POST as well).
    if (c.req.header('origin') !== new URL(opts.url).origin) return c.text('Yêu cầu không hợp lệ.', 403);
    const id = getCookie(c, SESSION_COOKIE);
    const s = id ? sessions.get(id) : undefined;
    if (id) sessions.delete(id);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    if (!s) return c.redirect('/?da-dang-xuat=1', 303);
    const end = oidc.buildEndSessionUrl(await configuration(), {
      id_token_hint: s.idToken,
      post_logout_redirect_uri: `${opts.url}/`,
    });
    return c.redirect(end.href, 303);
  });

  // OpenID Connect Back-Channel Logout 1.0 §2.6: verify the logout token, end this application's sessions of its sid.
  app.post('/backchannel-logout', async (c) => {
    const body = await c.req.parseBody();
    const token = typeof body.logout_token === 'string' ? body.logout_token : '';
    try {
      const { jwks, issuer } = await keys();
      const { payload } = await jwtVerify(token, jwks, {
        issuer,
        audience: opts.clientId,
        typ: 'logout+jwt',
        algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
        requiredClaims: ['iat', 'jti', 'events'],
        maxTokenAge: '5m',
      });
      const events = payload.events as Record<string, unknown> | undefined;
      if (!events || typeof events[BACKCHANNEL_EVENT] !== 'object') throw new Error('no back-channel logout event');
      if ('nonce' in payload) throw new Error('a logout token carries no nonce');
      if (typeof payload.sid !== 'string') throw new Error('no sid');
      for (const [k, s] of sessions) if (s.sid === payload.sid && (!payload.sub || s.sub === payload.sub)) sessions.delete(k);
    } catch {
      c.header('Cache-Control', 'no-store');
      return c.json({ error: 'invalid_request' }, 400);
    }
    c.header('Cache-Control', 'no-store');
    return c.body(null, 200);
  });

  return { app, sessionCount: () => sessions.size };
}
