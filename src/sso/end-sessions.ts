/**
 * ENDING SESSIONS — the one way every path ends a login (issue 13 "Sessions", back-channel logout):
 * one-stop and portal logout, an official ending one of their own sessions, an administrator ending all of an
 * account's, suspension, deletion, password resets, and RP-initiated logout at the provider.
 *
 * A provider session (oidc-provider's Session in sso_models) is linked to the one-stop or portal session whose
 * login it reused (sso_session_links, written by the provider hook in session-hooks.ts). Ending either ends the
 * other, closed over the links. Ending a provider session ends what it granted, as oidc-provider's own logout
 * does (the grant of each client it logged in, with its codes and tokens, unless the authorization persists
 * logout), and tells each client with a back-channel logout URI: one job per client and session
 * (sso.backchannel_logout, keyed by the session's sid for that client), enqueued in the caller's transaction, so
 * the end and its notices commit together. The job signs and POSTs the logout token (session-hooks.ts).
 *
 * Runs inside the caller's transaction: the caller's use case does its checks and writes its audit row.
 */
import { and, eq, inArray, isNotNull, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { tokenHash } from '../auth/sessions.js';
import { sessions, ssoClients, ssoModels, ssoSessionLinks } from '../db/schema/index.js';
import { enqueue } from '../jobs/queue.js';

/** What oidc-provider keeps of a provider session (the part we read). */
export type ProviderSessionPayload = {
  uid?: string;
  accountId?: string;
  authorizations?: Record<string, { sid?: string; grantId?: string; persistsLogout?: boolean }>;
};

export type EndSessionsTarget = {
  /** One-stop or portal sessions (sessions.id_hash). */
  browserSessionHashes?: string[];
  /** Provider sessions by uid. */
  providerSessionUids?: string[];
  /** Every provider session logged in as this account or citizen id (suspension, deletion, "end all"). */
  subject?: string;
  /** Provider sessions oidc-provider already destroyed itself (RP-initiated logout): still notified and unlinked. */
  destroyed?: ProviderSessionPayload[];
  /** One-stop or portal sessions that must stay (a password change keeps the session that made it). */
  keepBrowserSessionHashes?: string[];
  /** End the provider sessions only, not the browser sessions they are linked to (an account switch at the provider). */
  providerOnly?: boolean;
  /**
   * The province stops these logins (a password reset or change, "end all", suspension, deletion, break-glass, the
   * VNeID-only cutoff), not their holder logging out: grants that persist logout (offline_access) are revoked too,
   * and with `subject` every grant of that account or citizen, whichever session it came from. Otherwise an
   * application holding an offline refresh token would go on minting tokens from a login the province ended.
   */
  revokeOffline?: boolean;
};

export type EndedSessions = { browserSessions: number; providerSessions: number; notices: number };

/** One back-channel notice: the client, the provider session's sid for it, and the subject it was told. */
export type BackchannelNotice = { clientId: string; sid: string; subject: string };

const LINK_ROUNDS = 4;

export async function endSessions(tx: Queryable, target: EndSessionsTarget): Promise<EndedSessions> {
  const keep = new Set(target.keepBrowserSessionHashes ?? []);
  const hashes = new Set((target.browserSessionHashes ?? []).filter((h) => !keep.has(h)));
  const uids = new Set(target.providerSessionUids ?? []);
  for (const s of target.destroyed ?? []) if (s.uid) uids.add(s.uid);
  if (target.subject) {
    const rows = await tx
      .select({ uid: ssoModels.uid })
      .from(ssoModels)
      .where(and(eq(ssoModels.model, 'Session'), sql`${ssoModels.payload}->>'accountId' = ${target.subject}`));
    for (const r of rows) if (r.uid) uids.add(r.uid);
  }
  // Close over the links: a browser session's provider sessions, a provider session's browser session, and so on.
  for (let round = 0; round < LINK_ROUNDS; round++) {
    const conds: SQL[] = [];
    if (hashes.size) conds.push(inArray(ssoSessionLinks.browserSessionHash, [...hashes]));
    if (uids.size) conds.push(inArray(ssoSessionLinks.sessionUid, [...uids]));
    if (conds.length === 0) break;
    const links = await tx
      .select()
      .from(ssoSessionLinks)
      .where(or(...conds));
    const before = hashes.size + uids.size;
    for (const l of links) {
      uids.add(l.sessionUid);
      if (!target.providerOnly && !keep.has(l.browserSessionHash)) hashes.add(l.browserSessionHash);
    }
    if (hashes.size + uids.size === before) break;
  }

  const providerSessions: ProviderSessionPayload[] = [...(target.destroyed ?? [])];
  if (uids.size) {
    const rows = await tx
      .delete(ssoModels)
      .where(and(eq(ssoModels.model, 'Session'), inArray(ssoModels.uid, [...uids])))
      .returning({ payload: ssoModels.payload });
    for (const r of rows) providerSessions.push(r.payload as ProviderSessionPayload);
    await tx.delete(ssoSessionLinks).where(inArray(ssoSessionLinks.sessionUid, [...uids]));
  }
  const grants = new Set<string>();
  const notices: BackchannelNotice[] = [];
  for (const s of providerSessions) {
    for (const [clientId, auth] of Object.entries(s.authorizations ?? {})) {
      if (auth.grantId && (target.revokeOffline || !auth.persistsLogout)) grants.add(auth.grantId);
      if (auth.sid && s.accountId) notices.push({ clientId, sid: auth.sid, subject: s.accountId });
    }
  }
  if (target.revokeOffline && target.subject) {
    const rows = await tx
      .select({ id: ssoModels.id })
      .from(ssoModels)
      .where(and(eq(ssoModels.model, 'Grant'), sql`${ssoModels.payload}->>'accountId' = ${target.subject}`));
    for (const r of rows) grants.add(r.id);
  }
  if (grants.size) {
    // What oidc-provider's logout revokes: the grant and every code and token issued under it.
    await tx
      .delete(ssoModels)
      .where(
        or(
          and(isNotNull(ssoModels.grantId), inArray(ssoModels.grantId, [...grants])),
          and(eq(ssoModels.model, 'Grant'), inArray(ssoModels.id, [...grants])),
        ),
      );
  }
  const sent = await enqueueBackchannelLogout(tx, notices);

  let browserSessions = 0;
  if (hashes.size) {
    await tx.delete(ssoSessionLinks).where(inArray(ssoSessionLinks.browserSessionHash, [...hashes]));
    browserSessions = (
      await tx
        .delete(sessions)
        .where(inArray(sessions.idHash, [...hashes]))
        .returning({ h: sessions.idHash })
    ).length;
  }
  return { browserSessions, providerSessions: providerSessions.length, notices: sent };
}

/**
 * Ends the browser sessions `where` selects (e.g. all of an account's) and everything linked to them, plus every
 * provider session of `subject`. For use cases that used to delete session rows directly.
 */
export async function endSessionsWhere(
  tx: Queryable,
  where: SQL | undefined,
  opts: { subject?: string; keepBrowserSessionHashes?: string[]; revokeOffline?: boolean } = {},
): Promise<EndedSessions> {
  const rows = where ? await tx.select({ idHash: sessions.idHash }).from(sessions).where(where) : [];
  return endSessions(tx, {
    browserSessionHashes: rows.map((r) => r.idHash),
    ...(opts.subject ? { subject: opts.subject } : {}),
    ...(opts.keepBrowserSessionHashes ? { keepBrowserSessionHashes: opts.keepBrowserSessionHashes } : {}),
    ...(opts.revokeOffline ? { revokeOffline: true } : {}),
  });
}

/** A browser session replaced by a new login on the same browser: it ends with its provider sessions. */
export function endBrowserSession(db: Db, token: string): Promise<EndedSessions> {
  return db.transaction((tx) => endSessions(tx, { browserSessionHashes: [tokenHash(token)] }));
}

/** One sso.backchannel_logout job per client (that has a back-channel URI and is enabled) and session. */
export async function enqueueBackchannelLogout(tx: Queryable, notices: BackchannelNotice[]): Promise<number> {
  if (notices.length === 0) return 0;
  const clientIds = [...new Set(notices.map((n) => n.clientId))];
  const withUri = new Set(
    (
      await tx
        .select({ clientId: ssoClients.clientId })
        .from(ssoClients)
        .where(and(inArray(ssoClients.clientId, clientIds), isNotNull(ssoClients.backchannelLogoutUri), isNull(ssoClients.disabledAt)))
    ).map((r) => r.clientId),
  );
  let sent = 0;
  for (const n of notices) {
    if (!withUri.has(n.clientId)) continue;
    if ((await enqueue(tx, 'sso.backchannel_logout', n, { key: `${n.clientId}:${n.sid}` })) !== null) sent++;
  }
  return sent;
}

/** Links a provider session to the browser session it was made from (the provider hook, after its login). */
export async function linkProviderSession(
  tx: Queryable,
  link: { sessionUid: string; browserSessionHash: string; subject: string },
  now: Date,
): Promise<void> {
  await tx
    .insert(ssoSessionLinks)
    .values({ ...link, createdAt: now })
    .onConflictDoUpdate({
      target: ssoSessionLinks.sessionUid,
      set: { browserSessionHash: link.browserSessionHash, subject: link.subject, createdAt: now },
    });
}

/**
 * The sso.purge job's part: provider sessions whose one-stop or portal session timed out (idle, past its limit)
 * or is gone end too — what they granted is revoked and their clients are told — a batch per run. (An
 * authorization on one is refused at once anyway: session-hooks.ts endIfOrphaned.) The browser side is left to
 * its own purge: a citizen's lapsed session is kept a while to save a draft.
 */
export async function endLapsedProviderSessions(db: Db, now: Date, idleMs: number, batch = 500): Promise<number> {
  const lapsed = await db
    .select({ uid: ssoSessionLinks.sessionUid })
    .from(ssoSessionLinks)
    .leftJoin(sessions, eq(sessions.idHash, ssoSessionLinks.browserSessionHash))
    .where(or(isNull(sessions.idHash), lte(sessions.expiresAt, now), lte(sessions.lastSeenAt, new Date(now.getTime() - idleMs))))
    .limit(batch);
  if (lapsed.length === 0) return 0;
  const ended = await db.transaction((tx) => endSessions(tx, { providerSessionUids: lapsed.map((l) => l.uid), providerOnly: true }));
  return ended.providerSessions;
}

/** The sso.purge job's part: links whose provider session is gone (expired and purged, or ended elsewhere). */
export async function purgeStaleSessionLinks(tx: Queryable): Promise<void> {
  await tx
    .delete(ssoSessionLinks)
    .where(
      sql`not exists (select 1 from ${ssoModels} where ${ssoModels.model} = 'Session' and ${ssoModels.uid} = ${ssoSessionLinks.sessionUid})`,
    );
}
