import crypto from 'node:crypto';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { ssoKeys } from '../src/db/schema/index.js';
import { DEFAULT_KEY_POLICY, decryptPrivateJwk, encryptPrivateJwk, keySetVersion, loadKeySet, maintainKeys } from '../src/sso/keys.js';
import { loadConfig } from '../src/config.js';
import { ssoProvider } from '../src/sso/provider.js';
import { resetDatabase, testDatabase } from './support/db.js';

const KEY = crypto.randomBytes(32);
const DAY = 86_400_000;
let database: Database;

beforeAll(async () => {
  database = await testDatabase();
});
beforeEach(async () => {
  await resetDatabase(database);
});

describe('the SSO signing keys', () => {
  it('are encrypted with AES-256-GCM bound to their kid: another key, another row or a changed byte cannot read them', () => {
    const jwk = { kty: 'RSA', n: 'abc', e: 'AQAB', d: 'secret-exponent' };
    const stored = encryptPrivateJwk(KEY, 'kid-1', jwk);
    expect(stored).not.toContain('secret');
    expect(decryptPrivateJwk(KEY, 'kid-1', stored)).toEqual(jwk);
    expect(() => decryptPrivateJwk(crypto.randomBytes(32), 'kid-1', stored)).toThrow(/cannot decrypt/);
    expect(() => decryptPrivateJwk(KEY, 'kid-2', stored)).toThrow(/cannot decrypt/);
    const [iv, tag, body] = stored.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => decryptPrivateJwk(KEY, 'kid-1', [iv, tag, flipped.toString('base64url')].join('.'))).toThrow(/cannot decrypt/);
  });

  it('rotate: next is published (verify only) before it signs, then current; the old one stays published until its tokens expired', async () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const { db } = database;
    expect(await maintainKeys(db, KEY, t0)).toBe(true);
    let set = await loadKeySet(db, KEY);
    expect(set.rows.map((r) => r.state)).toEqual(['current']);
    expect(set.jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(set.jwks.keys[0]!.key_ops).toBeUndefined();
    const first = set.rows[0]!.kid;
    // Nothing to do until the lead before the end of the term.
    expect(await maintainKeys(db, KEY, new Date(t0.getTime() + 10 * DAY))).toBe(false);
    const before = await keySetVersion(db);

    const publish = new Date(t0.getTime() + DEFAULT_KEY_POLICY.rotateEveryMs - DEFAULT_KEY_POLICY.publishLeadMs);
    expect(await maintainKeys(db, KEY, publish)).toBe(true);
    expect(await keySetVersion(db)).not.toBe(before);
    set = await loadKeySet(db, KEY);
    // The current key is first and the only one that may sign; the next one is there to be published.
    expect(set.jwks.keys.map((k) => [k.kid, k.key_ops])).toEqual([
      [first, undefined],
      [set.rows.find((r) => r.state === 'next')!.kid, ['verify']],
    ]);
    const second = set.rows.find((r) => r.state === 'next')!.kid;
    // A second instance taking the same step finds nothing left to do.
    expect(await maintainKeys(db, KEY, publish)).toBe(false);

    const promote = new Date(publish.getTime() + DEFAULT_KEY_POLICY.publishLeadMs);
    expect(await maintainKeys(db, KEY, promote)).toBe(true);
    set = await loadKeySet(db, KEY);
    expect(Object.fromEntries(set.rows.map((r) => [r.kid, r.state]))).toEqual({ [first]: 'retired', [second]: 'current' });
    expect(set.jwks.keys[0]!.kid).toBe(second);
    expect(set.jwks.keys[1]).toMatchObject({ kid: first, key_ops: ['verify'] });

    await maintainKeys(db, KEY, new Date(promote.getTime() + DEFAULT_KEY_POLICY.retainAfterRetireMs - 1000));
    expect((await db.select().from(ssoKeys)).map((r) => r.kid)).toContain(first);
    await maintainKeys(db, KEY, new Date(promote.getTime() + DEFAULT_KEY_POLICY.retainAfterRetireMs));
    expect((await db.select().from(ssoKeys)).map((r) => r.kid)).toEqual([second]);
  });
});

describe('the provider built from the key set', () => {
  it('is rebuilt when another instance changed the keys, and publishes the next key before it signs', async () => {
    const config = loadConfig({ NODE_ENV: 'test', PUBLIC_URL: 'http://127.0.0.1:1' });
    let clock = new Date('2026-01-01T00:00:00Z');
    const sso = ssoProvider({ db: database.db, config, logger: pino({ level: 'silent' }), now: () => clock, keyCheckMs: 0 });
    // The provider alone on a Node server (no mount): GET /jwks is what relying parties fetch.
    const server = http.createServer((req, res) => void sso.get().then((p) => p.callback()(req, res)));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const jwks = async () => {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`);
      return ((await res.json()) as { keys: Array<{ kid: string; key_ops?: string[] }> }).keys.map((k) => [k.kid, k.key_ops ?? null]);
    };
    try {
      const first = await sso.get();
      expect(await sso.get()).toBe(first);
      const [only] = await jwks();
      // Another instance publishes the next key (this one's clock has not reached that step).
      await maintainKeys(database.db, config.ssoProvider.keyEncryptionKey, new Date(clock.getTime() + DEFAULT_KEY_POLICY.rotateEveryMs));
      const next = (await database.db.select().from(ssoKeys)).find((k) => k.state === 'next')!;
      expect(await sso.get()).not.toBe(first);
      expect(await jwks()).toEqual([only, [next.kid, ['verify']]]);
      // Its lead has passed: this instance takes the step itself, and the new key is the one that signs.
      clock = new Date(next.activateAfter.getTime() + 1000);
      expect((await jwks())[0]).toEqual([next.kid, null]);
      expect((await database.db.select().from(ssoKeys)).find((k) => k.kid === only![0])!.state).toBe('retired');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
