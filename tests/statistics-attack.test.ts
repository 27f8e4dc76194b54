/**
 * The statistics pages attacked: insiders reaching for another unit's figures or dossiers, hostile query parameters,
 * personal data in the aggregates, side effects of a GET, and side doors around the kept counters (a procedure moved
 * to another sector; concurrent transitions on PostgreSQL).
 */
import ExcelJS from 'exceljs';
import { extractText, getDocumentProxy } from 'unpdf';
import { beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { buildApp, Client, TEST_PASSWORD, type App } from './support/app.js';
import { receiveAtCounter } from './support/reception.js';
import { demoOfficials } from '../src/demo/officials.js';
import { queryRows } from '../src/db/client.js';
import { dossiers, procedures, procedureVersions, roleGrants, sectors } from '../src/db/schema/index.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { mayViewDossier } from '../src/dossiers/access.js';
import { contentOf, lockCurrentVersion, writeNextVersion } from '../src/procedures/save-procedure.js';
import type { StaffActor } from '../src/shared/context.js';
import { counterDrift } from '../src/statistics/recount.js';
import { situationPdf } from '../src/statistics/export-pdf.js';
import { situationXlsx } from '../src/statistics/export-xlsx.js';
import { listCellDossiers } from '../src/statistics/list-cell-dossiers.js';
import { DRILL_CELLS, type DrillCell } from '../src/statistics/report-types.js';
import { readSituationReport } from '../src/statistics/situation-report.js';

const t = useDemoApp();
const vn = (s: string) => new Date(`${s}+07:00`);
const NOW = vn('2026-12-01T08:00');
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;
const REPORT = '/tiepnhan/thong-ke/tinh-hinh-giai-quyet';
const INDEX = '/tiepnhan/thong-ke/chi-so-phuc-vu';
const APPLICANT = { fullName: 'Lưu Văn Thống', cccd: '079088001234', phone: '0912345678' };

let app: App;
beforeAll(() => {
  app = buildApp(t.database, {}, { now: () => NOW });
});

async function loggedIn(username: string) {
  const c = new Client(app);
  expect((await c.login(username, TEST_PASSWORD)).status).toBe(303);
  return c;
}

const procedureOf = async (code: string) => (await t.database.db.select().from(procedures).where(eq(procedures.code, code)))[0]!.id;

/** A current procedure implemented by the unit (the first found). */
async function procedureAt(unitId: string) {
  const [v] = await queryRows<{ id: string }>(
    t.database.db,
    sql`select procedure_id::text as id from procedure_versions where current and unit_ids->>0 = ${unitId} limit 1`,
  );
  return v!.id;
}

/** Sở Công Thương's dossiers in September 2026 (received, settled, refused, open) and one of Sở Giáo dục's. */
async function dossiersOfTwoAgencies() {
  const pid = await procedureOf('2.000633');
  const clerk = await actorFor(t.database, sctClerkUsername());
  const expert = await actorFor(t.database, who('sct-qltm', 'Chuyên viên'));
  const receive = (channel: string, at: string) =>
    receiveAtCounter(t.database.db, clerk, { procedureId: pid, channel, ...APPLICANT }, vn(at));
  const a = await receive('1', '2026-09-03T09:00');
  const b = await receive('2', '2026-09-04T09:00');
  await actOnDossier(t.database.db, clerk, b.id, { action: 'accept' }, vn('2026-09-04T09:30'));
  await actOnDossier(t.database.db, clerk, b.id, { action: 'refuse', note: 'Không hợp lệ' }, vn('2026-09-04T10:00'));
  await receive('1', '2026-09-05T09:00');
  await actOnDossier(t.database.db, clerk, a.id, { action: 'handover' }, vn('2026-09-06T09:00'));
  void expert;
  const sgdClerk = await actorFor(t.database, who('sgd', 'Chuyên viên'));
  const sgdProcedure = await procedureAt(t.unitIds.sgd!);
  const s = await receiveAtCounter(
    t.database.db,
    sgdClerk,
    { procedureId: sgdProcedure, channel: '1', fullName: 'Trần Thị Giáo', cccd: '079088009999' },
    vn('2026-09-03T09:00'),
  );
  return { pid, sgdProcedure, sgdDossier: s.id };
}

const SEPT = { from: '2026-09-01', to: '2026-09-30' };
const CELLS = Object.keys(DRILL_CELLS) as DrillCell[];

/** Every drill list of the report (each cell, each row and Tổng cộng), as the official gets it. */
async function everyListedId(actor: StaffActor, input: Record<string, string>) {
  const report = await readSituationReport(t.database.db, actor, input, NOW);
  const ids = new Set<string>();
  let partial = false;
  for (const group of [undefined, ...report.rows.map((r) => r.key)])
    for (const cell of CELLS) {
      const list = await listCellDossiers(t.database.db, actor, { ...input, cell, ...(group === undefined ? {} : { group }) }, NOW);
      for (const r of list.rows) ids.add(r.id);
      partial ||= list.partial;
    }
  return { ids, partial };
}

async function mayView(actor: StaffActor, id: string) {
  const [d] = await t.database.db
    .select({ d: dossiers, steps: procedureVersions.steps })
    .from(dossiers)
    .innerJoin(procedureVersions, eq(procedureVersions.id, dossiers.procedureVersionId))
    .where(eq(dossiers.id, id));
  return mayViewDossier(t.database.db, actor, d!.d, d!.steps, NOW);
}

describe('statistics attacked by an insider', () => {
  it('never reads another unit: its id, a row that is not the unit’s, another agency’s procedure with one’s own unit', async () => {
    const { sgdProcedure, pid } = await dossiersOfTwoAgencies();
    const sct = t.unitIds.sct!;
    const sgd = t.unitIds.sgd!;
    const director = await loggedIn(who('sct-ld', 'Giám đốc'));
    for (const path of [REPORT, `${REPORT}.xlsx`, `${REPORT}.pdf`, INDEX, `${REPORT}/ho-so`])
      for (const unit of [sgd, t.unitIds.tinh!]) {
        const res = await director.get(`${path}?unit=${unit}&from=2026-09-01&to=2026-09-30&cell=received`);
        expect({ path, unit, status: res.status }).toEqual({ path, unit, status: 404 });
        expect(res.text).not.toContain('Trần Thị Giáo');
      }
    // Repeated parameters: the first is read, everywhere alike (never the readable one by the check, the other by the query).
    expect((await director.get(`${REPORT}?unit=${sgd}&unit=${sct}`)).status).toBe(404);
    expect((await director.get(`${REPORT}/ho-so?unit=${sgd}&unit=${sct}&from=2026-09-01&to=2026-09-30&cell=received`)).status).toBe(404);

    // Another agency's procedure (or sector) with one's own unit: its figures are the unit's, so none.
    const actor = await actorFor(t.database, who('sct-ld', 'Giám đốc'));
    const mixed = await readSituationReport(t.database.db, actor, { unit: sct, ...SEPT, procedure: sgdProcedure }, NOW);
    expect(mixed.total.received.total).toBe(0);
    const byProcedure = { unit: sct, groupBy: 'procedure', ...SEPT };
    const foreignRow = await listCellDossiers(t.database.db, actor, { ...byProcedure, cell: 'received', group: sgdProcedure }, NOW);
    expect(foreignRow.rows).toEqual([]);
    const own = await listCellDossiers(t.database.db, actor, { ...byProcedure, cell: 'received', group: pid }, NOW);
    expect(own.rows.length).toBeGreaterThan(0);
    // A unit row of another tree, a unit that is no row (a grandchild), a random id: no such row.
    for (const group of [sgd, t.unitIds['sct-tt-kc']!, crypto.randomUUID()]) {
      const res = await director.get(
        `${REPORT}/ho-so?unit=${t.unitIds['sct-ld']}&groupBy=unit&from=2026-09-01&to=2026-09-30&cell=received&group=${group}`,
      );
      expect(res.status).toBe(404);
    }
  });

  it('lists in a drill-down only dossiers the official may open; reading statistics alone opens none', async () => {
    await dossiersOfTwoAgencies();
    const input = { unit: t.unitIds.sct!, groupBy: 'unit', ...SEPT };
    for (const username of [who('sct-ld', 'Giám đốc'), who('sct-qltm', 'Chuyên viên'), who('vp', 'Chánh Văn phòng')]) {
      const actor = await actorFor(t.database, username);
      const roots = await queryRows<{ n: number }>(
        t.database.db,
        sql`select count(*)::int as n from role_grants where account_id = ${actor.accountId}::uuid and role in ('statistics', 'approval')`,
      );
      if (roots[0]!.n === 0 || username === who('sct-qltm', 'Chuyên viên')) {
        // Reads no statistics: the drill-down is not theirs at all.
        await expect(listCellDossiers(t.database.db, actor, { ...input, cell: 'received' }, NOW)).rejects.toMatchObject({ status: 404 });
        continue;
      }
      const { ids } = await everyListedId(actor, input);
      for (const id of ids) expect({ username, id, may: await mayView(actor, id) }).toEqual({ username, id, may: true });
    }
    // A statistics-only grant at Sở Công Thương: every figure, no dossier, no position in any of them.
    // Sở Giao thông Vận tải's clerk, given Xem thống kê at Sở Công Thương.
    const statsOnly = await actorFor(t.database, who('sgtvt', 'Chuyên viên'));
    await t.database.db.insert(roleGrants).values({ accountId: statsOnly.accountId, unitId: t.unitIds.sct!, role: 'statistics' });
    const report = await readSituationReport(t.database.db, statsOnly, input, NOW);
    expect(report.total.received.total).toBe(3);
    const { ids, partial } = await everyListedId(statsOnly, input);
    expect(ids.size).toBe(0);
    expect(partial).toBe(true);
    for (const d of await t.database.db.select({ id: dossiers.id }).from(dossiers).where(eq(dossiers.agencyUnitId, t.unitIds.sct!)))
      expect(await mayView(statsOnly, d.id)).toBe(false);
  });

  it('shows no applicant in the report, its charts, the service index and the XLSX', async () => {
    await dossiersOfTwoAgencies();
    const director = await loggedIn(who('vp', 'Chánh Văn phòng'));
    const q = `unit=${t.unitIds.tinh}&from=2026-09-01&to=2026-09-30`;
    for (const groupBy of ['unit', 'sector', 'procedure']) {
      const page = await director.get(`${REPORT}?${q}&groupBy=${groupBy}`);
      expect(page.status).toBe(200);
      for (const v of [...Object.values(APPLICANT), 'Trần Thị Giáo', '079088009999']) expect(page.text).not.toContain(v);
    }
    const index = await director.get(`${INDEX}?${q}`);
    expect(index.status).toBe(200);
    for (const v of Object.values(APPLICANT)) expect(index.text).not.toContain(v);
    // The downloads are drawn from the report itself (the routes add only names of units, sectors and procedures).
    const vp = await actorFor(t.database, who('vp', 'Chánh Văn phòng'));
    const report = await readSituationReport(t.database.db, vp, { unit: t.unitIds.tinh!, groupBy: 'procedure', ...SEPT }, NOW);
    expect(report.total.received.total).toBe(4);
    const book = new ExcelJS.Workbook();
    const bytes = await situationXlsx({ report, sector: null, procedure: null });
    await book.xlsx.load(bytes.buffer as ArrayBuffer);
    const texts: string[] = [];
    book.eachSheet((s) => s.eachRow((r) => r.eachCell((cell) => texts.push(String(cell.text)))));
    const pdf = await extractText(await getDocumentProxy(new Uint8Array(await situationPdf({ report, sector: null, procedure: null }))), {
      mergePages: true,
    });
    texts.push(pdf.text);
    expect(texts.length).toBeGreaterThan(20);
    for (const v of [...Object.values(APPLICANT), 'Trần Thị Giáo']) expect(texts.join('\n')).not.toContain(v);
  });
});

describe('statistics attacked through the query', () => {
  it('answers every hostile parameter with 400 and a Vietnamese message, never 500', async () => {
    await dossiersOfTwoAgencies();
    const c = await loggedIn(who('sct-ld', 'Giám đốc'));
    const sct = t.unitIds.sct!;
    const id = '00000000-0000-4000-8000-000000000000';
    const bad = [
      'year=0001',
      'year=9999',
      'period=custom&from=01/01/0001&to=31/12/9999',
      'period=custom&from=2026-09-30&to=2026-09-01',
      'from=%00&to=01/01/2026',
      'groupBy=%00unit',
      `unit=${sct}%00`,
      'unit=%27%20or%201%3D1--',
      `sector=${'9'.repeat(5000)}`,
      'procedure=1%3Bdrop%20table%20dossiers',
      'n=%E2%80%8B1',
      `from=${'a'.repeat(20000)}`,
    ];
    for (const q of bad)
      for (const path of [REPORT, `${REPORT}.xlsx`, `${REPORT}.pdf`, INDEX]) {
        const res = await c.get(`${path}?${q}`);
        expect({ path, q: q.slice(0, 40), status: res.status }).toEqual({ path, q: q.slice(0, 40), status: 400 });
        expect(res.text).toMatch(/hợp lệ|Vui lòng|phải/);
      }
    const base = `unit=${sct}&from=2026-09-01&to=2026-09-30&cell=settled`;
    for (const q of [
      // Forged page positions: a year PostgreSQL cannot read, a number, text.
      `${base}&after=0000-01-01T00:00:00Z|${id}`,
      `${base}&after=275760-09-13|${id}`,
      `${base}&after=-000001-01-01|${id}`,
      `${base}&after=10000-01-01|${id}`,
      `${base}&after=2026-09-01|not-an-id`,
      `${base}&after=%27%3B--`,
      `${base}&after=${'1'.repeat(200)}`,
      `${base}&group=%00`,
      `${base.replace('settled', 'received')}&groupBy=sector&group=%00`,
      base.replace('cell=settled', 'cell=__proto__'),
      base.replace('cell=settled', 'cell=constructor'),
      `unit=${sct}&from=0001-01-01&to=9999-12-31&cell=settled`,
    ]) {
      const res = await c.get(`${REPORT}/ho-so?${q}`);
      expect({ q: q.slice(-60), status: res.status }).toEqual({ q: q.slice(-60), status: 400 });
      expect(res.text).toMatch(/không hợp lệ|Vui lòng/);
    }
  });

  it('bounds the widest report: the province by procedure over a century reads counters, the chart at most 30 bars', async () => {
    await dossiersOfTwoAgencies();
    const c = await loggedIn(who('vp', 'Chánh Văn phòng'));
    const q = `unit=${t.unitIds.tinh}&groupBy=procedure&period=custom&from=01/01/2000&to=31/12/2099`;
    const page = await c.get(`${REPORT}?${q}`);
    expect(page.status).toBe(200);
    const chart = /id="bieu-do-dang-giai-quyet"[\s\S]*?<\/svg>/.exec(page.text)?.[0] ?? '';
    expect(chart).not.toBe('');
    for (const path of [`${REPORT}.xlsx`, `${REPORT}.pdf`]) expect((await c.get(`${path}?${q}`)).status).toBe(200);
  });

  it('has no side effect on a POST, PUT or DELETE to its pages', async () => {
    await dossiersOfTwoAgencies();
    const c = await loggedIn(who('sct-ld', 'Giám đốc'));
    const before = await queryRows<{ n: number }>(
      t.database.db,
      sql`select (select count(*) from audit_log)::int + (select count(*) from stats_counts)::int as n`,
    );
    const q = `unit=${t.unitIds.sct}&from=2026-09-01&to=2026-09-30&cell=received`;
    for (const path of [REPORT, `${REPORT}/ho-so`, `${REPORT}.xlsx`, `${REPORT}.pdf`, INDEX]) {
      expect((await c.post(`${path}?${q}`, {}, { csrfFrom: REPORT })).status).toBeGreaterThanOrEqual(400);
      for (const method of ['PUT', 'DELETE']) expect((await c.request(method, `${path}?${q}`)).status).toBeGreaterThanOrEqual(400);
    }
    const after = await queryRows<{ n: number }>(
      t.database.db,
      sql`select (select count(*) from audit_log)::int + (select count(*) from stats_counts)::int as n`,
    );
    expect(after).toEqual(before);
  });
});

describe('the kept counters under side doors', () => {
  // A procedure's new version may move it to another sector: its dossiers of both sectors are counted apart (the
  // sector is part of the counters' key, migration 0047), and the recount agrees.
  it('count a procedure moved to another sector under each dossier’s own sector', async () => {
    const pid = await procedureOf('2.000633');
    const clerk = await actorFor(t.database, sctClerkUsername());
    await receiveAtCounter(t.database.db, clerk, { procedureId: pid, channel: '1', fullName: 'Lưu Văn Thống' }, vn('2026-09-03T09:00'));
    const admin = await actorFor(t.database, 'admin.sct');
    await t.database.db.transaction(async (tx) => {
      const prev = await lockCurrentVersion(tx, admin, pid);
      const target = (await tx.select().from(sectors)).find((s) => s.id !== prev.sectorId)!;
      await writeNextVersion(tx, admin, prev, { ...contentOf(prev), sectorId: target.id });
    });
    await receiveAtCounter(t.database.db, clerk, { procedureId: pid, channel: '1', fullName: 'Lưu Văn Thống' }, vn('2026-09-03T10:00'));
    expect((await counterDrift(t.database.db)).total).toBe(0);
  });

  it.skipIf(process.env.MOTCUA_TEST_DB !== 'postgres')(
    'stay equal to a recount after 8 concurrent transitions on one unit, procedure and day, on separate connections',
    async () => {
      const pid = await procedureOf('2.000633');
      const clerk = await actorFor(t.database, sctClerkUsername());
      const received = [];
      for (let i = 0; i < 16; i++)
        received.push(
          await receiveAtCounter(
            t.database.db,
            clerk,
            { procedureId: pid, channel: String((i % 3) + 1), ...APPLICANT },
            vn('2026-09-03T09:00'),
          ),
        );
      const at = vn('2026-09-03T11:00');
      // Each touches the same counters (closed, refused; supplement; received of a new dossier) from its own connection.
      const transitions = received.map((d, i) => {
        const online = (i % 3) + 1 === 2;
        if (i % 4 === 0) return actOnDossier(t.database.db, clerk, d.id, { action: 'refuse', note: 'Không hợp lệ' }, at);
        if (i % 4 === 1 && !online) return actOnDossier(t.database.db, clerk, d.id, { action: 'handover' }, at);
        if (i % 4 === 2)
          return actOnDossier(t.database.db, clerk, d.id, { action: 'request_supplement', note: 'Thiếu', items: 'Giấy tờ' }, at);
        return receiveAtCounter(t.database.db, clerk, { procedureId: pid, channel: '1', ...APPLICANT }, at);
      });
      const outcomes = await Promise.allSettled(transitions);
      const failed = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
      expect(failed.filter((f) => /deadlock|40P01|could not serialize/i.test(f))).toEqual([]);
      expect((await counterDrift(t.database.db)).total).toBe(0);

      // Two sessions changing two dossiers in opposite order, each in one transaction: a deadlock there is the
      // dossiers' rows, never the counters' (PostgreSQL breaks it; the survivor's counters stay right).
      const [x, y] = received.slice(-2);
      const swap = (first: string, second: string) =>
        t.database.db.transaction(async (tx) => {
          await tx
            .update(dossiers)
            .set({ dueAt: vn('2026-09-30T17:00') })
            .where(eq(dossiers.id, first));
          await new Promise((r) => setTimeout(r, 50));
          await tx
            .update(dossiers)
            .set({ dueAt: vn('2026-09-30T17:00') })
            .where(eq(dossiers.id, second));
        });
      await Promise.allSettled([swap(x!.id, y!.id), swap(y!.id, x!.id)]);
      expect((await counterDrift(t.database.db)).total).toBe(0);
    },
  );
});
