/**
 * The procedures an official may receive at the counter: the current versions whose reception step (the first) is
 * a position the official holds in their own right — the step's role at the step's unit, or at the receiving agency
 * (the version's first unit) when the step names none. The same rule as receiveDossier's (mayActAtStep), read for
 * every procedure at once; counter reception is never lent (decision 0017), so only own positions count. A procedure
 * whose receiving agency is inactive is not offered: receiveDossier refuses it.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import type { ProcedureDocument } from '../db/schema/index.js';
import type { StaffActor } from '../shared/context.js';
import { receivingAgencyReceives } from '../org/active-agency.js';
import { positionsCte } from './access.js';

export type ReceivableProcedure = {
  id: string;
  /** The version shown: the reception form carries it, and a form of another version is refused (receive-dossier.ts). */
  version: number;
  name: string;
  sectorId: string;
  documents: ProcedureDocument[];
  fee: number;
  feeNote: string | null;
  workingDays: number | null;
  workingHours: number | null;
};

export async function receivableProcedures(db: Queryable, actor: StaffActor): Promise<ReceivableProcedure[]> {
  const rows = await queryRows<{
    id: string;
    version: number;
    name: string;
    sector_id: string;
    documents: ProcedureDocument[];
    fee: number;
    fee_note: string | null;
    working_days: number | null;
    working_hours: string | number | null;
  }>(
    db,
    sql`with recursive ${positionsCte(sql`${actor.accountId}::uuid`)}
      select v.procedure_id as id, v.version, v.name, v.sector_id, v.documents, v.fee, v.fee_note, v.working_days, v.working_hours
      from procedure_versions v
      where v.current and ${receivingAgencyReceives(sql`v`)} and exists (
        select 1 from positions p
        where p.role = v.steps -> 0 ->> 'role'
          and p.unit_id = coalesce((v.steps -> 0 ->> 'unitId')::uuid, (v.unit_ids ->> 0)::uuid)
      )
      order by v.name`,
  );
  return rows.map((r) => ({
    id: r.id,
    version: Number(r.version),
    name: r.name,
    sectorId: r.sector_id,
    documents: r.documents,
    fee: Number(r.fee),
    feeNote: r.fee_note,
    workingDays: r.working_days == null ? null : Number(r.working_days),
    workingHours: r.working_hours == null ? null : Number(r.working_hours),
  }));
}
