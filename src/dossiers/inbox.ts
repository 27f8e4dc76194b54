/**
 * Hồ sơ cần xử lý: the dossiers waiting at the steps an official is responsible for — their role
 * at a unit covers the unit's subtree — filtered, sorted by due date, paged by keyset, with counts
 * per tab. One indexed query: (current_unit_id, current_role, due_at, id).
 */
import { and, asc, eq, gt, gte, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { accounts, dossiers, procedureVersions, roleGrants, type DossierStatus } from '../db/schema/index.js';
import type { Actor } from '../shared/context.js';
import { escapeLike, foldVietnamese } from '../shared/text.js';
import { subtreeIds } from '../org/tree.js';

export const INBOX_TABS = {
  'cho-tiep-nhan': { label: 'Chờ tiếp nhận (trực tuyến)', statuses: ['submitted'] as DossierStatus[] },
  'cho-xu-ly': { label: 'Chờ xử lý', statuses: ['received', 'processing'] as DossierStatus[] },
  'bo-sung': { label: 'Chờ bổ sung', statuses: ['supplement'] as DossierStatus[] },
  'cho-tra': { label: 'Chờ trả kết quả', statuses: ['done'] as DossierStatus[] },
} as const;
export type InboxTab = keyof typeof INBOX_TABS;

export type DueState = 'con-han' | 'sap-den-han' | 'qua-han';

export type InboxFilter = {
  tab?: InboxTab | undefined;
  sectorId?: string | undefined;
  procedureId?: string | undefined;
  dueState?: DueState | undefined;
  /** Reception date range, as instants. */
  from?: Date | undefined;
  to?: Date | undefined;
  q?: string | undefined;
  /** Keyset cursor: "<dueAt ISO>|<id>" of the last row seen. */
  after?: string | undefined;
  limit?: number | undefined;
};

/** The (role → units) positions an official covers. */
export async function positionsOf(db: Queryable, actor: Actor): Promise<Map<string, string[]>> {
  const grants = await db
    .select({ role: roleGrants.role, unitId: roleGrants.unitId })
    .from(roleGrants)
    .innerJoin(accounts, eq(accounts.id, roleGrants.accountId))
    .where(and(eq(roleGrants.accountId, actor.accountId), eq(accounts.suspended, false)));
  const byRole = new Map<string, string[]>();
  for (const g of grants) {
    if (g.role === 'admin') continue;
    byRole.set(g.role, [...(byRole.get(g.role) ?? []), g.unitId]);
  }
  const out = new Map<string, string[]>();
  for (const [role, roots] of byRole) out.set(role, await subtreeIds(db, roots));
  return out;
}

function positionCondition(positions: Map<string, string[]>): SQL | undefined {
  const parts = [...positions].map(([role, unitIds]) => and(eq(dossiers.currentRole, role), inArray(dossiers.currentUnitId, unitIds))!);
  return parts.length ? or(...parts) : undefined;
}

/** `soonUntil`: the instant before which a dossier is "sắp đến hạn" (one working day from now). */
export async function listInbox(db: Queryable, actor: Actor, f: InboxFilter, now: Date, soonUntil: Date) {
  const positions = await positionsOf(db, actor);
  const mine = positionCondition(positions);
  const tab: InboxTab = f.tab ?? 'cho-xu-ly';
  if (!mine) return { rows: [], counts: { 'cho-tiep-nhan': 0, 'cho-xu-ly': 0, 'bo-sung': 0, 'cho-tra': 0 } as Record<InboxTab, number>, next: null };
  const filters: SQL[] = [mine];
  if (f.sectorId) filters.push(eq(dossiers.sectorId, f.sectorId));
  if (f.procedureId) filters.push(eq(dossiers.procedureId, f.procedureId));
  if (f.dueState === 'qua-han') filters.push(lt(dossiers.dueAt, now));
  if (f.dueState === 'sap-den-han') filters.push(and(gte(dossiers.dueAt, now), lt(dossiers.dueAt, soonUntil))!);
  if (f.dueState === 'con-han') filters.push(gte(dossiers.dueAt, soonUntil));
  if (f.from) filters.push(gte(dossiers.receivedAt, f.from));
  if (f.to) filters.push(lt(dossiers.receivedAt, f.to));
  const term = f.q?.trim();
  if (term) {
    const folded = `%${escapeLike(foldVietnamese(term))}%`;
    filters.push(or(sql`${dossiers.code} ilike ${`%${escapeLike(term)}%`}`, sql`${dossiers.applicantFolded} like ${folded}`)!);
  }
  const page: SQL[] = [...filters, inArray(dossiers.status, INBOX_TABS[tab].statuses)];
  if (f.after) {
    const [dueIso, id] = f.after.split('|');
    const due = new Date(dueIso ?? '');
    if (!Number.isNaN(due.getTime()) && id && /^[0-9a-f-]{36}$/i.test(id)) {
      page.push(or(gt(dossiers.dueAt, due), and(eq(dossiers.dueAt, due), gt(dossiers.id, id)))!);
    }
  }
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 200);
  const rows = await db
    .select({
      id: dossiers.id,
      code: dossiers.code,
      status: dossiers.status,
      applicant: dossiers.applicant,
      receivedAt: dossiers.receivedAt,
      dueAt: dossiers.dueAt,
      stepDueAt: dossiers.stepDueAt,
      currentStep: dossiers.currentStep,
      channel: dossiers.channel,
      procedureName: procedureVersions.name,
    })
    .from(dossiers)
    .innerJoin(procedureVersions, eq(procedureVersions.id, dossiers.procedureVersionId))
    .where(and(...page))
    .orderBy(asc(dossiers.dueAt), asc(dossiers.id))
    .limit(limit + 1);
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const last = shown[shown.length - 1];
  const countRows = await db
    .select({ status: dossiers.status, n: sql<number>`count(*)::int` })
    .from(dossiers)
    .where(and(...filters, inArray(dossiers.status, ['submitted', 'received', 'processing', 'supplement', 'done'])))
    .groupBy(dossiers.status);
  const counts = { 'cho-tiep-nhan': 0, 'cho-xu-ly': 0, 'bo-sung': 0, 'cho-tra': 0 } as Record<InboxTab, number>;
  for (const r of countRows) {
    for (const [k, v] of Object.entries(INBOX_TABS)) if ((v.statuses as string[]).includes(r.status)) counts[k as InboxTab] += r.n;
  }
  return { rows: shown, counts, next: more && last ? `${last.dueAt.toISOString()}|${last.id}` : null };
}
