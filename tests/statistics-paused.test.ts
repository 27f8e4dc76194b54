/**
 * A dossier waiting for the applicant's supplement has its deadline clock stopped: the officials' lists call it Tạm
 * dừng tính hạn, never Quá hạn (tests/supplement-wait.test.ts). The statistics agree: such a dossier is counted in
 * progress and paused, never late or within its deadline — in the kept counters, in the drill-down and in the
 * exports' columns — while one that resumed and then went past its moved due date is late; and the lists' Quá hạn and
 * Tạm dừng tính hạn are the report's in-progress late and paused dossiers, the same ones.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { buildApp, Client, TEST_PASSWORD, type App } from './support/app.js';
import { statisticsScenario, vn } from './support/statistics.js';
import { queryRows } from '../src/db/client.js';
import { roleGrants } from '../src/db/schema/index.js';
import { counts, headerCells } from '../src/statistics/export-layout.js';
import { listCellDossiers } from '../src/statistics/list-cell-dossiers.js';
import { counterDrift } from '../src/statistics/recount.js';
import { readServiceIndex } from '../src/statistics/service-index.js';
import { readSituationReport } from '../src/statistics/situation-report.js';

const t = useDemoApp();
/** Tuesday 1 December 2026, 08:00 in Vietnam: every due date below is a whole day or more away from it. */
const NOW = vn('2026-12-01T08:00');

let app: App;
beforeAll(() => {
  app = buildApp(t.database, {}, { now: () => NOW });
});

/**
 * Sở Công Thương, procedure 2.000633 (10 working days), every dossier left at the reception step:
 * P received 1/10 (due 15/10), asked to supplement on 20/10 — after its due date — and still waiting;
 * Q received 2/11 (due 16/11), asked on 3/11, still waiting;
 * R received 5/10, waited 6/10–13/10, so its due date moved from 19/10 to 26/10: now past, and late;
 * S received 7/10 (due 21/10), never paused: late;
 * U received 25/11 (due 9/12): within its deadline;
 * V received 12/10 (due 26/10), asked on 5/11 — after October — and still waiting: late at the end of October, paused now.
 */
async function pausedSet() {
  const scenario = await statisticsScenario(t.database, 'Mai Văn Chờ');
  const { clerk, director, act, receive } = scenario;
  const ask = (id: string, at: string) => act(clerk, id, 'request_supplement', at, { note: 'Thiếu hợp đồng', items: 'Hợp đồng thuê' });
  const p = await receive('1', '2026-10-01T09:00');
  await ask(p.id, '2026-10-20T10:00');
  const q = await receive('1', '2026-11-02T09:00');
  await ask(q.id, '2026-11-03T10:00');
  const r = await receive('1', '2026-10-05T09:00');
  await ask(r.id, '2026-10-06T10:00');
  await act(clerk, r.id, 'supplement_received', '2026-10-13T10:00');
  const s = await receive('1', '2026-10-07T09:00');
  const u = await receive('1', '2026-11-25T09:00');
  const v = await receive('1', '2026-10-12T09:00');
  await ask(v.id, '2026-11-05T10:00');
  // The director leads Sở Công Thương as a whole here, so the drill-down lists every dossier of a figure.
  await t.database.db.insert(roleGrants).values({ accountId: director.accountId, unitId: t.unitIds.sct!, role: 'approval' });
  return { director, clerk, p, q, r, s, u, v };
}

const codes = (ds: Array<{ code: string }>) => ds.map((d) => d.code).sort();

