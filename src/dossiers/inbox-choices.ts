/**
 * What the inbox's filter offers under Lĩnh vực and Thủ tục: the procedures whose dossiers can wait at an official's
 * positions, and their sectors — not the province's whole catalog, most of which never reaches a commune's official.
 *
 * A dossier waits at the position of its current step (stepPosition: the step's role at the step's unit, or at the
 * dossier's receiving agency when the step names none), and its receiving agency is one of its version's units
 * (`unit_ids`: receive-dossier.ts, submit-dossier.ts, the national portal's pull). So the procedures that can reach
 * the inbox are those with a version whose step has a role the official holds at the step's unit, or at one of the
 * version's units when the step names none. Every version, not only the current one: a dossier keeps the version it
 * was received under, and one received before a change of process still waits at that version's steps. Each pair is
 * (procedure, the sector of that version): a dossier carries its version's sector.
 *
 * Page chrome (cached per account by onestop/page-data.ts): it decides nothing, and the inbox answers a sector or
 * procedure outside it like any other.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import { positionsCte, type LentView } from './access.js';

type HeldProcedure = { procedureId: string; sectorId: string };

/**
 * The (procedure, sector) pairs of the versions with a step at one of the account's positions. One pass over the
 * versions' steps joined to the positions on (role, unit): linear in steps and positions, whatever their numbers.
 */
export function heldProcedures(db: Queryable, accountId: string): Promise<HeldProcedure[]> {
  return queryRows<HeldProcedure>(
    db,
    sql`with recursive ${positionsCte(sql`${accountId}::uuid`)},
      steps(procedure_id, sector_id, role, unit_id, unit_ids) as (
        select v.procedure_id, v.sector_id, s ->> 'role', (s ->> 'unitId')::uuid, v.unit_ids
        from procedure_versions v cross join lateral jsonb_array_elements(v.steps) as s
      ),
      at_unit(unit_id, role, procedure_id, sector_id) as (
        select st.unit_id, st.role, st.procedure_id, st.sector_id from steps st where st.unit_id is not null
        union
        select a.unit_id::uuid, st.role, st.procedure_id, st.sector_id
        from steps st cross join lateral jsonb_array_elements_text(st.unit_ids) as a(unit_id)
        where st.unit_id is null
      )
      select distinct s.procedure_id as "procedureId", s.sector_id as "sectorId"
      from at_unit s join positions p on p.unit_id = s.unit_id and p.role = s.role`,
  );
}

/**
 * The sectors and procedures a list of held pairs offers, narrowed in a delegated tab to the delegation's scope (the
 * delegator's dossiers in its sectors or procedures: inbox.ts lentScope).
 */
export function offeredIds(held: readonly HeldProcedure[], via: LentView | null): { sectorIds: Set<string>; procedureIds: Set<string> } {
  const inScope = (h: HeldProcedure) =>
    !via || via.scope === 'all'
      ? true
      : via.scope === 'sectors'
        ? via.sectorIds.includes(h.sectorId)
        : via.procedureIds.includes(h.procedureId);
  const kept = held.filter(inScope);
  return { sectorIds: new Set(kept.map((h) => h.sectorId)), procedureIds: new Set(kept.map((h) => h.procedureId)) };
}

/**
 * What Hồ sơ đã tiếp nhận, Theo dõi and Tất cả hồ sơ offer under Lĩnh vực and Thủ tục: the (procedure, sector) pairs
 * of the versions whose dossiers those lists can show. Each list shows only what the official may open
 * (VISIBLE_THROUGH_POSITIONS: received at one of their positions' units or with a step there), and a dossier's
 * receiving agency is one of its version's `unit_ids`; so these are the versions with a unit or a step at one of
 * those units — for Tất cả hồ sơ (`led`) at one of the units they lead, the list's own sources (tracking.ts).
 */
export function visibleProcedures(db: Queryable, accountId: string, scope: 'positions' | 'led'): Promise<HeldProcedure[]> {
  const units = scope === 'led' ? sql`select unit_id from positions where role = 'approval'` : sql`select unit_id from positions`;
  return queryRows<HeldProcedure>(
    db,
    sql`with recursive ${positionsCte(sql`${accountId}::uuid`)},
      -- Not named "units": positionsCte reads the table of that name.
      scope_units(unit_id) as (${units})
      select distinct v.procedure_id as "procedureId", v.sector_id as "sectorId"
      from procedure_versions v
      -- Compared as lower-case text: no cast of what a version's unit_ids and steps hold (an id posted in capitals
      -- is stored as posted, and uuid::text is lower-case).
      where exists (select 1 from jsonb_array_elements_text(v.unit_ids) as a(unit_id)
          where lower(a.unit_id) in (select unit_id::text from scope_units))
        or exists (select 1 from jsonb_array_elements(v.steps) as s
          where lower(s ->> 'unitId') in (select unit_id::text from scope_units))`,
  );
}
