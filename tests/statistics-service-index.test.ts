import { describe, expect, it } from 'vitest';
import { eq, inArray, sql } from 'drizzle-orm';
import { actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { Client, TEST_PASSWORD } from './support/app.js';
import { statisticsScenario, vn, who } from './support/statistics.js';
import { queryRows } from '../src/db/client.js';
import { dossiers } from '../src/db/schema/index.js';
import { AppError } from '../src/shared/errors.js';
import { listCellDossiers } from '../src/statistics/list-cell-dossiers.js';
import { pointsFor, readServiceIndex, scoreOf, type IndexCounts } from '../src/statistics/service-index.js';

const t = useDemoApp();
const NOVEMBER = { from: '2026-11-01', to: '2026-11-30' };
const AFTER = vn('2026-12-03T08:00');

/**
 * November 2026 at Sở Công Thương, procedure 2.000633 (10 working days, a fee), five dossiers:
 * A at the counter, settled early with an e-result, digitised, paid online;
 * B at the counter, settled late, a paper result (no e-result), not digitised, not paid online;
 * C online, asked to supplement twice, settled within its (moved) due date — late for the national portal; e-result,
 *   digitised, paid online;
 * D online, accepted, still open past its due date, digitised, not paid online;
 * E online, accepted late in the month (within its deadline at the end), an e-result attached, paid online.
 */
async function november() {
  const { clerk, director, act, receive, settle } = await statisticsScenario(t.database, 'Đoàn Thị Chỉ');
  const a = await receive('1', '2026-11-02T09:00');
  const b = await receive('1', '2026-11-02T09:10');
  const c = await receive('2', '2026-11-02T09:20');
  await act(clerk, c.id, 'accept', '2026-11-02T09:30');
  await act(clerk, c.id, 'request_supplement', '2026-11-03T10:00', { note: 'Thiếu hợp đồng', items: 'Hợp đồng thuê' });
  await act(clerk, c.id, 'supplement_received', '2026-11-04T10:00');
  await act(clerk, c.id, 'request_supplement', '2026-11-05T10:00', { note: 'Hợp đồng chưa công chứng', items: 'Hợp đồng thuê' });
  await act(clerk, c.id, 'supplement_received', '2026-11-06T10:00');
  const d = await receive('2', '2026-11-02T09:40');
  await act(clerk, d.id, 'accept', '2026-11-02T09:50');
  const e = await receive('2', '2026-11-25T09:00');
  await act(clerk, e.id, 'accept', '2026-11-25T09:10');
  await settle(a.id, '2026-11-05T10:00');
  await settle(b.id, '2026-11-27T10:00');
  await settle(c.id, '2026-11-10T10:00');
  // What the counters read besides the workflow: a paper result, digitised components, payments through the gateway.
  await t.database.db.update(dossiers).set({ eResult: false }).where(eq(dossiers.id, b.id));
  await t.database.db.update(dossiers).set({ eResult: true }).where(eq(dossiers.id, e.id));
  await t.database.db
    .update(dossiers)
    .set({ digitised: true })
    .where(inArray(dossiers.id, [a.id, c.id, d.id]));
  await t.database.db
    .update(dossiers)
    .set({ paidOnline: true })
    .where(inArray(dossiers.id, [a.id, c.id, e.id]));
  const rows = await queryRows<{ code: string; supplement_requests: number; late: boolean }>(
    t.database.db,
    sql`select code, supplement_requests, finished_at > due_at as late from dossiers where id = ${c.id}::uuid`,
  );
  // C really was asked twice and settled within its due date (the clock stopped while it waited).
  expect(rows[0]).toMatchObject({ supplement_requests: 2, late: false });
  return { director };
}

const near = (x: number | null) => expect.closeTo(x ?? Number.NaN, 6);

describe('the service index (QĐ 766) from the kept counters', () => {
  it('gives the expected rates and points for a hand-made month, the total and the unit row alike', async () => {
    const { director } = await november();
    const index = await readServiceIndex(t.database.db, director, { unit: t.unitIds.sct!, ...NOVEMBER }, AFTER);
    const by = Object.fromEntries(index.total.indicators.map((i) => [i.key, i]));
    // Settled A, B, C; only A on time as the national portal counts (B late, C two supplement requests).
    expect(by.on_time).toMatchObject({ numerator: { n: 1 }, denominator: { n: 3 }, threshold: 1, maxPoints: 20 });
    expect(by.on_time!.points).toEqual(near(20 / 3));
    expect(by.on_time!.causing).toEqual([expect.objectContaining({ n: 2, cell: 'settled_nat_late' })]);
    // Online with an e-result: C and E of 5 received = 40 %, below 50 %: 0.4 × 11 ÷ 0.5.
    expect(by.online_e_result).toMatchObject({ numerator: { n: 2 }, denominator: { n: 5 }, rate: 0.4 });
    expect(by.online_e_result!.points).toEqual(near(8.8));
    // Paid online: A, C, E of 5 with a fee = 60 %, below 80 %: 0.6 × 11 ÷ 0.8.
    expect(by.online_payment).toMatchObject({ numerator: { n: 3 }, denominator: { n: 5 } });
    expect(by.online_payment!.points).toEqual(near(8.25));
    expect(by.online_payment!.causing[0]).toMatchObject({ n: 2, cell: 'fee_not_paid_online' });
    // Digitised: A, C, D of 5.
    expect(by.digitised).toMatchObject({ numerator: { n: 3 }, denominator: { n: 5 } });
    expect(by.digitised!.points).toEqual(near(8.25));
    // E-results among the settled: A and C of 3.
    expect(by.e_result).toMatchObject({ numerator: { n: 2 }, denominator: { n: 3 } });
    expect(by.e_result!.points).toEqual(near(((2 / 3) * 11) / 0.8));
    // Late: B and C settled (national), D open past its due date, of 3 settled + 2 in progress; no ratings.
    expect(by.satisfaction).toMatchObject({ numerator: { n: 3 }, denominator: { n: 5 } });
    expect(by.satisfaction!.rate).toEqual(near(0.4));
    expect(by.satisfaction!.points).toEqual(near(7.2));
    expect(by.satisfaction!.causing.map((x) => [x.cell, x.n])).toEqual([
      ['settled_nat_late', 2],
      ['in_progress_late', 1],
      [undefined, 0],
    ]);
    expect(index.total.measuredMax).toBe(82);
    expect(index.total.points).toEqual(near(20 / 3 + 8.8 + 8.25 + 8.25 + ((2 / 3) * 11) / 0.8 + 7.2));
    // Công khai, minh bạch is said, not scored.
    expect(index.unmeasured.map((u) => u.group)).toEqual(['transparency']);
    // The most points are lost on time (20 − 6.67).
    expect(index.losses[0]!.key).toBe('on_time');
    // The dossiers were received by the Sở itself: its own row has them all, its divisions none.
    const own = index.rows.find((r) => r.key === t.unitIds.sct)!;
    expect(own.score.points).toEqual(near(index.total.points));
    expect(index.rows.filter((r) => r.key !== t.unitIds.sct).every((r) => r.score.measuredMax === 0)).toBe(true);

    // The province's reader sees the Sở as one of its rows, with the same points.
    const province = await actorFor(t.database, who('vp', 'Chánh Văn phòng'));
    const all = await readServiceIndex(t.database.db, province, { unit: t.unitIds.tinh!, ...NOVEMBER }, AFTER);
    expect(all.rows.find((r) => r.key === t.unitIds.sct)!.score.points).toEqual(near(index.total.points));
    expect(all.total.points).toEqual(near(index.total.points));

    // Each number that costs points opens exactly its dossiers (the drill-down's conditions agree with the counters).
    for (const i of index.total.indicators)
      for (const term of [...i.causing, i.numerator, i.denominator])
        if (term.cell) {
          // The director sees every dossier of these procedures (their approval step is at his desk).
          const list = await listCellDossiers(t.database.db, director, { unit: t.unitIds.sct!, ...NOVEMBER, cell: term.cell }, AFTER);
          expect([term.cell, list.rows.length]).toEqual([term.cell, term.n]);
        }
  });

  it('scores a rate below its threshold as rate × points ÷ threshold, and full at or above it', () => {
    expect(pointsFor(0.25, 0.5, 11)).toBe(5.5);
    expect(pointsFor(0.5, 0.5, 11)).toBe(11);
    expect(pointsFor(0.9, 0.8, 11)).toBe(11);
    expect(pointsFor(0.4, 0.8, 11)).toEqual(near(5.5));
    expect(pointsFor(null, 0.8, 11)).toBeNull();
    const zero: IndexCounts = {
      received: 0,
      onlineEResult: 0,
      digitised: 0,
      feeDue: 0,
      paidOnline: 0,
      settled: 0,
      settledNatOnTime: 0,
      settledEResult: 0,
      inProgress: 0,
      inProgressLate: 0,
      rated: 0,
      disliked: 0,
    };
    // Nothing to measure: no points either way, and nothing counted in the maximum.
    expect(scoreOf(zero)).toMatchObject({ points: 0, measuredMax: 0 });
    // Dislikes are subtracted as their share of the ratings: 100 % − (1/4 late + 1/4 disliked).
    const s = scoreOf({ ...zero, settled: 4, settledNatOnTime: 3, rated: 8, disliked: 2 });
    expect(s.indicators.find((i) => i.key === 'satisfaction')!.rate).toEqual(near(0.5));
  });

  it("answers not found to another unit's leader, and to a clerk who reads no statistics", async () => {
    await november();
    const other = await actorFor(t.database, who('sgd', 'Phó Giám đốc'));
    const err = await readServiceIndex(t.database.db, other, { unit: t.unitIds.sct!, ...NOVEMBER }, AFTER).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(404);
    const clerk = await actorFor(t.database, sctClerkUsername());
    await expect(readServiceIndex(t.database.db, clerk, { unit: t.unitIds.sct!, ...NOVEMBER }, AFTER)).rejects.toMatchObject({
      status: 404,
    });
  });
});

describe('GET /tiepnhan/thong-ke/chi-so-phuc-vu', () => {
  const path = '/tiepnhan/thong-ke/chi-so-phuc-vu';
  const as = async (username: string) => {
    const c = new Client(t.app);
    expect((await c.login(username, TEST_PASSWORD)).status).toBe(303);
    return c;
  };

  it('shows a leader each indicator with its formula, the losses, the units, and links to the dossiers that cost points', async () => {
    await november();
    const c = await as(who('sct-ld', 'Giám đốc'));
    const res = await c.get(`${path}?unit=${t.unitIds.sct}&period=month&year=2026&n=11`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP');
    expect(res.text).toContain('hồ sơ yêu cầu bổ sung quá 1 lần tính là trễ hạn');
    expect(res.text).toContain('Đạt điểm tối đa khi ≥ 50%');
    expect(res.text).toContain('Chưa đo được');
    expect(res.text).toContain('Chưa có kênh ghi nhận phản ánh, kiến nghị');
    expect(res.text).toMatch(/id="mat-diem"[\s\S]*Tỷ lệ hồ sơ giải quyết đúng hạn/);
    expect(res.text).toContain('id="chi-so-don-vi"');
    // 48,33 of 82: the figures of the first test, in Vietnamese number format.
    expect(res.text).toContain('48,33 / 82,00 điểm đo được');
    const drill = /href="([^"]*cell=settled_nat_late[^"]*)"/.exec(res.text);
    expect(drill?.[1]).toContain('/tiepnhan/thong-ke/tinh-hinh-giai-quyet/ho-so?');
    expect(drill?.[1]).toContain('from=2026-11-01');
    // The unit table's links open the row's own dossiers.
    expect(res.text).toMatch(new RegExp(`cell=in_progress_late&amp;group=${t.unitIds.sct}`));
    // The default: the widest unit the leader reads, this month.
    expect((await c.get(path)).status).toBe(200);
  });

  it("refuses another unit's leader (404) and says what is wrong with a bad query (400)", async () => {
    const other = await as(who('sgd', 'Phó Giám đốc'));
    const res = await other.get(`${path}?unit=${t.unitIds.sct}`);
    expect(res.status).toBe(404);
    expect(res.text).toContain('không tồn tại hoặc bạn không có quyền xem');
    const bad = await other.get(`${path}?unit=${t.unitIds.sgd}&period=custom&from=31/02/2026&to=01/03/2026`);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Từ ngày không hợp lệ');
    expect((await other.get(`${path}?year=abc`)).status).toBe(400);
    expect((await other.get(`${path}?unit=not-a-unit`)).status).toBe(400);
    const clerk = await as(sctClerkUsername());
    expect((await clerk.get(path)).status).toBe(404);
  });
});
