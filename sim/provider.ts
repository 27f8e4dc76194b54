/**
 * The VNeID stand-in: a certified OpenID provider (oidc-provider) with the national portal's
 * claim names, LoA1/LoA2 as acr, PKCE required, and our own interaction screens.
 */
import crypto from 'node:crypto';
import Provider, { type ClientMetadata, type Configuration } from 'oidc-provider';
import { exportJWK, generateKeyPair } from 'jose';
import type { SimState } from './state.js';
import { CLAIM_NAMES, claimsFor } from './claims.js';
import { memoryAdapter } from './memory-adapter.js';

export type SimClient = {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  token_endpoint_auth_method?: 'client_secret_post' | 'client_secret_basic';
};

export async function createProvider(issuer: string, state: SimState, clients: SimClient[]) {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: crypto.randomUUID(), alg: 'RS256', use: 'sig' };
  const indexOf = new Map(state.population.map((p, i) => [p.techId, i]));

  const configuration: Configuration = {
    clients: clients.map(
      (c): ClientMetadata => ({
        ...c,
        token_endpoint_auth_method: c.token_endpoint_auth_method ?? 'client_secret_post',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        id_token_signed_response_alg: 'RS256',
      }),
    ),
    adapter: memoryAdapter(),
    jwks: { keys: [jwk as never] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    claims: { openid: CLAIM_NAMES },
    scopes: ['openid'],
    acrValues: ['LoA1', 'LoA2'],
    // The national portal puts its claims in the ID token as well as in userinfo.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false }, userinfo: { enabled: true } },
    responseTypes: ['code'],
    ttl: { AuthorizationCode: 60, IdToken: 300, AccessToken: 300, Interaction: 600, Session: 3600, Grant: 3600 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // First-party clients of the province: no consent screen.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid');
      grant.addOIDCClaims(CLAIM_NAMES);
      await grant.save();
      return grant;
    },
    async findAccount(_ctx, id) {
      const person = state.personByTechId(id);
      if (!person) return undefined;
      return { accountId: id, claims: () => claimsFor(person, indexOf.get(id) ?? 0) as never };
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Lỗi</title></head><body><h1>Không thể đăng nhập</h1><p>${String(out.error_description ?? out.error).replace(/[<>&"]/g, '')}</p></body></html>`;
    },
  };
  const provider = new Provider(issuer, configuration);
  provider.proxy = true;
  return provider;
}
