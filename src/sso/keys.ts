/**
 * The provider's signing keys, kept in sso_keys with the private JWK encrypted (AES-256-GCM, the key from
 * SSO_KEY_ENCRYPTION_KEY; the kid is the additional data, so a ciphertext cannot be moved to another row).
 *
 * Rotation without a moment when a token cannot be verified:
 *   next     published in JWKS (key_ops verify only) for publishLead before it may sign, so every relying
 *            party's cached JWKS and every instance's key set know it first;
 *   current  the one key that signs;
 *   retired  published (verify only) until retainAfterRetire passes — the longest lifetime of anything it signed —
 *            then deleted.
 * Whichever instance first sees a step due takes it, under a transaction-level advisory lock, so two instances
 * never create two next keys; the others see the new set at their next version check (provider.ts).
 */
import crypto from 'node:crypto';
import { asc, sql } from 'drizzle-orm';
import type { JWK } from 'jose';
import type { Db } from '../db/client.js';
import { ssoKeys } from '../db/schema/index.js';

const DAY_MS = 86_400_000;
/**
 * The advisory lock of key maintenance — its own: 7411001 the audit sealer, 7411002 the migrations, 7411003 the demo
 * seed and the province setup, 7411004 delegations against moves (delegation/agency-lock.ts).
 */
const KEY_LOCK = 7411005;
const ALG = 'RS256';

export type KeyPolicy = {
  /** How long a key signs before the next one takes over. */
  rotateEveryMs: number;
  /** How long a new key is published before it signs (longer than relying parties cache a JWKS). */
  publishLeadMs: number;
  /** How long a retired key stays published: the longest lifetime of what it signed. */
  retainAfterRetireMs: number;
};

export const DEFAULT_KEY_POLICY: KeyPolicy = { rotateEveryMs: 90 * DAY_MS, publishLeadMs: 2 * DAY_MS, retainAfterRetireMs: 30 * DAY_MS };

type KeyRow = typeof ssoKeys.$inferSelect;

export function encryptPrivateJwk(encryptionKey: Buffer, kid: string, jwk: JWK): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', encryptionKey, iv);
  cipher.setAAD(Buffer.from(kid, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}

export function decryptPrivateJwk(encryptionKey: Buffer, kid: string, stored: string): JWK {
  const [iv, tag, body] = stored.split('.').map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !tag || !body) throw new Error(`sso_keys ${kid}: malformed ciphertext`);
  const decipher = crypto.createDecipheriv('aes-256-gcm', encryptionKey, iv);
  decipher.setAAD(Buffer.from(kid, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return JSON.parse(Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8')) as JWK;
  } catch (err) {
    throw new Error(`sso_keys ${kid}: cannot decrypt (is SSO_KEY_ENCRYPTION_KEY the key it was stored with?)`, { cause: err });
  }
}

/** The key set as oidc-provider is configured with it, and a version that changes whenever a key does. */
export type KeySet = { version: string; jwks: { keys: JWK[] }; rows: KeyRow[] };

/** A cheap fingerprint of sso_keys (a handful of rows), compared by each instance every few seconds. */
export async function keySetVersion(db: Db): Promise<string> {
  const res = (await db.execute(
    sql`select coalesce(string_agg(kid || ':' || state, ',' order by kid), '') as v from ${ssoKeys}`,
  )) as unknown as {
    rows: Array<{ v: string }>;
  };
  return res.rows[0]?.v ?? '';
}

export async function loadKeySet(db: Db, encryptionKey: Buffer): Promise<KeySet> {
  const rows = await db.select().from(ssoKeys).orderBy(asc(ssoKeys.createdAt), asc(ssoKeys.kid));
  const order = { current: 0, next: 1, retired: 2 } as Record<string, number>;
  const keys = [...rows]
    .sort((a, b) => (order[a.state] ?? 3) - (order[b.state] ?? 3))
    .map((row) => {
      const jwk = { ...decryptPrivateJwk(encryptionKey, row.kid, row.privateJwkEncrypted), kid: row.kid, alg: row.alg, use: 'sig' };
      // Only the current key may sign; the others are there to be published and to verify.
      return row.state === 'current' ? jwk : { ...jwk, key_ops: ['verify'] };
    });
  return { version: rows.map((r) => `${r.kid}:${r.state}`).join(','), jwks: { keys }, rows };
}

/** What maintainKeys would change now, read from a loaded set without a query (provider.ts asks on every check). */
export function keyStepDue(rows: KeyRow[], now: Date, policy: KeyPolicy = DEFAULT_KEY_POLICY): boolean {
  const current = rows.find((r) => r.state === 'current');
  const next = rows.find((r) => r.state === 'next');
  if (!current) return true;
  if (next) return next.activateAfter <= now;
  if ((current.activatedAt ?? current.createdAt).getTime() + policy.rotateEveryMs - policy.publishLeadMs <= now.getTime()) return true;
  return rows.some((r) => r.state === 'retired' && r.deleteAfter !== null && r.deleteAfter <= now);
}

async function newKeyRow(encryptionKey: Buffer, state: 'next' | 'current', now: Date, activateAfter: Date) {
  // jose at the first key made (demo start, first request to /sso), not at an instance's start (decision 0029).
  const { exportJWK, generateKeyPair } = await import('jose');
  const { privateKey } = await generateKeyPair(ALG, { modulusLength: 2048, extractable: true });
  const kid = crypto.randomUUID();
  const priv = await exportJWK(privateKey);
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = priv;
  return {
    kid,
    alg: ALG,
    state,
    publicJwk: { ...pub, kid, alg: ALG, use: 'sig' },
    privateJwkEncrypted: encryptPrivateJwk(encryptionKey, kid, priv),
    createdAt: now,
    activateAfter,
    activatedAt: state === 'current' ? now : null,
  };
}

/**
 * Takes every step that is due, in one transaction under the key lock: the first key (current at once: nothing
 * was signed before it, so nothing needs it published earlier), a next key publishLead before the current one's
 * term ends, the promotion of a next key whose lead has passed (the current one retires), and the deletion of
 * retired keys past their retention. Returns whether anything changed.
 */
export async function maintainKeys(db: Db, encryptionKey: Buffer, now: Date, policy: KeyPolicy = DEFAULT_KEY_POLICY): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${KEY_LOCK})`);
    const rows = await tx.select().from(ssoKeys);
    if (!keyStepDue(rows, now, policy)) return false;
    const current = rows.find((r) => r.state === 'current');
    const next = rows.find((r) => r.state === 'next');
    if (!current) {
      await tx.insert(ssoKeys).values(await newKeyRow(encryptionKey, 'current', now, now));
      return true;
    }
    if (next && next.activateAfter <= now) {
      await tx.execute(
        sql`update ${ssoKeys} set state = 'retired', retired_at = ${now}, delete_after = ${new Date(now.getTime() + policy.retainAfterRetireMs)} where kid = ${current.kid}`,
      );
      await tx.execute(sql`update ${ssoKeys} set state = 'current', activated_at = ${now} where kid = ${next.kid}`);
    } else if (
      !next &&
      (current.activatedAt ?? current.createdAt).getTime() + policy.rotateEveryMs - policy.publishLeadMs <= now.getTime()
    ) {
      await tx.insert(ssoKeys).values(await newKeyRow(encryptionKey, 'next', now, new Date(now.getTime() + policy.publishLeadMs)));
    }
    await tx.execute(sql`delete from ${ssoKeys} where state = 'retired' and delete_after <= ${now}`);
    return true;
  });
}
