import { beforeAll, describe, expect, it } from 'vitest';
import { sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { buildApp, Client, TEST_PASSWORD, type App } from './support/app.js';
import { endOfAugust, statisticsScenario, vn, who } from './support/statistics.js';
import { roleGrants } from '../src/db/schema/index.js';
import { listCellDossiers } from '../src/statistics/list-cell-dossiers.js';
import type { DrillCell, SituationFigures } from '../src/statistics/report-types.js';
import { readSituationReport } from '../src/statistics/situation-report.js';

const t = useDemoApp();
const NOW = vn('2026-12-01T08:00');
const REPORT = '/tiepnhan/thong-ke/tinh-hinh-giai-quyet';

let app: App;
beforeAll(() => {
  // The figures of a period not over depend on today: the pages read this clock.
  app = buildApp(t.database, {}, { now: () => NOW });
});

async function loggedIn(username: string) {
  const c = new Client(app);
  const res = await c.login(username, TEST_PASSWORD);
  expect(res.status).toBe(303);
  return c;
}

/**
 * Sở Công Thương's hand-made dossiers (endOfAugust, as tests/statistics-counters.test.ts): settled early, on time and
 * late across the end of August, a supplement, an extension, one open and overdue, refused after reception and at the
 * desk, stopped.
 */
async function handMadeSet() {
  const scenario = await statisticsScenario(t.database, 'Lưu Văn Thống');
  const { clerk, expert, director, act, receive, settle } = scenario;
  // E comes by post here; H is handed over, then stopped.
  const { a, b, c } = await endOfAugust(scenario, '3');
  const h = await receive('1', '2026-09-14T09:00');
  await act(clerk, h.id, 'handover', '2026-09-14T10:00');
  await act(expert, h.id, 'stop', '2026-09-15T09:00', { note: 'Cơ sở ngừng kinh doanh' });
  await settle(a.id, '2026-09-11T10:00');
  await settle(b.id, '2026-09-16T16:00');
  await settle(c.id, '2026-10-05T09:00');
  return { director, clerk };
}

/** The figure of each drill cell in a row of the report. */
const FIGURE: Record<
  Exclude<DrillCell, `${string}_e_result` | 'settled_nat_late' | 'fee_not_paid_online' | 'not_digitised' | 'received'>,
  (f: SituationFigures) => number
> = {
  received_total: (f) => f.received.total,
  received_online: (f) => f.received.online,
  received_direct: (f) => f.received.direct,
  carried_over: (f) => f.received.carriedOver,
  settled: (f) => f.settled.total,
  settled_early: (f) => f.settled.early,
  settled_on_time: (f) => f.settled.onTime,
  settled_late: (f) => f.settled.late,
  in_progress: (f) => f.inProgress.total,
  in_progress_within: (f) => f.inProgress.withinDeadline,
  in_progress_late: (f) => f.inProgress.late,
  in_progress_paused: (f) => f.inProgress.paused,
  withdrawn: (f) => f.withdrawn,
  stopped: (f) => f.stopped,
  refused: (f) => f.refused,
};

const unamp = (s: string) => s.replaceAll('&amp;', '&');
const dossierLinks = (html: string) => (html.match(/<a href="\/tiepnhan\/ho-so\/[0-9a-f-]{36}">/g) ?? []).length;

describe('Báo cáo tình hình giải quyết TTHC (page, drill-down, charts)', () => {
  it('shows a leader the figures; each figure opens exactly its dossiers, for every cell, row and period', async () => {
    const { director } = await handMadeSet();
    // The director leads Sở Công Thương as a whole here, so every dossier of the report is theirs to open.
    await t.database.db.insert(roleGrants).values({ accountId: director.accountId, unitId: t.unitIds.sct!, role: 'approval' });

    for (const [groupBy, from, to] of [
      ['unit', '2026-09-01', '2026-09-30'],
      ['procedure', '2026-10-01', '2026-10-31'],
      ['sector', '2026-12-01', '2026-12-31'],
      ['unit', '2026-08-01', '2026-12-31'],
    ] as const) {
      const input = { unit: t.unitIds.sct!, groupBy, from, to };
      const report = await readSituationReport(t.database.db, director, input, NOW);
      for (const row of [
        ...report.rows.map((r) => ({ group: r.key as string | undefined, f: r.figures })),
        { group: undefined, f: report.total },
      ]) {
        for (const [cell, figure] of Object.entries(FIGURE) as Array<[DrillCell, (f: SituationFigures) => number]>) {
          const list = await listCellDossiers(
            t.database.db,
            director,
            { ...input, cell, ...(row.group === undefined ? {} : { group: row.group }) },
            NOW,
          );
          expect({ groupBy, from, group: row.group, cell, n: list.rows.length }).toEqual({
            groupBy,
            from,
            group: row.group,
            cell,
            n: figure(row.f),
          });
          expect(list.partial).toBe(false);
        }
      }
    }

    const c = await loggedIn(who('sct-ld', 'Giám đốc'));
    const page = await c.get(`${REPORT}?unit=${t.unitIds.sct}&period=month&year=2026&n=9`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('THỐNG KÊ, BÁO CÁO');
    expect(page.text).toContain('Kỳ báo cáo: từ ngày 01/09/2026 đến ngày 30/09/2026');
    expect(page.text).toContain('Tổng cộng');
    // The rate: 2 of 2 settled on time, with a Vietnamese decimal comma.
    expect(page.text).toContain('100,0%');
    expect(page.text).not.toContain('Lưu Văn Thống');
    // Downloads with the report's query.
    expect(page.text).toContain(`${REPORT}.xlsx?unit=${t.unitIds.sct}&amp;groupBy=unit&amp;from=2026-09-01&amp;to=2026-09-30`);
    // The service index of the same unit and period is one click away.
    expect(page.text).toContain(`/tiepnhan/thong-ke/chi-so-phuc-vu?unit=${t.unitIds.sct}&amp;from=2026-09-01&amp;to=2026-09-30`);
    expect(page.text).toContain(`${REPORT}.pdf?`);
    // The charts, drawn on the server, each titled and with its numbers as a table.
    for (const id of ['bieu-do-dung-han', 'bieu-do-kenh', 'bieu-do-dang-giai-quyet']) expect(page.text).toContain(`id="${id}"`);
    expect((page.text.match(/<svg /g) ?? []).length).toBe(3);
    expect(page.text).toContain('Tỷ lệ giải quyết đúng hạn theo tháng');
    expect(page.text).not.toMatch(/<svg[\s\S]*?style="/);
    // Nor a <style> block (ECharts' hover highlights): the policy refuses it, the browser would report a violation.
    expect(page.text).not.toContain('<style');

    // Every non-zero figure is a link, and its list has that many dossiers.
    const links = [...page.text.matchAll(/<a href="(\/tiepnhan\/thong-ke\/tinh-hinh-giai-quyet\/ho-so\?[^"]+)">([\d.]+)<\/a>/g)];
    expect(links.length).toBeGreaterThan(15);
    for (const [, href, n] of links) {
      const list = await c.get(unamp(href!));
      expect(list.status).toBe(200);
      expect(dossierLinks(list.text)).toBe(Number(n!.replaceAll('.', '')));
      expect(list.text).not.toContain('Danh sách chỉ gồm hồ sơ bạn được xem');
    }
  });

  it('shows a statistics-only official the figures but lists only the dossiers they may open, saying so', async () => {
    await handMadeSet();
    // Chánh Văn phòng UBND tỉnh reads the province's statistics and leads only the Văn phòng.
    const c = await loggedIn(who('vp', 'Chánh Văn phòng'));
    const page = await c.get(`${REPORT}?unit=${t.unitIds.sct}&period=month&year=2026&n=9&groupBy=procedure`);
    expect(page.status).toBe(200);
    const settled = /<a href="([^"]+cell=settled(?:&amp;[^"]*)?)">2<\/a>/.exec(page.text);
    expect(settled).not.toBeNull();
    const list = await c.get(unamp(settled![1]!));
    expect(list.status).toBe(200);
    expect(list.text).toContain('Danh sách chỉ gồm hồ sơ bạn được xem');
    expect(dossierLinks(list.text)).toBe(0);
    expect(list.text).not.toContain('Lưu Văn Thống');
    // The default: their widest unit (the province), this month.
    const home = await c.get(REPORT);
    expect(home.status).toBe(200);
    expect(home.text).toContain('Kỳ báo cáo: từ ngày 01/12/2026 đến ngày 31/12/2026');
    expect(home.text).toContain(`<option value="${t.unitIds.tinh}" selected="">`);
  });

  it('refuses another unit, a clerk and a row of another unit, and says what is wrong with a query (400, never 500)', async () => {
    await handMadeSet();
    const sct = t.unitIds.sct!;
    // A department head reads their department only.
    const head = await loggedIn(who('sct-qlcn', 'Trưởng phòng'));
    expect((await head.get(`${REPORT}?unit=${sct}`)).status).toBe(404);
    expect((await head.get(`${REPORT}/ho-so?unit=${sct}&from=2026-09-01&to=2026-09-30&cell=settled`)).status).toBe(404);
    const own = `unit=${t.unitIds['sct-qlcn']}&from=2026-09-01&to=2026-09-30&groupBy=unit&cell=received_total`;
    expect((await head.get(`${REPORT}?${own}`)).status).toBe(200);
    expect((await head.get(`${REPORT}/ho-so?${own}&group=${t.unitIds['sct-ld']}`)).status).toBe(404);
    expect((await head.get(`${REPORT}/ho-so?${own}&group=${t.unitIds['sct-qlcn']}`)).status).toBe(200);

    // A reception clerk reads no statistics: no menu entry, no page.
    const clerk = await loggedIn(sctClerkUsername());
    const home = await clerk.get('/tiepnhan');
    expect(home.status).toBe(200);
    expect(home.text).not.toContain('THỐNG KÊ, BÁO CÁO');
    expect((await clerk.get(REPORT)).status).toBe(404);
    expect((await clerk.get('/tiepnhan/thong-ke')).status).toBe(302);
    expect((await clerk.get(`${REPORT}/ho-so?unit=${sct}&from=2026-09-01&to=2026-09-30&cell=settled`)).status).toBe(404);

    const director = await loggedIn(who('sct-ld', 'Giám đốc'));
    for (const [query, message] of [
      ['period=custom&from=32/13/2026&to=01/01/2027', 'Từ ngày không hợp lệ'],
      ['period=custom&from=01/10/2026&to=01/09/2026', 'Đến ngày phải cùng ngày hoặc sau từ ngày.'],
      ['period=custom&from=01/10/2026', 'Vui lòng nhập đến ngày'],
      ['period=quarter&n=5&year=2026', 'Số thứ tự của kỳ không hợp lệ'],
      ['period=week', 'Kỳ báo cáo không hợp lệ'],
      ['year=1e3', 'Năm không hợp lệ'],
      ['groupBy=applicant', 'Cách nhóm báo cáo không hợp lệ'],
      [`unit=not-a-unit`, 'Đơn vị không hợp lệ'],
      [`sector=abc`, 'Lĩnh vực không hợp lệ'],
    ]) {
      const res = await director.get(`${REPORT}?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.text).toContain(message);
    }
    for (const query of [
      `unit=${sct}&from=2026-09-01&to=2026-09-30&cell=everything`,
      `unit=${sct}&from=2026-09-01&to=2026-09-31&cell=settled`,
      `from=2026-09-01&to=2026-09-30&cell=settled`,
      `unit=${sct}&from=2026-09-01&to=2026-09-30&cell=settled&group=${'x'.repeat(50)}`,
    ]) {
      const res = await director.get(`${REPORT}/ho-so?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.text).toMatch(/không hợp lệ|Vui lòng chọn đơn vị/);
    }
    // A row key that is no unit of the report: not found.
    expect((await director.get(`${REPORT}/ho-so?unit=${sct}&from=2026-09-01&to=2026-09-30&cell=settled&group=abc`)).status).toBe(404);
  });
});
