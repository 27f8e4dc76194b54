import { asc, gt } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { auditLog } from '../db/schema/index.js';
import { GENESIS_HASH, entryHash } from './record.js';

export type ChainReport =
  | { ok: true; checked: number }
  | { ok: false; checked: number; firstBadId: number; reason: 'content_altered' | 'link_broken' };

/** Walk the chain in id order, in pages, recomputing each hash. Names the first row that does not fit. */
export async function verifyAuditChain(db: Queryable, pageSize = 5000): Promise<ChainReport> {
  let prevHash = GENESIS_HASH;
  let lastId = 0;
  let checked = 0;
  for (;;) {
    const rows = await db.select().from(auditLog).where(gt(auditLog.id, lastId)).orderBy(asc(auditLog.id)).limit(pageSize);
    if (rows.length === 0) return { ok: true, checked };
    for (const r of rows) {
      if (r.prevHash !== prevHash) return { ok: false, checked, firstBadId: r.id, reason: 'link_broken' };
      const expected = entryHash(prevHash, {
        at: r.at.toISOString(),
        actorId: r.actorId,
        actorLabel: r.actorLabel,
        action: r.action,
        targetType: r.targetType,
        targetId: r.targetId,
        unitId: r.unitId,
        ip: r.ip,
        requestId: r.requestId,
        data: r.data,
      });
      if (expected !== r.hash) return { ok: false, checked, firstBadId: r.id, reason: 'content_altered' };
      prevHash = r.hash;
      lastId = r.id;
      checked++;
    }
  }
}
