import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { accounts } from '../db/schema/index.js';
import { recordAccountAudit } from '../audit/record.js';
import type { StaffActor } from '../shared/context.js';
import { confirmedAccounts, identityLoginRefusal, linkErrors, type IdentityProof } from './person-accounts.js';
import { createSession, destroySession, type SessionPolicy, tokenHash } from './sessions.js';
import { endSessions } from '../sso/end-sessions.js';

/**
 * Chuyển tài khoản: move a session that proved a person by VNeID to another of that person's
 * confirmed accounts, without a new login. The target must meet its own login rules at the session's
 * level (suspension, level of identification); a password session switches nowhere. New session id (same limit and
 * login time), audited.
 */
export async function switchAccount(
  db: Db,
  actor: StaffActor,
  proof: IdentityProof | null,
  currentToken: string,
  targetId: string,
  deps: { sessions: SessionPolicy; minLoa: number },
  now: Date,
) {
  if (!proof) throw linkErrors.proofRequired();
  const target = (await confirmedAccounts(db, proof.personId)).find((a) => a.id === targetId && a.id !== actor.accountId);
  if (!target) throw linkErrors.notCandidate();
  const refusal = identityLoginRefusal(target, proof.loa, deps.minLoa);
  if (refusal) throw refusal;
  const token = await db.transaction(async (tx) => {
    // The new session keeps the old one's limit and login time: switching proves nothing new (an application's
    // prompt=login or max_age must not be met by it).
    const previous = await destroySession(tx, currentToken);
    if (!previous) throw linkErrors.notCandidate();
    // The applications logged in as the previous account are logged out (they get a new login as this one).
    await endSessions(tx, { browserSessionHashes: [tokenHash(currentToken)] });
    const t = await createSession(
      tx,
      target.id,
      deps.sessions,
      now,
      { ip: actor.meta.ip, userAgent: actor.meta.userAgent ?? null },
      proof,
      previous,
    );
    await tx.update(accounts).set({ lastLoginAt: now, identityUsedAt: now }).where(eq(accounts.id, target.id));
    await recordAccountAudit(tx, target, 'auth.switch_account', actor.meta, {
      from: { id: actor.accountId, username: actor.label },
      to: { id: target.id, username: target.username },
      personId: proof.personId,
      method: proof.method,
      loa: proof.loa,
    });
    return t;
  });
  return { token, account: target };
}
