/**
 * A dossier that waited for a supplement at the end of a period and was then stopped (Dừng xử lý) or withdrawn while
 * still waiting: at that period's end it was paused, its due date no deadline — so the period's report keeps counting
 * it paused, not late, once it finished. (Before: its paused facts were dropped when it finished, and the past
 * period counted it late by its unmoved due date.)
 */
import { describe, expect, it } from 'vitest';
import { useDemoApp } from './support/fixtures.js';
import { statisticsScenario, vn } from './support/statistics.js';
import { roleGrants } from '../src/db/schema/index.js';
import { listCellDossiers } from '../src/statistics/list-cell-dossiers.js';
import { counterDrift } from '../src/statistics/recount.js';
import { readSituationReport } from '../src/statistics/situation-report.js';

const t = useDemoApp();
const NOW = vn('2026-12-01T08:00');

describe('a dossier finished while waiting for a supplement', () => {
  it('stays paused at the end of the period it waited through, not late', async () => {
    const { clerk, expert, director, act, receive } = await statisticsScenario(t.database, 'Đỗ Văn Dừng');
    await t.database.db.insert(roleGrants).values({ accountId: director.accountId, unitId: t.unitIds.sct!, role: 'approval' });
    // Received 1/10 (due 15/10), handed to the expert, asked to supplement on 20/10 — after its due date.
    const p = await receive('1', '2026-10-01T09:00');
    await act(clerk, p.id, 'handover', '2026-10-01T10:00');
    await act(expert, p.id, 'request_supplement', '2026-10-20T10:00', { note: 'Thiếu hợp đồng', items: 'Hợp đồng thuê' });
    const october = { unit: t.unitIds.sct!, groupBy: 'unit' as const, from: '2026-10-01', to: '2026-10-31' };
    const before = await readSituationReport(t.database.db, director, october, NOW);
    expect(before.total.inProgress).toEqual({ total: 1, withinDeadline: 0, late: 0, paused: 1 });

    // Still waiting on 20/11, it is stopped: at the end of October it was waiting all the same.
    await act(expert, p.id, 'stop', '2026-11-20T10:00', { note: 'Quá thời hạn bổ sung' });
    expect((await counterDrift(t.database.db)).rows).toEqual([]);
    const after = await readSituationReport(t.database.db, director, october, NOW);
    expect(after.total.inProgress).toEqual({ total: 1, withinDeadline: 0, late: 0, paused: 1 });
    const cell = async (c: 'in_progress_late' | 'in_progress_paused') =>
      (await listCellDossiers(t.database.db, director, { ...october, cell: c }, NOW)).rows.map((d) => d.id);
    expect(await cell('in_progress_late')).toEqual([]);
    expect(await cell('in_progress_paused')).toEqual([p.id]);

    // November, over on 1/12: stopped within it, it is not in progress at its end.
    const november = { ...october, from: '2026-11-01', to: '2026-11-30' };
    const nov = await readSituationReport(t.database.db, director, november, NOW);
    expect(nov.total.inProgress).toEqual({ total: 0, withinDeadline: 0, late: 0, paused: 0 });
    expect(nov.total.stopped).toBe(1);
  });
});
