/**
 * A relying party of one OpenID provider, on openid-client (certified): discovery, authorization
 * code with PKCE S256, state and nonce, the `iss` response parameter, ID-token signature against the
 * provider's keys, issuer, audience, expiry, and the ID token's times (see idTokenTimeProblem).
 * Failures become AppErrors with Vietnamese messages.
 */
import type * as Client from 'openid-client';
import type { OidcProviderConfig } from '../../config.js';
import { AppError } from '../../shared/errors.js';

export type RpOptions = { allowHttp: boolean; timeoutMs?: number; label: string };

export type AuthRequest = { url: URL; state: string; nonce: string; codeVerifier: string };

/**
 * How far the provider's clock may be ahead of ours, in seconds. openid-client is given the same
 * tolerance (its default) for its own checks of exp and nbf; its clock is ours (Date.now, no skew set).
 */
export const CLOCK_TOLERANCE_S = 30;
/** An ID token comes straight from the token endpoint: one issued longer ago than this is not fresh. */
const ID_TOKEN_MAX_AGE_S = 3600;

/**
 * What is wrong with an ID token's times, as the reason to audit, or null. openid-client checks that
 * iat is a number and that exp has not passed, but not that iat is not in the future, that exp comes
 * after iat, that iat is recent, or that auth_time is not in the future (authorization code flow).
 */
export function idTokenTimeProblem(
  claims: { iat: number; exp: number; auth_time?: number | undefined },
  nowS: number,
  toleranceS = CLOCK_TOLERANCE_S,
): { reason: string; detail: string } | null {
  const { iat, exp, auth_time: authTime } = claims;
  if (iat > nowS + toleranceS) return { reason: 'iat_in_future', detail: `iat=${iat} now=${nowS}` };
  if (exp <= iat) return { reason: 'exp_not_after_iat', detail: `iat=${iat} exp=${exp}` };
  if (iat < nowS - ID_TOKEN_MAX_AGE_S) return { reason: 'iat_too_old', detail: `iat=${iat} now=${nowS}` };
  if (authTime !== undefined && authTime > nowS + toleranceS)
    return { reason: 'auth_time_in_future', detail: `auth_time=${authTime} now=${nowS}` };
  return null;
}

/**
 * openid-client (and jose under it) loaded at the first login through a provider, not at start: about a tenth of an
 * instance's start went to importing them (docs/decisions/0029).
 */
let library: Promise<typeof Client> | null = null;
const openidClient = () => (library ??= import('openid-client'));

export class RelyingParty {
  private configPromise: Promise<Client.Configuration> | null = null;

  constructor(
    readonly settings: OidcProviderConfig,
    private readonly opts: RpOptions,
  ) {}

  unavailable(cause?: unknown) {
    const err = new AppError(
      'idp_unavailable',
      `${this.opts.label} đang bảo trì hoặc không kết nối được. Vui lòng thử lại sau ít phút.`,
      503,
    );
    if (cause) (err as Error & { cause?: unknown }).cause = cause;
    return err;
  }

  private async clientAuth(): Promise<Client.ClientAuth> {
    const client = await openidClient();
    const s = this.settings;
    if (s.clientAuth === 'client_secret_basic') return client.ClientSecretBasic(s.clientSecret);
    if (s.clientAuth === 'private_key_jwt') {
      const jwk = JSON.parse(s.clientKey!) as Record<string, unknown>;
      const { importJWK } = await import('jose');
      const key = await importJWK(jwk, String(jwk.alg ?? 'RS256'));
      return client.PrivateKeyJwt({ key: key as CryptoKey, kid: jwk.kid as string | undefined });
    }
    return client.ClientSecretPost(s.clientSecret);
  }

