import crypto from 'node:crypto';
import { desc, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { auditLog } from '../db/schema/index.js';
import { SYSTEM_ACCOUNT_ID, type RequestMeta } from '../shared/context.js';

export type AuditEntry = {
  action: string;
  actorId: string | null;
  actorLabel: string | null;
  targetType?: string | null;
  targetId?: string | null;
  unitId?: string | null;
  meta?: RequestMeta;
  data?: Record<string, unknown>;
};

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level, so a row hashes the same after a jsonb round trip. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export type HashedFields = {
  at: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  unitId: string | null;
  ip: string | null;
  requestId: string | null;
  data: Record<string, unknown>;
};

export function entryHash(prevHash: string, f: HashedFields): string {
  const body = canonicalJson({ ...f, at: new Date(f.at).toISOString(), prevHash });
  return crypto.createHash('sha256').update(body).digest('hex');
}

/**
 * Append one audit row inside the caller's transaction. A transaction-scoped advisory lock
 * serialises appends so two concurrent writers can never chain onto the same predecessor.
 */
export async function recordAudit(tx: Queryable, entry: AuditEntry): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(7411001)`);
  const last = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  const prevHash = last[0]?.hash ?? GENESIS_HASH;
  const fields: HashedFields = {
    at: new Date().toISOString(),
    actorId: entry.actorId === SYSTEM_ACCOUNT_ID ? null : entry.actorId,
    actorLabel: entry.actorLabel,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    unitId: entry.unitId ?? null,
    ip: entry.meta?.ip ?? null,
    requestId: entry.meta?.requestId ?? null,
    data: JSON.parse(JSON.stringify(entry.data ?? {})) as Record<string, unknown>,
  };
  await tx.insert(auditLog).values({ ...fields, at: new Date(fields.at), prevHash, hash: entryHash(prevHash, fields) });
}
