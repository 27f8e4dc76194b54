/**
 * oidc-provider's storage in PostgreSQL: every model (Session, Interaction, AuthorizationCode, AccessToken,
 * RefreshToken, Grant, …) is a row of sso_models keyed by (model, id), so any app instance on the same database
 * continues what another began. The Client model is the registry (sso_clients, clients.ts), never written here.
 *
 * Expired rows are invisible at once (find compares expires_at) and deleted later by the sso.purge job.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { and, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { ssoModels } from '../db/schema/index.js';
import { clientMetadata } from './clients.js';

type Clock = () => Date;

/** The adapter class oidc-provider instantiates once per model name. */
export function postgresAdapter(db: Db, now: Clock = () => new Date()) {
  return class PostgresAdapter implements Adapter {
    constructor(private readonly model: string) {}

    private live(...where: ReturnType<typeof eq>[]) {
      return and(eq(ssoModels.model, this.model), ...where, or(isNull(ssoModels.expiresAt), gt(ssoModels.expiresAt, now())));
    }

    private static withConsumed(row: { payload: Record<string, unknown>; consumedAt: Date | null } | undefined) {
      if (!row) return undefined;
      const payload = row.payload as AdapterPayload;
      // oidc-provider reads `consumed` to detect a reused code or refresh token.
      return row.consumedAt ? { ...payload, consumed: Math.floor(row.consumedAt.getTime() / 1000) } : payload;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      const values = {
        payload: payload as Record<string, unknown>,
        grantId: payload.grantId ?? null,
        uid: payload.uid ?? null,
        userCode: payload.userCode ?? null,
        expiresAt: expiresIn ? new Date(now().getTime() + expiresIn * 1000) : null,
      };
      await db
        .insert(ssoModels)
        .values({ model: this.model, id, ...values })
        .onConflictDoUpdate({ target: [ssoModels.model, ssoModels.id], set: values });
    }

    async find(id: string) {
      if (this.model === 'Client') return clientMetadata(db, id);
      const [row] = await db
        .select({ payload: ssoModels.payload, consumedAt: ssoModels.consumedAt })
        .from(ssoModels)
        .where(this.live(eq(ssoModels.id, id)));
      return PostgresAdapter.withConsumed(row);
    }

    async findByUid(uid: string) {
      const [row] = await db
        .select({ payload: ssoModels.payload, consumedAt: ssoModels.consumedAt })
        .from(ssoModels)
        .where(this.live(eq(ssoModels.uid, uid)));
      return PostgresAdapter.withConsumed(row);
    }

    async findByUserCode(userCode: string) {
      const [row] = await db
        .select({ payload: ssoModels.payload, consumedAt: ssoModels.consumedAt })
        .from(ssoModels)
        .where(this.live(eq(ssoModels.userCode, userCode)));
      return PostgresAdapter.withConsumed(row);
    }

    async consume(id: string) {
      await db
        .update(ssoModels)
        .set({ consumedAt: now() })
        .where(and(eq(ssoModels.model, this.model), eq(ssoModels.id, id)));
    }

    async destroy(id: string) {
      await db.delete(ssoModels).where(and(eq(ssoModels.model, this.model), eq(ssoModels.id, id)));
    }

    async revokeByGrantId(grantId: string) {
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
