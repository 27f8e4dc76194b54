/**
 * "Giao cho tôi": the open dossiers assigned to an official at a step whose position they hold (or, in a
 * delegation's tab, assigned to the delegator, within the delegation's scope) — exactly the assigned dossiers
 * access.ts lets them act on, so every one listed can be handled. Shown above the inbox, by due date.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import type { StaffActor } from '../shared/context.js';
import { positionsCte, type LentView } from './access.js';
import { OPEN_STATUSES_SQL } from './transitions.js';

export type AssignedRow = { id: string; code: string; procedureName: string; applicantName: string; dueAt: Date };

const LIMIT = 50;

export async function listAssignedToMe(db: Queryable, actor: StaffActor, via: LentView | null = null): Promise<AssignedRow[]> {
  const accountId = via ? via.delegatorId : actor.accountId;
  const scope =
    via?.scope === 'sectors'
      ? sql` and d.sector_id = any(${via.sectorIds}::uuid[])`
      : via?.scope === 'procedures'
        ? sql` and d.procedure_id = any(${via.procedureIds}::uuid[])`
        : sql``;
  const rows = await queryRows<{ id: string; code: string; procedure_name: string; applicant_name: string; due_at: string }>(
    db,
    sql`with recursive ${positionsCte(sql`${accountId}::uuid`)}
      select d.id, d.code, pv.name as procedure_name, d.applicant->>'fullName' as applicant_name, d.due_at
      from dossiers d join procedure_versions pv on pv.id = d.procedure_version_id
      where d.assigned_to = ${accountId}::uuid and d.status in ${sql.raw(OPEN_STATUSES_SQL)}${scope}
        and exists (select 1 from positions p where p.unit_id = d.current_unit_id and p.role = d."current_role")
      order by d.due_at, d.id limit ${LIMIT}`,
  );
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    procedureName: r.procedure_name,
    applicantName: r.applicant_name,
    dueAt: new Date(r.due_at),
  }));
}
