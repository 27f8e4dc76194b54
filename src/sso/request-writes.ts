/**
 * The provider's writes of one request, sent to the database together just before its answer leaves.
 *
 * oidc-provider awaits every adapter write in turn: a code exchange consumes the code, then saves the access token,
 * then the refresh token — three round trips on the hot path, each with its syscalls on both sides. Inside a
 * provider request (adapter.ts, withProviderRequest) upserts and the consumption of a code or refresh token are
 * queued instead, and sent as ONE statement by the provider's innermost middleware after the endpoint has run and
 * before Koa writes the answer (provider.ts). Nothing is answered that is not written: if the statement fails, the
 * answer is an error, and the statement is all or nothing.
 *
 * Rules that keep the request's view exact (its own reads see its own writes):
 * - any read or other write of sso_models through the adapter first sends what is queued;
 * - a row queued for both an upsert and a consumption is never in one statement (data-modifying CTEs on the same
 *   row have no defined order): the first is sent before the second is queued.
 *
 * The consumption of a code or refresh token is conditional: it succeeds only if no other request consumed (or
 * revoked) that row since this one read it. oidc-provider reads `consumed`, then writes it — two requests presenting
 * the same code at the same instant would both pass its check. Here the second one's statement writes nothing and the
 * request answers invalid_grant (SpentGrant); if the token was spent by the other (not merely revoked or purged), the
 * grant is revoked (RFC 6749 §4.1.2: a code used twice revokes what it gave; a refresh token used twice is the reuse
 * oidc-provider punishes the same way).
 */
import { sql } from 'drizzle-orm';
import { queryStatement, type Db } from '../db/client.js';
import { ssoModels } from '../db/schema/index.js';

/** The models whose consumption is single-use and therefore checked. */
export const SINGLE_USE = new Set(['AuthorizationCode', 'RefreshToken']);

/**
 * The models whose upserts wait for the answer (an allow-list): what a request issues or updates for itself. Not
 * ReplayDetection (a DPoP proof or client assertion seen once: oidc-provider reads, then writes it, and the write
 * must land at once to refuse a replay) nor any model not named here.
 */
export const QUEUED = new Set(['AuthorizationCode', 'AccessToken', 'RefreshToken', 'ClientCredentials', 'Grant', 'Session', 'Interaction']);

export type QueuedUpsert = {
  model: string;
  id: string;
  payload: Record<string, unknown>;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: string | null;
};
type QueuedConsume = { model: string; id: string; grantId: string | null };

/**
 * The provider session this request read and acts on was ended meanwhile by another request (a logout): nothing of
 * this request was written — no code issued for it, and the ended session not saved back.
 */
export class SessionEnded extends Error {
  constructor() {
    super('the provider session was ended by another request');
  }
}

/** A code or refresh token another request had already consumed or revoked: nothing of this request was written. */
export class SpentGrant extends Error {
  constructor(readonly grantIds: string[]) {
    super('a single-use token was consumed or revoked by another request');
  }
}

const WRITE_ALL = () =>
  sql`with present as (
        select count(*)::int as n from ${ssoModels} m
          join jsonb_to_recordset(${sql.placeholder('live')}::jsonb) as l(model text, id text) on m.model = l.model and m.id = l.id
      ), spend as (
        update ${ssoModels} m set consumed_at = ${sql.placeholder('now')}::timestamptz
          from jsonb_to_recordset(${sql.placeholder('consumes')}::jsonb) as c(model text, id text)
         where m.model = c.model and m.id = c.id and m.consumed_at is null
           and (select n from present) = ${sql.placeholder('liveCount')}::int
        returning 1
      ), put as (
        insert into ${ssoModels} (model, id, payload, grant_id, uid, user_code, expires_at)
        select u.model, u.id, u.payload, u.grant_id, u.uid, u.user_code, u.expires_at
          from jsonb_to_recordset(${sql.placeholder('upserts')}::jsonb)
            as u(model text, id text, payload jsonb, grant_id text, uid text, user_code text, expires_at timestamptz)
         where (select count(*) from spend) = ${sql.placeholder('expected')}::int
           and (select n from present) = ${sql.placeholder('liveCount')}::int
        on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
          user_code = excluded.user_code, expires_at = excluded.expires_at
        returning 1
      )
      select (select n from present) as present, (select count(*) from spend)::int as spent, (select count(*) from put)::int as put`;

