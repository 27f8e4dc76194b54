import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { receiveAtCounter } from './support/reception.js';
import { endOfAugust, sctStaff, statisticsScenario, vn, who } from './support/statistics.js';
import { AppError } from '../src/shared/errors.js';
import { coverWindow, presetPeriod } from '../src/statistics/periods.js';
import { counterDrift, rebuildCounters } from '../src/statistics/recount.js';
import { readSituationReport } from '../src/statistics/situation-report.js';
import type { SituationFigures } from '../src/statistics/report-types.js';

const t = useDemoApp();

describe('periods', () => {
  it('cover a window by years, months and days exactly', () => {
    expect(coverWindow({ from: '2025-11-15', until: '2027-02-03' })).toEqual([
      { grain: 'd', from: '2025-11-15', until: '2025-12-01' },
      { grain: 'm', from: '2025-12-01', until: '2026-01-01' },
      { grain: 'y', from: '2026-01-01', until: '2027-01-01' },
      { grain: 'm', from: '2027-01-01', until: '2027-02-01' },
      { grain: 'd', from: '2027-02-01', until: '2027-02-03' },
    ]);
    expect(coverWindow({ from: '1900-01-01', until: '2026-03-01' })).toEqual([
      { grain: 'y', from: '1900-01-01', until: '2026-01-01' },
      { grain: 'm', from: '2026-01-01', until: '2026-03-01' },
    ]);
    expect(coverWindow({ from: '2026-03-05', until: '2026-03-05' })).toEqual([]);
    expect(presetPeriod('quarter', 2026, 4)).toEqual({ from: '2026-10-01', to: '2026-12-31' });
    expect(presetPeriod('half', 2024, 1)).toEqual({ from: '2024-01-01', to: '2024-06-30' });
    expect(presetPeriod('month', 2024, 2)).toEqual({ from: '2024-02-01', to: '2024-02-29' });
  });
});

describe('the situation report from kept counters', () => {
  it('gives the expected table across a period boundary, a holiday, a supplement and an extension', async () => {
    const scenario = await statisticsScenario(t.database, 'Lưu Văn Thống');
    const { director, settle } = scenario;
    // 10 working days: A and B received before the holidays 1–2/9, C supplemented, D extended, E open, F and G refused.
    const { a, b, c } = await endOfAugust(scenario, '1');

    await settle(a.id, '2026-09-11T10:00'); // due 15/9: early
    await settle(b.id, '2026-09-16T16:00'); // due 16/9 17:00: on time
    await settle(c.id, '2026-10-05T09:00'); // due 23/9: late
    expect((await counterDrift(t.database.db)).rows).toEqual([]);

    const report = await readSituationReport(
      t.database.db,
      director,
      { unit: t.unitIds.sct!, groupBy: 'unit', from: '2026-09-01', to: '2026-09-30' },
      vn('2026-12-01T08:00'),
    );
    const expected: SituationFigures = {
      received: { total: 6, online: 1, direct: 3, carriedOver: 2 },
      settled: { total: 2, early: 1, onTime: 1, late: 0 },
      inProgress: { total: 3, withinDeadline: 1, late: 2, paused: 0 }, // C and E overdue, D extended
      withdrawn: 0,
      stopped: 0,
      refused: 2,
      supplementRequests: 1,
      onTimeRate: 1,
    };
    expect(report.total).toEqual(expected);
    // October: C settles late; C, D and E carried over; E still open and late, D within its new date.
    const october = await readSituationReport(
      t.database.db,
      director,
      { unit: t.unitIds.sct!, groupBy: 'procedure', from: '2026-10-01', to: '2026-10-31' },
      vn('2026-12-01T08:00'),
    );
    expect(october.total.received).toEqual({ total: 3, online: 0, direct: 0, carriedOver: 3 });
    expect(october.total.settled).toEqual({ total: 1, early: 0, onTime: 0, late: 1 });
    expect(october.total.inProgress).toEqual({ total: 2, withinDeadline: 1, late: 1, paused: 0 });
    expect(october.rows).toHaveLength(1);
    expect(october.rows[0]!.label).toBe('Cấp Giấy phép bán lẻ sản phẩm rượu');
    // Today (1/12): D (due 30/11) is now overdue too, seen in a period not over.
    const december = await readSituationReport(
      t.database.db,
      director,
      { unit: t.unitIds.sct!, from: '2026-12-01', to: '2026-12-31' },
      vn('2026-12-01T08:00'),
    );
    expect(december.total.inProgress).toEqual({ total: 2, withinDeadline: 0, late: 2, paused: 0 });
  });

  it('answers "not found" to an official who does not read the unit, and refuses a period that ends before it starts', async () => {
    const clerk = await actorFor(t.database, sctClerkUsername());
    const director = await actorFor(t.database, who('sct-ld', 'Giám đốc'));
    // A leader of a department under Sở Công Thương reads only their department.
    const other = await actorFor(t.database, who('sct-qlcn', 'Trưởng phòng'));
    const input = { unit: t.unitIds.sct!, from: '2026-09-01', to: '2026-09-30' };
    await expect(readSituationReport(t.database.db, clerk, input, new Date())).rejects.toMatchObject({ status: 404 });
    await expect(readSituationReport(t.database.db, other, input, new Date())).rejects.toMatchObject({ status: 404 });
    const bad = readSituationReport(t.database.db, director, { ...input, to: '2026-08-01' }, new Date());
    await expect(bad).rejects.toBeInstanceOf(AppError);
    await expect(bad).rejects.toMatchObject({ status: 400, fields: { to: 'Đến ngày phải sau hoặc bằng từ ngày.' } });
    await expect(readSituationReport(t.database.db, director, { ...input, unit: 'x' }, new Date())).rejects.toMatchObject({ status: 400 });
  });
  it('stats:check finds a counter that drifted from the dossiers and takes the counters again', async () => {
    const { procedureId, clerk } = await sctStaff(t.database);
    await receiveAtCounter(t.database.db, clerk, { procedureId, channel: '1', fullName: 'Kiều Văn Kiểm' }, vn('2026-11-02T09:00'));
    expect((await counterDrift(t.database.db)).total).toBe(0);
    await t.database.db.execute(sql`update stats_counts set n = n + 5 where measure = 'received' and grain = 'm'`);
    await t.database.db.execute(sql`delete from stats_counts where measure = 'due' and grain = 'd'`);
    const drift = await counterDrift(t.database.db);
    expect(drift.total).toBe(2);
    expect(drift.rows.map((r) => [r.grain, r.measure, r.kept, r.expected])).toEqual([
      ['d', 'due', 0, 1],
      ['m', 'received', 6, 1],
    ]);
    expect(await rebuildCounters(t.database.db)).toBeGreaterThan(0);
    expect((await counterDrift(t.database.db)).total).toBe(0);
  });
});
