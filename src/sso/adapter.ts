/**
 * oidc-provider's storage in PostgreSQL: every model (Session, Interaction, AuthorizationCode, AccessToken,
 * RefreshToken, Grant, …) is a row of sso_models keyed by (model, id), so any app instance on the same database
 * continues what another began. The Client model is the registry (sso_clients, clients.ts), never written here.
 *
 * Expired rows are invisible at once (find compares expires_at) and deleted later by the sso.purge job.
 */
import type { Adapter, AdapterPayload, ClientMetadata } from 'oidc-provider';
import type { SessionCache } from '../auth/session-cache.js';
import { and, eq, lt, sql } from 'drizzle-orm';
import { queryStatement, type Db } from '../db/client.js';
import { ssoModels } from '../db/schema/index.js';
import { clientMetadata } from './clients.js';
import { QUEUED, SINGLE_USE, type QueuedUpsert } from './request-writes.js';
import { forget, providerRequest, sendQueued } from './provider-request.js';
import { UUID, officialClaimsQuery, type OfficialRow } from './account-claims.js';

type Clock = () => Date;
type Row = { payload: AdapterPayload; consumed: number | null };

/**
 * The statements of the token endpoint's hot path (each token request reads and writes several models): raw SQL
 * run as named prepared statements (queryStatement), built and planned once per connection. The value of `consumed`
 * is what oidc-provider reads to detect a reused code or refresh token (seconds since the epoch).
 */
const live = (key: 'id' | 'uid' | 'user_code') => () =>
  sql`select payload, floor(extract(epoch from consumed_at))::float8 as consumed from ${ssoModels}
      where model = ${sql.placeholder('model')} and ${sql.raw(key)} = ${sql.placeholder('key')}
        and (expires_at is null or expires_at > ${sql.placeholder('now')})`;
const FIND = { id: live('id'), uid: live('uid'), user_code: live('user_code') };

/**
 * A token (code, access or refresh token) is always followed by its grant, the provider session it is bound to and
 * its account's claims (findAccount, account-claims.ts): read all four in one statement, and keep the other three for
 * this request (provider-request.ts) — three round trips fewer on every token and userinfo request.
 */
const TOKEN_WITH_GRANT_SESSION_AND_ACCOUNT = () =>
  sql`select t.payload, floor(extract(epoch from t.consumed_at))::float8 as consumed,
        g.payload as grant_payload, s.payload as session_payload,
        (select row_to_json(c) from (${officialClaimsQuery(sql`ta.account_id`)}) c) as account
      from ${ssoModels} t
      cross join lateral (select case when t.payload->>'accountId' ~ ${UUID_PATTERN}
                                      then (t.payload->>'accountId')::uuid end as account_id offset 0) ta
      left join ${ssoModels} g on g.model = 'Grant' and g.id = t.payload->>'grantId'
        and (g.expires_at is null or g.expires_at > ${sql.placeholder('now')})
      left join ${ssoModels} s on s.model = 'Session' and s.uid = t.payload->>'sessionUid'
        and (s.expires_at is null or s.expires_at > ${sql.placeholder('now')})
      where t.model = ${sql.placeholder('model')} and t.id = ${sql.placeholder('key')}
        and (t.expires_at is null or t.expires_at > ${sql.placeholder('now')})`;
// The same pattern as ssoAccount checks in JavaScript: the payload's accountId is cast to uuid only when it is one.
// `offset 0` keeps the planner from pulling that expression up into the claims' scans of accounts, where it was
// evaluated (JSON extraction and the pattern) once per row scanned: 0.575 → 0.331 ms a read (pgbench, decision 0033).
const UUID_PATTERN = sql.raw(`'${UUID.source}'`);
const TOKENS = new Set(['AuthorizationCode', 'AccessToken', 'RefreshToken']);

const UPSERT = () =>
  sql`insert into ${ssoModels} (model, id, payload, grant_id, uid, user_code, expires_at)
      values (${sql.placeholder('model')}, ${sql.placeholder('id')}, ${sql.placeholder('payload')}, ${sql.placeholder('grantId')},
              ${sql.placeholder('uid')}, ${sql.placeholder('userCode')}, ${sql.placeholder('expiresAt')})
      on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
        user_code = excluded.user_code, expires_at = excluded.expires_at`;
const CONSUME = () =>
  sql`update ${ssoModels} set consumed_at = ${sql.placeholder('now')} where model = ${sql.placeholder('model')} and id = ${sql.placeholder('id')}`;

/** Whether a payload holds a NUL in any of its strings (keys included). */
function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.includes('\u0000') || holdsNul(v));
  return false;
}