  /** Discovery once, retried after a failure. */
  configuration(): Promise<Client.Configuration> {
    if (!this.configPromise) {
      const timeoutMs = this.opts.timeoutMs ?? 10_000;
      this.configPromise = (async () => {
        const client = await openidClient();
        const auth = await this.clientAuth();
        const fetchWithTimeout: Client.CustomFetch = (url, init) =>
          fetch(url, { ...(init as RequestInit), signal: AbortSignal.timeout(timeoutMs) });
        const ep = this.settings.endpoints;
        const metadata: Partial<Client.ClientMetadata> = {
          id_token_signed_response_alg: 'RS256',
          [client.clockTolerance]: CLOCK_TOLERANCE_S,
        };
        let config: Client.Configuration;
        if (ep) {
          // A provider without discovery: the endpoints come from configuration.
          config = new client.Configuration(
            {
              issuer: this.settings.issuer,
              authorization_endpoint: ep.authorization,
              token_endpoint: ep.token,
              userinfo_endpoint: ep.userinfo,
              jwks_uri: ep.jwks,
              authorization_response_iss_parameter_supported: false,
            },
            this.settings.clientId,
            metadata,
            auth,
          );
          config[client.customFetch] = fetchWithTimeout;
          if (this.opts.allowHttp) client.allowInsecureRequests(config);
        } else {
          config = await client.discovery(new URL(this.settings.issuer), this.settings.clientId, metadata, auth, {
            [client.customFetch]: fetchWithTimeout,
            ...(this.opts.allowHttp ? { execute: [client.allowInsecureRequests] } : {}),
          });
        }
        // Check the ID token's signature against the provider's published keys, even though it
        // came straight from the token endpoint (the spec would allow skipping it; we do not).
        client.enableNonRepudiationChecks(config);
        return config;
      })().catch((err: unknown) => {
        this.configPromise = null;
        throw this.unavailable(err);
      });
    }
    return this.configPromise;
  }

  async authorizationRequest(redirectUri: string, acrValues: string): Promise<AuthRequest> {
    const config = await this.configuration();
    const client = await openidClient();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.settings.scope ?? 'openid',
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      acr_values: acrValues,
      // Always a fresh authentication: logging out here must not leave a provider session that lets
      // the next person at a shared counter PC straight back in.
      prompt: 'login',
    });
    return { url, state, nonce, codeVerifier };
  }

  /**
   * Exchange the code and check everything; returns the ID token's claims merged with userinfo
   * (userinfo must be about the same subject).
   */
  async complete(callbackUrl: URL, checks: { state: string; nonce: string; codeVerifier: string; redirectUri: string }) {
    const config = await this.configuration();
    const client = await openidClient();
    let tokens: Awaited<ReturnType<typeof Client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(
        config,
        callbackUrl,
        {
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          pkceCodeVerifier: checks.codeVerifier,
          idTokenExpected: true,
        },
        { redirect_uri: checks.redirectUri },
      );
    } catch (err) {
      throw this.classify(err);
    }
    const idClaims = tokens.claims();
    if (!idClaims) throw invalidResponse('no_id_token');
    // The same clock openid-client used for exp just now.
    const timeProblem = idTokenTimeProblem(idClaims, Math.floor(Date.now() / 1000));
    if (timeProblem) throw invalidResponse(timeProblem.reason, timeProblem.detail);
    let userinfo: Record<string, unknown> = {};
    try {
      userinfo = (await client.fetchUserInfo(config, tokens.access_token, idClaims.sub)) as Record<string, unknown>;
    } catch (err) {
      throw this.classify(err);
    }
    return { ...userinfo, ...idClaims } as Record<string, unknown> & { sub: string; acr?: string };
  }

  /** Network and server failures (anywhere in the cause chain) say "unavailable"; anything else is an invalid response. */
  private classify(err: unknown): AppError {
    if (err instanceof AppError) return err;
    for (
      let e = err as { name?: string; status?: number; cause?: unknown } | undefined, depth = 0;
      e && depth < 5;
      e = e.cause as typeof e, depth++
    ) {
      const serverError = typeof e.status === 'number' && e.status >= 500;
      if (
        serverError ||
        e.name === 'TimeoutError' ||
        e.name === 'AbortError' ||
        (e.name === 'TypeError' && /fetch/i.test(String((e as Error).message)))
      ) {
        return this.unavailable(err);
      }
    }
    const e = err as { name?: string; code?: string; message?: string };
    return invalidResponse(e.code ?? e.name ?? 'invalid', e.message);
  }
}

export function invalidResponse(reason: string, detail?: string) {
  const err = new AppError(
    'idp_invalid_response',
    'Phản hồi đăng nhập không hợp lệ, đã hết hạn hoặc đã được sử dụng. Vui lòng đăng nhập lại từ đầu.',
    400,
  );
  (err as AppError & { reason?: string; detail?: string }).reason = reason;
  (err as AppError & { reason?: string; detail?: string }).detail = detail;
  return err;
}
