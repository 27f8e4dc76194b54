import crypto from 'node:crypto';
import type { Queryable } from '../db/client.js';
import { eq } from 'drizzle-orm';
import { accounts, auditLog } from '../db/schema/index.js';
import { type Actor, actorColumns, type RequestMeta } from '../shared/context.js';

/**
 * Who the log names when no session acts yet: a login attempt (`id` the account it named, if any; the label what
 * was typed) or a person proven by VNeID deciding about the accounts that name them (`id` the person).
 */
type PreSessionActor =
  | { kind: 'anonymous'; id: string | null; label: string | null; meta: RequestMeta }
  | { kind: 'person'; id: string; label: string; meta: RequestMeta };

type AuditActor = Actor | PreSessionActor;

export type AuditEntry = {
  action: string;
  actor: AuditActor;
  targetType?: string | null;
  targetId?: string | null;
  /**
   * The unit whose administrators see the row in Nhật ký hệ thống; null: none of a unit (a citizen's, the system's),
   * seen by the province's administrators. Left out for an official or an API key: the acting account's unit, so an
   * official's own action (ending a session, a setting) is never a row no administrator can read.
   */
  unitId?: string | null;
  data?: Record<string, unknown>;
};

async function actingUnit(tx: Queryable, actor: AuditActor): Promise<string | null> {
  if (actor.kind !== 'official' && actor.kind !== 'api') return null;
  const [account] = await tx.select({ unitId: accounts.unitId }).from(accounts).where(eq(accounts.id, actor.accountId));
  return account?.unitId ?? null;
}

function actorFields(actor: AuditActor) {
  if (actor.kind === 'anonymous' || actor.kind === 'person') {
    return { actorKind: actor.kind, actorId: actor.id, actorLabel: actor.label, onBehalfOf: null };
  }
  return actorColumns(actor);
}

/** An action under a delegation names it and the delegator in the row's data (on_behalf_of holds the id). */
function onBehalfData(actor: AuditActor): Record<string, unknown> {
  if (actor.kind !== 'official' || !actor.onBehalfOf) return {};
  return { delegation: { id: actor.onBehalfOf.delegationId, onBehalfOf: actor.onBehalfOf.label } };
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level, so a row hashes the same after a jsonb round trip. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export type HashedFields = {
  at: string;
  /** Absent (not null) on rows written before kinds were recorded, so their hashes still hold. */
  actorKind?: string;
  actorId: string | null;
  actorLabel: string | null;
  /** Absent unless the actor stood in for another official. */
  onBehalfOf?: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  unitId: string | null;
  ip: string | null;
  requestId: string | null;
  data: Record<string, unknown>;
};

/** The chain hash of a row sealed before 0011: its content and its predecessor's hash in one. */
export function entryHash(prevHash: string, f: HashedFields): string {
  const body = canonicalJson({ ...f, at: new Date(f.at).toISOString(), prevHash });
  return crypto.createHash('sha256').update(body).digest('hex');
}

/** A row's own hash: its content alone, computed when it is written. */
export function contentHash(f: HashedFields): string {
  const body = canonicalJson({ ...f, at: new Date(f.at).toISOString() });
  return crypto.createHash('sha256').update(body).digest('hex');
}

/** A sealed row's chain hash: its predecessor's hash and its own content hash. */
export function sealHash(prevHash: string, rowHash: string): string {
  return crypto.createHash('sha256').update(canonicalJson({ prevHash, rowHash })).digest('hex');
}

/**
 * Append one audit row inside the caller's transaction: its content and the hash of that content,
 * without any lock. The row joins the hash chain when the sealer (seal.ts) next runs after the
 * transaction commits (docs/decisions/0011).
 */
export async function recordAudit(tx: Queryable, entry: AuditEntry): Promise<void> {
  const who = actorFields(entry.actor);
  const fields: HashedFields = {
    at: new Date().toISOString(),
    actorKind: who.actorKind,
    actorId: who.actorId,
    actorLabel: who.actorLabel,
    onBehalfOf: who.onBehalfOf ?? undefined,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    unitId: entry.unitId !== undefined ? entry.unitId : await actingUnit(tx, entry.actor),
    ip: entry.actor.meta.ip,
    requestId: entry.actor.meta.requestId,
    data: JSON.parse(JSON.stringify({ ...entry.data, ...onBehalfData(entry.actor) })) as Record<string, unknown>,
  };
  await tx.insert(auditLog).values({ ...fields, at: new Date(fields.at), rowHash: contentHash(fields) });
}

/** An account acting on itself (login, switch, logout): actor, target and unit are the account. */
export function recordAccountAudit(
  tx: Queryable,
  account: { id: string; username: string; unitId: string },
  action: string,
  meta: RequestMeta,
  data: Record<string, unknown> = {},
) {
  return recordAudit(tx, {
    action,
    actor: { kind: 'official', accountId: account.id, label: account.username, meta },
    targetType: 'account',
    targetId: account.id,
    unitId: account.unitId,
    data,
  });
}
