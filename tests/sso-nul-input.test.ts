/**
 * A NUL in a client id, code or token sent to the provider's public endpoints is an unknown client or token, never a
 * 500 (PostgreSQL's text cannot hold a NUL and refused the parameter: adapter.ts read, clients.ts clientMetadata).
 * Found by an attacker review: anyone could fill the error log and its alerts without logging in.
 */
import { describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { ssoModels } from '../src/db/schema/index.js';
import { APP_CALLBACK, registerTestClient, type SsoServer, useSsoServer } from './support/sso.js';

let database: Database;
let server: SsoServer;

useSsoServer((d, s) => {
  database = d;
  server = s;
});

describe('a NUL byte in what an anonymous caller sends the provider', () => {
  it('is an unknown client or token at every endpoint, not a server error', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    const form = (body: Record<string, string>, auth?: string) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth ? { authorization: auth } : {}) },
      body: new URLSearchParams(body),
    });
    const q = new URLSearchParams({
      client_id: 'x\u0000y',
      redirect_uri: APP_CALLBACK,
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'a'.repeat(43),
      code_challenge_method: 'S256',
    });
    // Name, address, request, and the answer OAuth gives an unknown client or token (introspection: active false;
    // revocation of an unknown token: 200, RFC 7009 §2.2).
    const probes: Array<[string, string, RequestInit | undefined, number]> = [
      ['auth with client_id NUL', `${server.issuer}/auth?${q}`, undefined, 400],
      [
        'token with client_id NUL (post)',
        `${server.issuer}/token`,
        form({ grant_type: 'client_credentials', client_id: 'a\u0000', client_secret: 'x' }),
        401,
      ],
      ['token refresh NUL', `${server.issuer}/token`, form({ grant_type: 'refresh_token', refresh_token: 'abc\u0000def' }, basic), 400],
      [
        'token code NUL',
        `${server.issuer}/token`,
        form({ grant_type: 'authorization_code', code: 'abc\u0000def', redirect_uri: APP_CALLBACK, code_verifier: 'a'.repeat(43) }, basic),
        400,
      ],
      ['introspection NUL', `${server.issuer}/token/introspection`, form({ token: 'abc\u0000def' }, basic), 200],
      ['revocation NUL', `${server.issuer}/token/revocation`, form({ token: 'abc\u0000def' }, basic), 200],
      ['end session client_id NUL', `${server.issuer}/session/end?client_id=a%00b`, undefined, 400],
    ];
    for (const [name, url, init, expected] of probes) {
      const res = await fetch(url, { redirect: 'manual', ...init });
      expect(res.status, name).toBe(expected);
      if (name.startsWith('introspection')) expect(await res.json()).toEqual({ active: false });
    }
  });

  it('in state, nonce or login_hint of a registered client is invalid_request sent back to the application, not a 500', async () => {
    const { clientId } = await registerTestClient(database);
    for (const param of ['state', 'nonce', 'login_hint']) {
      const q = new URLSearchParams({
        client_id: clientId,
        redirect_uri: APP_CALLBACK,
        response_type: 'code',
        scope: 'openid',
        code_challenge: 'a'.repeat(43),
        code_challenge_method: 'S256',
        [param]: 'a\u0000b',
      });
      const res = await fetch(`${server.issuer}/auth?${q}`, { redirect: 'manual' });
      expect(res.status, param).toBeLessThan(500);
      const back = new URL(res.headers.get('location') ?? 'http://none/');
      expect(`${back.origin}${back.pathname}`, param).toBe(APP_CALLBACK);
      expect(back.searchParams.get('error'), param).toBe('invalid_request');
    }
    expect(await database.db.select().from(ssoModels)).toEqual([]);
  });
});
