/**
 * The two halves of a login at an OpenID provider, shared by officials (VNeID, SSO) and citizens:
 * start (store state/nonce/PKCE, redirect) and callback (take the transaction once, check the
 * response, map the claims). Every failure is audited and ends as an AppError; nothing is created.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { recordAudit } from '../../audit/record.js';
import { AppError } from '../../shared/errors.js';
import type { AppEnv } from '../../web/env.js';
import { queryOf } from '../../web/params.js';
import { param } from '../../shared/validate.js';
import { safeRedirect } from '../../web/safe-redirect.js';
import { clearCookie, readCookie, writeCookie } from '../../web/cookies.js';
import { newToken, tokenHash } from '../sessions.js';

/**
 * Names the browser that started a login at a provider (see startLogin), one per provider: a login at the provincial
 * SSO may wait while the browser logs in with VNeID at the SSO's own login step (the built-in provider's login page).
 */
const browserCookie = (provider: ProviderKey) => (provider === 'vneid' ? 'motcua_oidc' : `motcua_oidc_${provider}`);
import { isReadableSubject, mapClaims, type ExternalIdentity } from './claims.js';
import { invalidResponse, type RelyingParty } from './relying-party.js';
import { saveTransaction, takeTransaction, type ProviderKey, type Purpose } from './transactions.js';

function callbackPath(provider: ProviderKey, purpose: Purpose) {
  return purpose === 'official' ? `/tiepnhan/dang-nhap/${provider}/callback` : `/dang-nhap/${provider}/callback`;
}

/** Start a login at the provider; `returnTo` (where to land afterwards) is kept only if it is a safe path of the purpose's area. */
export async function startLogin(c: Context<AppEnv>, rp: RelyingParty, provider: ProviderKey, purpose: Purpose, returnTo: string | null) {
  const deps = c.get('deps');
  const redirectUri = `${deps.config.publicUrl}${callbackPath(provider, purpose)}`;
  // Officials ask for the level they need; citizens take what they have.
  const acr = purpose === 'official' && rp.settings.minLoa === 2 ? rp.settings.acrValues[1] : rp.settings.acrValues.join(' ');
  let req: Awaited<ReturnType<typeof rp.authorizationRequest>>;
  try {
    req = await rp.authorizationRequest(redirectUri, acr);
  } catch (err) {
    await auditFailure(c, provider, purpose, err instanceof AppError ? err.code : 'unavailable');
    throw err;
  }
  // The callback must come back to this browser: a response started elsewhere (an attacker's own login,
  // sent to a victim as a link) would otherwise log the victim into the attacker's account.
  const browser = newToken();
  await saveTransaction(deps.db, provider, purpose, req, safeRedirect(returnTo, purpose), tokenHash(browser), deps.now());
  writeCookie(c, browserCookie(provider), browser, 10 * 60);
  return c.redirect(req.url.toString(), 303);
}

async function auditFailure(c: Context<AppEnv>, provider: ProviderKey, purpose: Purpose, reason: string, detail?: string) {
  await c.get('deps').db.transaction((tx) =>
    recordAudit(tx, {
      action: purpose === 'official' ? 'auth.login_failed' : 'portal.login_failed',
      actor: { kind: 'anonymous', id: null, label: null, meta: c.get('meta') },
      data: { method: provider, reason, ...(detail ? { detail: detail.slice(0, 300) } : {}) },
    }),
  );
}

/** What the callback reads itself (the rest of the response is checked by openid-client on the whole address). */
const CallbackQuery = z.object({
  state: param.text(200, 'Phản hồi đăng nhập không hợp lệ.'),
  error: param.text(200, 'Phản hồi đăng nhập không hợp lệ.'),
  error_description: param.text(1000, 'Phản hồi đăng nhập không hợp lệ.'),
});

/** Check the callback and return who logged in, with where to go next (the stored target, checked again). */
/** The error codes of RFC 6749 §4.1.2.1 and OpenID Connect Core §3.1.2.6, the only ones the audit keeps. */
const OAUTH_ERRORS = new Set([
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
  'interaction_required',
  'login_required',
  'account_selection_required',
  'consent_required',
  'invalid_request_uri',
  'invalid_request_object',
  'request_not_supported',
  'request_uri_not_supported',
  'registration_not_supported',
]);

export async function finishLogin(
  c: Context<AppEnv>,
  rp: RelyingParty,
  provider: ProviderKey,
  purpose: Purpose,
): Promise<{ identity: ExternalIdentity; claims: Record<string, unknown>; returnTo: string }> {
  const deps = c.get('deps');
  const q = queryOf(c, CallbackQuery);
  const state = q.state ?? '';
  // The state is consumed first: whatever follows, this response cannot be used again.
  const tx = state ? await takeTransaction(deps.db, state, provider, purpose, deps.now()) : null;
  if (q.error) {
    const cancelled = q.error === 'access_denied';
    // Only for a login this site started (a known state), and only a known error code: anyone can call this
    // address, and the audit log can be neither flooded nor given free text (it cannot be erased).
    const code = OAUTH_ERRORS.has(q.error) ? q.error : 'other';
    if (tx) await auditFailure(c, provider, purpose, cancelled ? 'cancelled' : `provider_error:${code}`);
    throw cancelled
      ? new AppError('idp_cancelled', 'Bạn đã hủy đăng nhập. Bạn có thể đăng nhập lại bất cứ lúc nào.', 400)
      : q.error === 'temporarily_unavailable' || q.error === 'server_error'
        ? rp.unavailable()
        : invalidResponse(q.error);
  }
  // An unknown state is not a login of ours: nothing to audit (anyone can send one).
  if (!tx) throw invalidResponse('unknown_state');
  const browser = readCookie(c, browserCookie(provider));
  clearCookie(c, browserCookie(provider));
  if (!browser || !tx.browserHash || tokenHash(browser) !== tx.browserHash) {
    await auditFailure(c, provider, purpose, 'other_browser');
    throw invalidResponse('other_browser');
  }
  const callbackUrl = new URL(`${deps.config.publicUrl}${callbackPath(provider, purpose)}${new URL(c.req.url).search}`);
  let claims: Awaited<ReturnType<typeof rp.complete>>;
  try {
    claims = await rp.complete(callbackUrl, { ...tx, redirectUri: `${deps.config.publicUrl}${callbackPath(provider, purpose)}` });
  } catch (err) {
    const e = err as AppError & { reason?: string; detail?: string };
    await auditFailure(c, provider, purpose, e.reason ?? e.code ?? 'error', e.detail);
    throw err;
  }
  if (!isReadableSubject(claims.sub)) {
    await auditFailure(c, provider, purpose, 'unreadable_subject');
    throw invalidResponse('unreadable_subject');
  }
  return { identity: mapClaims(rp.settings.claims, claims, rp.settings.acrValues), claims, returnTo: safeRedirect(tx.returnTo, purpose) };
}
