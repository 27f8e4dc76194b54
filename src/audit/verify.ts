import { and, asc, gt, isNotNull, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { auditLog } from '../db/schema/index.js';
import { GENESIS_HASH, contentHash, entryHash, sealHash, type HashedFields } from './record.js';

export type ChainReport =
  | { ok: true; checked: number; unsealed: number }
  | { ok: false; checked: number; unsealed: number; firstBadId: number; reason: 'content_altered' | 'link_broken' };

type Row = typeof auditLog.$inferSelect;

const fieldsOf = (r: Row): HashedFields => ({
  at: r.at.toISOString(),
  actorKind: r.actorKind ?? undefined,
  actorId: r.actorId,
  actorLabel: r.actorLabel,
  onBehalfOf: r.onBehalfOf ?? undefined,
  action: r.action,
  targetType: r.targetType,
  targetId: r.targetId,
  unitId: r.unitId,
  ip: r.ip,
  requestId: r.requestId,
  data: r.data,
});

/**
 * Check the audit trail in one consistent snapshot (docs/decisions/0011): the sealed rows in chain
 * order — each row's content against its own hash and its link to its predecessor — then the rows not
 * sealed yet, each against its own hash. Names the first row that does not fit. `checked` counts
 * every row checked, `unsealed` those of them not in the chain yet. Seal first (seal.ts) to check
 * as much as possible as a chain.
 */
export async function verifyAuditChain(db: Db, pageSize = 5000): Promise<ChainReport> {
  return db.transaction(
    async (tx) => {
      let prevHash = GENESIS_HASH;
      let lastSeq = 0;
      let checked = 0;
      let unsealed = 0;
      const bad = (firstBadId: number, reason: 'content_altered' | 'link_broken'): ChainReport => ({
        ok: false,
        checked,
        unsealed,
        firstBadId,
        reason,
      });
      for (;;) {
        const rows = await tx
          .select()
          .from(auditLog)
          .where(and(isNotNull(auditLog.seq), gt(auditLog.seq, lastSeq)))
          .orderBy(asc(auditLog.seq))
          .limit(pageSize);
        if (rows.length === 0) break;
        for (const r of rows) {
          if (r.prevHash !== prevHash) return bad(r.id, 'link_broken');
          // A row chained before 0011 has no hash of its own: its chain hash covers its content.
          const fits =
            r.rowHash === null
              ? entryHash(prevHash, fieldsOf(r)) === r.hash
              : contentHash(fieldsOf(r)) === r.rowHash && sealHash(prevHash, r.rowHash) === r.hash;
          if (!fits || r.hash === null || r.seq === null) return bad(r.id, 'content_altered');
          prevHash = r.hash;
          lastSeq = r.seq;
          checked++;
        }
      }
      let lastId = 0;
      for (;;) {
        const rows = await tx
          .select()
          .from(auditLog)
          .where(and(isNull(auditLog.seq), gt(auditLog.id, lastId)))
          .orderBy(asc(auditLog.id))
          .limit(pageSize);
        if (rows.length === 0) return { ok: true, checked, unsealed };
        for (const r of rows) {
          if (r.rowHash === null || r.prevHash !== null || r.hash !== null || contentHash(fieldsOf(r)) !== r.rowHash)
            return bad(r.id, 'content_altered');
          lastId = r.id;
          checked++;
          unsealed++;
        }
      }
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}
