import { delegationsInForce, registerAgencies, type LentView } from '../dossiers/access.js';
import { heldProcedures, offeredIds, visibleProcedures } from '../dossiers/inbox-choices.js';
import { actorOf, type Ctx } from '../web/http.js';
import { loadCalendar } from '../calendar/load.js';
import { listProcedureChoices, listSectors } from '../procedures/procedure-queries.js';
import { officeMinutesPerDay } from '../dossiers/steps.js';

// What several officials' pages read around their content (page chrome, cached; the use cases decide).

/**
 * "Sắp đến hạn" ends one working day from now. The calendar here only colours and filters the
 * inbox, so it may come from the display cache; due dates themselves are computed by the use cases
 * on the calendar read afresh.
 */
export async function soonThreshold(c: Ctx, now: Date) {
  const { db, displayCache } = c.get('deps');
  const cal = await displayCache.get('calendar', () => loadCalendar(db, now));
  return cal.addWorkingMinutes(now, officeMinutesPerDay(cal));
}

/** The agencies whose Mẫu 07 the official may read (page chrome: the register checks again). */
export function agenciesOf(c: Ctx) {
  const { db, displayCache } = c.get('deps');
  const actor = actorOf(c);
  return displayCache.get(`agencies:${actor.accountId}`, () => registerAgencies(db, actor));
}

/** Sectors and current procedures, for the filters of the lists beside the inbox and the reception form's choices. */
export function catalog(c: Ctx) {
  const { db, displayCache } = c.get('deps');
  return displayCache.get('catalog', async () => {
    const [sectorRows, procs] = await Promise.all([listSectors(db), listProcedureChoices(db)]);
    return { sectors: sectorRows, procedures: procs };
  });
}

/**
 * The inbox's Lĩnh vực and Thủ tục choices: those of the procedures whose dossiers can wait at the positions the list
 * reads — the official's own, or in a delegated tab (`via`) the delegator's within the delegation's scope
 * (dossiers/inbox-choices.ts) — not the whole province's catalog. Page chrome, cached per account whose positions are
 * read: a change of grants or of a process is administration and clears it. A value chosen outside them (a bookmark,
 * a procedure whose process has moved) is offered too, so that the form shows the filter the list answers.
 */
export async function inboxChoices(
  c: Ctx,
  via: LentView | null,
  chosen: { sectorId?: string | undefined; procedureId?: string | undefined },
) {
  const { db, displayCache } = c.get('deps');
  const accountId = via ? via.delegatorId : actorOf(c).accountId;
  const [all, held] = await Promise.all([catalog(c), displayCache.get(`inbox-choices:${accountId}`, () => heldProcedures(db, accountId))]);
  const offered = offeredIds(held, via);
  return {
    sectors: all.sectors.filter((s) => offered.sectorIds.has(s.id) || s.id === chosen.sectorId),
    procedures: all.procedures.filter((p) => offered.procedureIds.has(p.id) || p.id === chosen.procedureId),
  };
}

/**
 * The Lĩnh vực and Thủ tục choices of Hồ sơ đã tiếp nhận and Theo dõi (the procedures of the dossiers the official may
 * open) and of Tất cả hồ sơ (those of the units they lead): dossiers/inbox-choices.ts visibleProcedures. Cached per
 * account and scope like the inbox's; a value chosen outside them is offered too.
 */
export async function trackingChoices(
  c: Ctx,
  scope: 'positions' | 'led',
  chosen: { sectorId?: string | undefined; procedureId?: string | undefined },
) {
  const { db, displayCache } = c.get('deps');
  const accountId = actorOf(c).accountId;
  const [all, visible] = await Promise.all([
    catalog(c),
    displayCache.get(`tracking-choices:${scope}:${accountId}`, () => visibleProcedures(db, accountId, scope)),
  ]);
  const sectorIds = new Set(visible.map((v) => v.sectorId));
  const procedureIds = new Set(visible.map((v) => v.procedureId));
  return {
    sectors: all.sectors.filter((s) => sectorIds.has(s.id) || s.id === chosen.sectorId),
    procedures: all.procedures.filter((p) => procedureIds.has(p.id) || p.id === chosen.procedureId),
  };
}

/**
 * The delegations in force lent to the official, as the tabs of their own inbox (page chrome: a delegated tab reads
 * them afresh, and every action checks access.ts). Creating or ending one is announced like administration
 * (app.tsx), so only a delegation that begins or lapses by the clock shows late, by the cache's lifetime at most.
 * Cached: one round trip to the database less on every page of the inbox.
 */
export function delegationTabs(c: Ctx, now: Date) {
  const { db, displayCache } = c.get('deps');
  const actor = actorOf(c);
  return displayCache.get(`delegations:${actor.accountId}`, () => delegationsInForce(db, actor, now));
}