/**
 * After a consumption failed, in a fresh snapshot: the grants are revoked if one of the tokens is there, consumed —
 * another request spent it. A token that is simply gone (revoked, logged out, purged at its expiry) revokes nothing.
 */
const REVOKE_IF_SPENT = () =>
  sql`delete from ${ssoModels}
      where (grant_id = any(${sql.placeholder('grants')}::text[]) or (model = 'Grant' and id = any(${sql.placeholder('grants')}::text[])))
        and exists (select 1 from ${ssoModels} m
                      join jsonb_to_recordset(${sql.placeholder('consumes')}::jsonb) as c(model text, id text) on m.model = c.model and m.id = c.id
                     where m.consumed_at is not null)`;

const keyOf = (model: string, id: string) => `${model}\u0000${id}`;

/** One provider request's queue (held by the adapter's AsyncLocalStorage). */
export class RequestWrites {
  private readonly upserts = new Map<string, QueuedUpsert>();
  private readonly consumes = new Map<string, QueuedConsume>();
  /** Rows this request read and acts on (its provider session): its writes land only while they still exist. */
  private readonly live = new Map<string, { model: string; id: string }>();
  private sending: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  get size(): number {
    return this.upserts.size + this.consumes.size;
  }

  async upsert(row: QueuedUpsert): Promise<void> {
    const key = keyOf(row.model, row.id);
    if (this.consumes.has(key)) await this.send();
    // The last payload wins, as it would have written over the first.
    this.upserts.set(key, row);
  }

  async consume(model: string, id: string, grantId: string | null): Promise<void> {
    const key = keyOf(model, id);
    if (this.upserts.has(key)) await this.send();
    this.consumes.set(key, { model, id, grantId });
  }

  /** This request acts on a row it read (a provider session): if another request ends it first, nothing is written. */
  relyOn(model: string, id: string): void {
    this.live.set(keyOf(model, id), { model, id });
  }

  /** This request ended rows of `model` itself (all of them, or the one with `id`): no longer required. */
  ended(model: string, id?: string): void {
    for (const [key, row] of this.live) if (row.model === model && (id === undefined || row.id === id)) this.live.delete(key);
  }

  /** Sends what is queued (one statement), after any sending already under way; throws SpentGrant or the database's error. */
  async send(): Promise<void> {
    while (this.sending) await this.sending;
    if (this.size === 0) return;
    const upserts = [...this.upserts.values()];
    const consumes = [...this.consumes.values()];
    this.upserts.clear();
    this.consumes.clear();
    this.sending = this.write(upserts, consumes).finally(() => {
      this.sending = null;
    });
    await this.sending;
  }

  private async write(upserts: QueuedUpsert[], consumes: QueuedConsume[]): Promise<void> {
    const live = [...this.live.values()];
    const [row] = await queryStatement<{ present: number; spent: number; put: number }>(this.db, 'sso_models:write-request', WRITE_ALL, {
      now: this.now().toISOString(),
      live: JSON.stringify(live),
      liveCount: live.length,
      consumes: JSON.stringify(consumes.map(({ model, id }) => ({ model, id }))),
      upserts: JSON.stringify(upserts),
      expected: consumes.length,
    });
    if ((row?.present ?? 0) < live.length) throw new SessionEnded();
    if ((row?.spent ?? 0) === consumes.length) return;
    const grantIds = [...new Set(consumes.map((c) => c.grantId).filter((g): g is string => typeof g === 'string'))];
    if (grantIds.length > 0) {
      const values = { grants: grantIds, consumes: JSON.stringify(consumes.map(({ model, id }) => ({ model, id }))) };
      // Tried twice: reuse detection must not be lost to one failed statement (a second failure answers 500).
      await queryStatement(this.db, 'sso_models:revoke-if-spent', REVOKE_IF_SPENT, values).catch(() =>
        queryStatement(this.db, 'sso_models:revoke-if-spent', REVOKE_IF_SPENT, values),
      );
    }
    throw new SpentGrant(grantIds);
  }
}
