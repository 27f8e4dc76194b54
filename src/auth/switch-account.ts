import { and, asc, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { accounts, persons } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { Actor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import { createSession, destroySession, type SessionPolicy } from './sessions.js';

/**
 * The other accounts the same person may switch to (Chuyển tài khoản): same verified person,
 * live and not suspended.
 */
export async function linkedAccounts(db: Queryable, accountId: string) {
  const [me] = await db.select({ personId: accounts.personId }).from(accounts).where(eq(accounts.id, accountId));
  if (!me?.personId) return [];
  return db
    .select({ id: accounts.id, username: accounts.username, middleName: accounts.middleName, givenName: accounts.givenName, position: accounts.position })
    .from(accounts)
    .innerJoin(persons, eq(persons.id, accounts.personId))
    .where(
      and(
        eq(accounts.personId, me.personId),
        ne(accounts.id, accountId),
        isNull(accounts.deletedAt),
        eq(accounts.suspended, false),
        sql`${persons.verifiedAt} is not null`,
      ),
    )
    .orderBy(asc(accounts.username));
}

/** Switch to another account of the same person without a new login: a new session id, audited. */
export async function switchAccount(db: Db, actor: Actor, currentToken: string, targetId: string, policy: SessionPolicy) {
  const allowed = await linkedAccounts(db, actor.accountId);
  const target = allowed.find((a) => a.id === targetId);
  if (!target) throw errors.notFound('Tài khoản');
  const [full] = await db.select().from(accounts).where(eq(accounts.id, target.id));
  const token = await db.transaction(async (tx) => {
    await destroySession(tx, currentToken);
    const t = await createSession(tx, target.id, policy, { ip: actor.meta.ip, userAgent: actor.meta.userAgent ?? null });
    await tx.update(accounts).set({ lastLoginAt: new Date() }).where(eq(accounts.id, target.id));
    await recordAudit(tx, {
      action: 'auth.switch_account',
      actorId: target.id,
      actorLabel: target.username,
      targetType: 'account',
      targetId: target.id,
      unitId: full!.unitId,
      meta: actor.meta,
      data: { from: { id: actor.accountId, username: actor.label }, to: { id: target.id, username: target.username } },
    });
    return t;
  });
  return { token, account: full! };
}
