/**
 * Reconciliation (daily): what the national portal holds for our dossiers changed in the last days, against the
 * latest record we pushed. A dossier whose every record was pushed but whose national state differs (or is missing)
 * gets its latest state again as a new outbox row (reason 'reconcile', the next seq, under the dossier's row lock
 * like the trigger's rows), pushed like any other: idempotent, since a dossier already matching, or with records
 * still waiting, gets nothing — running it twice re-sends nothing twice. Both sides are matched by the id the
 * national side knows a dossier by (nationalDossierKey): a pulled dossier's national id, else our code.
 */
import { and, desc, eq, gte, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { dossiers, nationalStatusOutbox, type NationalStatusPayload } from '../db/schema/index.js';
import { type HeldStatus, type NationalPortalClient, nationalDossierKey } from './client.js';
import { enqueueNationalPush } from './push.js';

/** The fields whose difference means the national side is wrong. */
const differs = (ours: NationalStatusPayload, held: HeldStatus | undefined) =>
  !held ||
  held.TrangThaiHoSo !== ours.TrangThaiHoSo ||
  (held.NgayHenTra ?? null) !== ours.NgayHenTra ||
  (held.NgayKetThucXuLy ?? null) !== ours.NgayKetThucXuLy ||
  (held.KenhThucHien !== undefined && held.KenhThucHien !== ours.KenhThucHien);

/** Pages read from the national side per run, at most (a runaway cursor stops here). */
const MAX_PAGES = 1000;

export async function reconcileNationalStatuses(
  db: Db,
  client: NationalPortalClient,
  now: Date,
  logger: Logger,
  days = 7,
): Promise<{ checked: number; differing: number; codes: string[] }> {
  const since = new Date(now.getTime() - days * 86_400_000);
  const held = new Map<string, HeldStatus>();
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await client.heldStatuses(since, cursor);
    for (const item of res.items) held.set(nationalDossierKey(item), item);
    // Not on an empty page: a page of unreadable items only (client.ts passes them over) may have more after it.
    if (!res.nextCursor || res.nextCursor === cursor) break;
    cursor = res.nextCursor;
  }
  // Our side: each dossier changed since then, its latest record — only when that one was pushed (else it is on its way).
  const latest = await db
    .selectDistinctOn([nationalStatusOutbox.dossierId])
    .from(nationalStatusOutbox)
    .where(
      sql`${nationalStatusOutbox.dossierId} in (select dossier_id from national_status_outbox where changed_at >= ${since.toISOString()}::timestamptz)`,
    )
    .orderBy(nationalStatusOutbox.dossierId, desc(nationalStatusOutbox.seq));
  const codes: string[] = [];
  for (const row of latest) {
    if (!row.pushedAt || !differs(row.payload, held.get(nationalDossierKey(row.payload)))) continue;
    const resent = await db.transaction(async (tx) => {
      await tx.select({ id: dossiers.id }).from(dossiers).where(eq(dossiers.id, row.dossierId)).for('update');
      const [last] = await tx
        .select({ seq: nationalStatusOutbox.seq, pushedAt: nationalStatusOutbox.pushedAt })
        .from(nationalStatusOutbox)
        .where(and(eq(nationalStatusOutbox.dossierId, row.dossierId), gte(nationalStatusOutbox.seq, row.seq)))
        .orderBy(desc(nationalStatusOutbox.seq))
        .limit(1);
      // A change (or another reconciliation) since the read: its own record carries the state.
      if (!last || last.seq !== row.seq) return false;
      await tx.insert(nationalStatusOutbox).values({
        dossierId: row.dossierId,
        seq: row.seq + 1,
        status: row.status,
        code: row.code,
        channel: row.channel,
        payload: row.payload,
        changedAt: now,
        reason: 'reconcile',
      });
      await enqueueNationalPush(tx, row.dossierId);
      return true;
    });
    if (resent) codes.push(row.payload.MaHoSo);
  }
  logger.info(
    { checked: latest.length, held: held.size, differing: codes.length, codes: codes.slice(0, 50) },
    'national portal reconciliation',
  );
  return { checked: latest.length, differing: codes.length, codes };
}
