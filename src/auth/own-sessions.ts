/**
 * Thông tin tài khoản → Phiên đăng nhập: an official's live sessions of the one-stop system — device, address,
 * started, last used — each with the applications it logged in to through the provincial SSO (the provider
 * sessions linked to it, src/sso/end-sessions.ts). A read: no audit.
 */
import { and, asc, desc, eq, gt, inArray } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { sessions, ssoClients, ssoModels, ssoSessionLinks } from '../db/schema/index.js';
import type { StaffActor } from '../shared/context.js';
import type { ProviderSessionPayload } from '../sso/end-sessions.js';
import { deviceLabel } from './device-label.js';
import { type SessionPolicy, tokenHash } from './sessions.js';

export type OwnSession = {
  /** sessions.id_hash: names the session in a form; useless as a cookie. */
  id: string;
  current: boolean;
  device: string;
  ip: string | null;
  startedAt: Date;
  lastSeenAt: Date;
  method: string;
  /** Names of the applications logged in through the SSO in this session. */
  applications: string[];
};

export async function listOwnSessions(
  db: Queryable,
  actor: StaffActor,
  currentToken: string | null,
  policy: SessionPolicy,
  now: Date,
): Promise<OwnSession[]> {
  const rows = await db
    .select()
    .from(sessions)
    .where(
      and(
        eq(sessions.accountId, actor.accountId),
        gt(sessions.expiresAt, now),
        gt(sessions.lastSeenAt, new Date(now.getTime() - policy.idleMs)),
      ),
    )
    .orderBy(desc(sessions.lastSeenAt), asc(sessions.idHash));
  const hashes = rows.map((r) => r.idHash);
  const apps = new Map<string, Set<string>>();
  if (hashes.length) {
    const linked = await db
      .select({ hash: ssoSessionLinks.browserSessionHash, payload: ssoModels.payload })
      .from(ssoSessionLinks)
      .innerJoin(
        ssoModels,
        and(eq(ssoModels.model, 'Session'), eq(ssoModels.uid, ssoSessionLinks.sessionUid), gt(ssoModels.expiresAt, now)),
      )
      .where(inArray(ssoSessionLinks.browserSessionHash, hashes));
    const clientIds = new Set<string>();
    for (const l of linked) {
      const ids = Object.keys((l.payload as ProviderSessionPayload).authorizations ?? {});
      const set = apps.get(l.hash) ?? new Set<string>();
      for (const id of ids) {
        clientIds.add(id);
        set.add(id);
      }
      apps.set(l.hash, set);
    }
    const names = new Map(
      clientIds.size
        ? (
            await db
              .select({ id: ssoClients.clientId, name: ssoClients.name })
              .from(ssoClients)
              .where(inArray(ssoClients.clientId, [...clientIds]))
          ).map((c) => [c.id, c.name])
        : [],
    );
    for (const [hash, ids] of apps) apps.set(hash, new Set([...ids].map((id) => names.get(id) ?? id)));
  }
  const current = currentToken ? tokenHash(currentToken) : null;
  return rows.map((r) => ({
    id: r.idHash,
    current: r.idHash === current,
    device: deviceLabel(r.userAgent),
    ip: r.ip,
    startedAt: r.createdAt,
    lastSeenAt: r.lastSeenAt,
    method: r.method,
    applications: [...(apps.get(r.idHash) ?? [])].sort((a, b) => a.localeCompare(b, 'vi')),
  }));
}