describe('statistics of dossiers whose clock is stopped', () => {
  it('count a waiting dossier as paused, never late, even past its due date; a resumed one past its moved due date is late', async () => {
    const { director, p, q, r, s, u, v } = await pausedSet();
    expect((await counterDrift(t.database.db)).rows).toEqual([]);
    const [moved] = await queryRows<{ due: string }>(
      t.database.db,
      sql`select to_char(due_at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') as due from dossiers where id = ${r.id}`,
    );
    expect(moved?.due).toBe('2026-10-26');

    // Today (a period not over): P, Q and V wait for a supplement, whatever their due dates; R and S are late; U within.
    const december = { unit: t.unitIds.sct!, groupBy: 'unit' as const, from: '2026-12-01', to: '2026-12-31' };
    const now = await readSituationReport(t.database.db, director, december, NOW);
    expect(now.total.inProgress).toEqual({ total: 6, withinDeadline: 1, late: 2, paused: 3 });
    const cell = async (input: typeof december, c: 'in_progress_late' | 'in_progress_paused' | 'in_progress_within') =>
      codes((await listCellDossiers(t.database.db, director, { ...input, cell: c }, NOW)).rows);
    expect(await cell(december, 'in_progress_late')).toEqual(codes([r, s]));
    expect(await cell(december, 'in_progress_paused')).toEqual(codes([p, q, v]));
    expect(await cell(december, 'in_progress_within')).toEqual(codes([u]));

    // October, over: P waited at its end (since 20/10), so it is paused then, not late; R (moved due 26/10), S and V
    // (asked only on 5/11) were late at the end of October; Q and U were not received yet.
    const october = { ...december, from: '2026-10-01', to: '2026-10-31' };
    const past = await readSituationReport(t.database.db, director, october, NOW);
    expect(past.total.inProgress).toEqual({ total: 4, withinDeadline: 0, late: 3, paused: 1 });
    expect(await cell(october, 'in_progress_late')).toEqual(codes([r, s, v]));
    expect(await cell(october, 'in_progress_paused')).toEqual(codes([p]));

    // The exports print the paused dossiers in a column of their own under Số hồ sơ đang giải quyết: (9) = (10) + (11) + (12).
    const [total, within, late, paused] = counts(now.total).slice(8, 12);
    expect([total, within, late, paused]).toEqual([6, 1, 2, 3]);
    expect(headerCells('unit').find((h) => h.col === 13)?.label).toBe('Tạm dừng tính hạn');
    expect(headerCells('unit').find((h) => h.label === 'Số hồ sơ đang giải quyết')?.cols).toBe(4);

    // The service index's "đang giải quyết quá hạn" is the report's: the paused dossiers cost no points.
    const index = await readServiceIndex(t.database.db, director, december, NOW);
    const satisfaction = index.total.indicators.find((i) => i.key === 'satisfaction')!;
    expect(satisfaction.causing?.find((c) => c.cell === 'in_progress_late')?.n).toBe(2);
  });

  it('agree with the lists: Quá hạn is the report’s late dossiers and Tạm dừng tính hạn its paused ones', async () => {
    const { director, p, q, r, s, v } = await pausedSet();
    const web = new Client(app);
    expect((await web.login(sctClerkUsername(), TEST_PASSWORD)).status).toBe(303);
    // The lists' Hạn xử lý filter, through the API (the inbox's statement, list-query.ts), over both tabs they wait in.
    const listed = async (dueState: string) => {
      const found: Array<{ code: string }> = [];
      for (const tab of ['cho-xu-ly', 'bo-sung']) {
        const res = await web.request('GET', `/api/v1/dossiers?tab=${tab}&dueState=${dueState}`, undefined, { accept: 'application/json' });
        expect(res.status, `${tab} ${dueState}`).toBe(200);
        found.push(...(JSON.parse(res.text) as { items: Array<{ code: string }> }).items);
      }
      return codes(found);
    };
    expect(await listed('qua-han')).toEqual(codes([r, s]));
    expect(await listed('tam-dung')).toEqual(codes([p, q, v]));

    // The report of a period not over: its figures (from the kept counters) and its drill-down (the dossiers' SQL).
    const input = { unit: t.unitIds.sct!, groupBy: 'unit' as const, from: '2026-11-01', to: '2026-12-31' };
    const report = await readSituationReport(t.database.db, director, input, NOW);
    for (const [dueState, c, figure] of [
      ['qua-han', 'in_progress_late', report.total.inProgress.late],
      ['tam-dung', 'in_progress_paused', report.total.inProgress.paused],
    ] as const) {
      const drilled = codes((await listCellDossiers(t.database.db, director, { ...input, cell: c }, NOW)).rows);
      expect(drilled, c).toEqual(await listed(dueState));
      expect(figure, c).toBe(drilled.length);
    }
  });
});
