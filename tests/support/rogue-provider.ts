/**
 * A deliberately misbehaving OpenID provider for negative tests: it answers discovery, keys,
 * token and userinfo like a real one, but signs the ID token the way a test asks (wrong audience,
 * expired, alg none, foreign key, wrong nonce or issuer, issued in the future, expiring before it was issued,
 * issued long ago, authenticated in the future). The app must refuse each.
 */
import http from 'node:http';
import crypto from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { freePort } from './vneid.js';

export type RogueMode =
  | 'ok'
  | 'wrong_aud'
  | 'expired'
  | 'alg_none'
  | 'bad_signature'
  | 'wrong_nonce'
  | 'wrong_iss'
  | 'future_iat'
  | 'exp_before_iat'
  | 'stale_iat'
  | 'future_auth_time';

export async function startRogueProvider(clientId: string, claims: Record<string, unknown>) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const state = { mode: 'ok' as RogueMode, nonce: '', codesUsed: new Set<string>() };

  async function idToken(): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      ...claims,
      nonce: state.mode === 'wrong_nonce' ? 'not-the-nonce' : state.nonce,
      acr: claims.acr ?? 'LoA2',
      ...(state.mode === 'future_auth_time' ? { auth_time: now + 3600 } : {}),
    };
    // iat and exp of each mode: issued an hour ahead; expiring before it was issued (within the clock
    // skew, not yet expired); issued two hours ago yet still valid.
    const times: Partial<Record<RogueMode, [number, number]>> = {
      expired: [now - 7200, now - 3600],
      future_iat: [now + 3600, now + 3900],
      exp_before_iat: [now + 10, now + 5],
      stale_iat: [now - 7200, now + 3600],
    };
    const [iat, exp] = times[state.mode] ?? [now, now + 300];
    const jwt = new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(state.mode === 'wrong_iss' ? 'https://evil.example' : issuer)
      .setSubject(String(claims.sub))
      .setAudience(state.mode === 'wrong_aud' ? 'another-client' : clientId)
      .setIssuedAt(iat)
      .setExpirationTime(exp);
    if (state.mode === 'bad_signature') return jwt.sign(other.privateKey);
    if (state.mode === 'alg_none') {
      const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const body = { ...payload, iss: issuer, sub: String(claims.sub), aud: clientId, iat: now, exp: now + 300 };
      return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(body)}.`;
    }
    return jwt.sign(privateKey);
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        userinfo_endpoint: `${issuer}/userinfo`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post'],
        authorization_response_iss_parameter_supported: true,
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const code = new URLSearchParams(body).get('code') ?? '';
      // A real provider refuses a code the second time; so does this one.
      if (state.codesUsed.has(code)) return json(400, { error: 'invalid_grant', error_description: 'code already used' });
      state.codesUsed.add(code);
      return json(200, { access_token: crypto.randomUUID(), token_type: 'Bearer', expires_in: 300, id_token: await idToken() });
    }
    if (url.pathname === '/userinfo') return json(200, claims);
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return {
    issuer,
    state,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