/** The adapter class oidc-provider instantiates once per model name. */
export function postgresAdapter(db: Db, now: Clock = () => new Date(), clientCache?: SessionCache<ClientMetadata>) {
  return class PostgresAdapter implements Adapter {
    constructor(private readonly model: string) {}

    private async findBy(key: keyof typeof FIND, value: string) {
      const found = await this.read(key, value);
      const state = providerRequest.getStore();
      if (state && found && key === 'id' && SINGLE_USE.has(this.model)) state.grantOf.set(`${this.model}:${value}`, found.grantId ?? null);
      return found;
    }

    private async read(key: keyof typeof FIND, value: string): Promise<AdapterPayload | undefined> {
      // Anyone may send a code, token or cookie with a NUL in it; PostgreSQL's text cannot hold one, so nothing is
      // stored under it: not found (invalid_grant and the like), instead of the database refusing the parameter.
      if (value.includes('\u0000')) return undefined;
      const state = providerRequest.getStore();
      const ahead = state?.ahead;
      const memo = `${this.model}:${key}:${value}`;
      if (ahead?.has(memo)) {
        const payload = ahead.get(memo);
        ahead.delete(memo);
        return payload ?? undefined;
      }
      await sendQueued();
      // Placeholders bypass the columns' encoders: the instant goes as an ISO string.
      const values = { model: this.model, key: value, now: now().toISOString() };
      if (ahead && key === 'id' && TOKENS.has(this.model)) {
        const [row] = await queryStatement<
          Row & { grant_payload: AdapterPayload | null; session_payload: AdapterPayload | null; account: OfficialRow | null }
        >(db, 'sso_models:token-grant-session-account', TOKEN_WITH_GRANT_SESSION_AND_ACCOUNT, values);
        if (!row) return undefined;
        if (typeof row.payload.accountId === 'string') state?.accounts.set(row.payload.accountId, row.account);
        if (row.payload.grantId) ahead.set(`Grant:id:${row.payload.grantId}`, row.grant_payload);
        if (row.payload.sessionUid) ahead.set(`Session:uid:${row.payload.sessionUid}`, row.session_payload);
        return row.consumed === null ? row.payload : { ...row.payload, consumed: row.consumed };
      }
      const [row] = await queryStatement<Row>(db, `sso_models:find:${key}`, FIND[key], values);
      const found = row ? (row.consumed === null ? row.payload : { ...row.payload, consumed: row.consumed }) : undefined;
      // The provider session is read twice by an authorization (the orphan check in session-hooks.ts, then
      // oidc-provider itself): the second read, if nothing wrote Sessions in between, is this one.
      if (ahead && this.model === 'Session' && key === 'id') ahead.set(memo, found ?? null);
      // What this request does with the session it found (a code issued, the session saved) lands only while the
      // session still exists: a logout committed meanwhile in another request wins (request-writes.ts).
      if (state && found && this.model === 'Session' && key === 'id') state.writes.relyOn('Session', value);
      return found;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      // What a request sent lands in the payload (state, nonce, login_hint…); jsonb cannot hold a NUL: the request is
      // refused as oidc-provider refuses a bad parameter (invalid_request), before anything of it is written.
      if (holdsNul(payload)) {
        const { errors } = await import('oidc-provider');
        throw new errors.InvalidRequest('a parameter holds a NUL character');
      }
      forget(this.model);
      const row: QueuedUpsert = {
        model: this.model,
        id,
        payload: payload as Record<string, unknown>,
        grant_id: payload.grantId ?? null,
        uid: payload.uid ?? null,
        user_code: payload.userCode ?? null,
        expires_at: expiresIn ? new Date(now().getTime() + expiresIn * 1000).toISOString() : null,
      };
      const state = providerRequest.getStore();
      if (state && QUEUED.has(this.model)) return state.writes.upsert(row);
      await sendQueued();
      await queryStatement(db, 'sso_models:upsert', UPSERT, {
        model: row.model,
        id: row.id,
        payload: JSON.stringify(row.payload),
        grantId: row.grant_id,
        uid: row.uid,
        userCode: row.user_code,
        expiresAt: row.expires_at,
      });
    }

    async find(id: string) {
      if (this.model === 'Client') return clientMetadata(db, id, clientCache);
      return this.findBy('id', id);
    }

    async findByUid(uid: string) {
      return this.findBy('uid', uid);
    }

    async findByUserCode(userCode: string) {
      return this.findBy('user_code', userCode);
    }

    async consume(id: string) {
      forget(this.model);
      const state = providerRequest.getStore();
      // A code or refresh token: consumed with the request's other writes, and only if no one else did (request-writes.ts).
      if (state && SINGLE_USE.has(this.model))
        return state.writes.consume(this.model, id, state.grantOf.get(`${this.model}:${id}`) ?? null);
      await sendQueued();
      await queryStatement(db, 'sso_models:consume', CONSUME, { model: this.model, id, now: now().toISOString() });
    }

    async destroy(id: string) {
      forget(this.model);
      providerRequest.getStore()?.writes.ended(this.model, id);
      await sendQueued();
      await db.delete(ssoModels).where(and(eq(ssoModels.model, this.model), eq(ssoModels.id, id)));
    }

    async revokeByGrantId(grantId: string) {
      forget(this.model);
      await sendQueued();
      await db.delete(ssoModels).where(and(eq(ssoModels.model, this.model), eq(ssoModels.grantId, grantId)));
    }
  };
}

/** The sso.purge job: delete what expired (a bounded batch per run, so one run never holds a long lock). */
export async function purgeExpiredSsoModels(db: Db, at: Date = new Date(), batch = 5000): Promise<number> {
  const res = await db.execute(
    sql`delete from ${ssoModels} where (model, id) in (select model, id from ${ssoModels} where ${lt(ssoModels.expiresAt, at)} limit ${batch})`,
  );
  return (res as unknown as { rowCount?: number; affectedRows?: number }).rowCount ?? (res as { affectedRows?: number }).affectedRows ?? 0;
}
