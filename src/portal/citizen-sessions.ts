/** Portal sessions of citizens: same rules as officials' sessions (random token, only its hash stored). */
import { and, eq, gt } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { citizenSessions, citizens } from '../db/schema/index.js';
import { newToken, tokenHash, type SessionPolicy } from '../auth/sessions.js';

export async function createCitizenSession(db: Queryable, citizenId: string, policy: SessionPolicy): Promise<string> {
  const token = newToken();
  await db.insert(citizenSessions).values({ idHash: tokenHash(token), citizenId, expiresAt: new Date(Date.now() + policy.absoluteMs) });
  return token;
}

export async function readCitizenSession(db: Queryable, token: string, policy: SessionPolicy) {
  const now = new Date();
  const [row] = await db
    .select({ session: citizenSessions, citizen: citizens })
    .from(citizenSessions)
    .innerJoin(citizens, eq(citizens.id, citizenSessions.citizenId))
    .where(
      and(
        eq(citizenSessions.idHash, tokenHash(token)),
        gt(citizenSessions.expiresAt, now),
        gt(citizenSessions.lastSeenAt, new Date(now.getTime() - policy.idleMs)),
      ),
    );
  if (!row) return null;
  if (now.getTime() - row.session.lastSeenAt.getTime() > 60_000) {
    await db.update(citizenSessions).set({ lastSeenAt: now }).where(eq(citizenSessions.idHash, row.session.idHash));
  }
  return row.citizen;
}

export async function destroyCitizenSession(db: Queryable, token: string) {
  await db.delete(citizenSessions).where(eq(citizenSessions.idHash, tokenHash(token)));
}
