/**
 * The reference row of `npm run bench:sso` (`--only ceiling`): oidc-provider ALONE on this machine — the same library
 * and version, the same options that cost (PKCE, rotating refresh tokens, RS256 ID tokens with a 2048-bit key, a
 * confidential client with client_secret_basic), its own in-memory adapter, a findAccount that reads nothing, on a bare
 * node:http server — refreshed by the same HTTP client at the same concurrency as row (a). No database, no hooks, no
 * app: what the certified library itself serves here is the ceiling of any provider built on it, and the issue's
 * figure can be read against it (docs/decisions/0033, "the library's own ceiling").
 *
 * Not a provider of ours: nothing of src/sso runs here (the in-memory adapter is the one MotCua must not use: several
 * instances share one database).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { LoadResult } from './load.js';

const CLIENT = { id: 'ceiling', secret: 'ceiling-secret-not-used-anywhere-else' };
const SCOPE = 'openid profile offline_access';

/** The refresh loop of row (a), in a worker thread (the clients do not share the provider's event loop). */
const WORKER = `
const { parentPort, workerData: o } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const { Connection } = require(o.rawHttp);
(async () => {
  const basic = 'Basic ' + Buffer.from(o.clientId + ':' + o.clientSecret).toString('base64');
  const chains = o.chains.slice();
  const conns = chains.map(() => new Connection('127.0.0.1', o.port));
  const refresh = async (k) => {
    const res = await conns[k].request('POST', '/token', { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      'grant_type=refresh_token&refresh_token=' + chains[k]);
    if (res.status !== 200) throw new Error('token: ' + res.status + ' ' + res.body.slice(0, 200));
    chains[k] = JSON.parse(res.body).refresh_token;
  };
  let w = 0;
  await Promise.all(chains.map(async (_, k) => { while (w < o.warmup) { w++; await refresh(k); } }));
  const latencies = [], errs = { n: 0, first: undefined };
  let next = 0;
  const start = performance.now();
  await Promise.all(chains.map(async (_, k) => {
    for (;;) {
      if (next++ >= o.requests || performance.now() - start > o.maxMs) return;
      const t0 = performance.now();
      try { await refresh(k); latencies.push(performance.now() - t0); }
      catch (e) { errs.n++; errs.first ??= String(e && e.message || e); }
    }
  }));
  parentPort.postMessage({ latencies, errors: errs.n, firstError: errs.first, elapsedMs: performance.now() - start, bytes: 0 });
})().catch((e) => parentPort.postMessage({ fatal: String(e && e.stack || e) }));
`;

export async function ceilingRun(o: { concurrency: number; requests: number; warmup: number; seconds: number; rawHttp: string }) {
  const [{ default: Provider }, jose] = await Promise.all([import('oidc-provider'), import('jose')]);
  const { privateKey } = await jose.generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = { ...(await jose.exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'ceiling' };
  const provider = new Provider('http://127.0.0.1/', {
    jwks: { keys: [jwk] },
    clients: [
      {
        client_id: CLIENT.id,
        client_secret: CLIENT.secret,
        redirect_uris: ['https://ceiling.invalid/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    rotateRefreshToken: true,
    issueRefreshToken: async () => true,
    scopes: SCOPE.split(' '),
    claims: { openid: ['sub'], profile: ['name'] },
    features: { devInteractions: { enabled: false }, userinfo: { enabled: true } },
    ttl: { AccessToken: 600, IdToken: 600, RefreshToken: 43_200, Grant: 43_200 },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, name: 'Người dùng đo tải' }) }),
  });
  const server = http.createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    // One refresh chain per client, as row (a) has: a grant and a refresh token minted through the models.
    const client = await provider.Client.find(CLIENT.id);
    const now = Math.floor(Date.now() / 1000);
    const chains: string[] = [];
    for (let k = 0; k < o.concurrency; k++) {
      const grant = new provider.Grant({ clientId: CLIENT.id, accountId: `account-${k}` });
      grant.addOIDCScope(SCOPE);
      const grantId = await grant.save();
      const token = new provider.RefreshToken({
        client: client!,
        accountId: `account-${k}`,
        grantId,
        scope: SCOPE,
        gty: 'authorization_code',
        authTime: now,
        iiat: now,
        sessionUid: `session-${k}`,
        expiresWithSession: false,
      });
      chains.push(await token.save());
    }
    const started = performance.now();
    const answer = await new Promise<LoadResult & { firstError?: string; fatal?: string }>((resolve, reject) => {
      const worker = new Worker(WORKER, {
        eval: true,
        workerData: {
          port,
          rawHttp: o.rawHttp,
          clientId: CLIENT.id,
          clientSecret: CLIENT.secret,
          chains,
          requests: o.requests,
          warmup: o.warmup,
          maxMs: o.seconds * 1000,
        },
      });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (answer.fatal) throw new Error(`bench:sso ceiling: ${answer.fatal} (after ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    return answer;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
