import { describe, expect, it } from 'vitest';
import { Client, TEST_PASSWORD } from './support/app.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { receiveAtCounter } from './support/reception.js';
import { demoOfficials } from '../src/demo/officials.js';
import { eq, inArray } from 'drizzle-orm';
import { dossiers, procedures, sectors } from '../src/db/schema/index.js';
import { listTracking, type TrackingList } from '../src/dossiers/tracking.js';
import { TRACKING_PATHS } from '../src/onestop/tracking-page.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';

const t = useDemoApp();
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;

async function loggedIn(username: string) {
  const c = new Client(t.app);
  expect((await c.login(username, TEST_PASSWORD)).status).toBe(303);
  return c;
}

/** The message shown under a field: the span FieldError renders with the field's name. */
const messageAt = (html: string, name: string) => new RegExp(`id="err-${name}">([^<]*)<`).exec(html)?.[1] ?? null;
const boxValue = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? null;

/** One dossier received by the Sở Công Thương clerk (through the use case: the form is tested elsewhere). */
async function receiveOne() {
  const { p } = await currentProcedure(t.database, '2.000633');
  await receiveAtCounter(
    t.database.db,
    await actorFor(t.database, sctClerkUsername()),
    { procedureId: p.id, channel: '1', fullName: 'Nguyễn Thị Hoa' },
    new Date(),
  );
}

describe('filters say what they cannot read, at the field', () => {
  it('an impossible date in Hồ sơ cần xử lý: 400, the message under từ ngày, the value kept, no list', async () => {
    const clerk = await loggedIn(sctClerkUsername());
    await receiveOne();
    const good = await clerk.get('/tiepnhan/ho-so');
    expect(good.text).toContain('Nguyễn Thị Hoa');
    const bad = await clerk.get('/tiepnhan/ho-so?tu=32%2F12%2F2026&q=hoa');
    expect(bad.status).toBe(400);
    expect(messageAt(bad.text, 'tu')).toMatch(/^Từ ngày không hợp lệ/);
    expect(boxValue(bad.text, 'tu')).toBe('32/12/2026');
    expect(boxValue(bad.text, 'q')).toBe('hoa');
    expect(bad.text).toContain('aria-invalid="true" aria-describedby="err-tu"');
    expect(bad.text).not.toContain('Nguyễn Thị Hoa');
    // The page is still the page: the lists beside it, the tabs, the form.
    expect(bad.text).toContain('Theo dõi');
    expect(bad.text).toContain('HỒ SƠ CẦN XỬ LÝ');
  });

  it('đến ngày before từ ngày is said at đến ngày, in the inbox and in the lists beside it', async () => {
    const clerk = await loggedIn(sctClerkUsername());
    for (const path of ['/tiepnhan/ho-so', '/tiepnhan/ho-so-da-tiep-nhan', '/tiepnhan/theo-doi']) {
      const res = await clerk.get(`${path}?tu=10%2F11%2F2026&den=01%2F11%2F2026`);
      expect(res.status, path).toBe(400);
      expect(messageAt(res.text, 'den'), path).toBe('Đến ngày phải cùng ngày hoặc sau từ ngày.');
      expect(messageAt(res.text, 'tu'), path).toBeNull();
      expect(boxValue(res.text, 'den'), path).toBe('01/11/2026');
      // The same day at both ends is a period of one day.
      expect((await clerk.get(`${path}?tu=10%2F11%2F2026&den=10%2F11%2F2026`)).status, path).toBe(200);
    }
    const lists = await clerk.get('/tiepnhan/theo-doi?tu=29%2F02%2F2026&han=som');
    expect(lists.status).toBe(400);
    expect(messageAt(lists.text, 'tu')).toMatch(/^Từ ngày không hợp lệ/);
    expect(messageAt(lists.text, 'han')).toMatch(/^Hạn xử lý không hợp lệ/);
    expect(lists.text).not.toContain('id="tracking"');
  });

  it('the lists beside the inbox: the clerk sees what they received; Tất cả hồ sơ is only for leaders', async () => {
    const clerk = await loggedIn(sctClerkUsername());
    await receiveOne();
    const inbox = await clerk.get('/tiepnhan/ho-so');
    for (const link of ['/tiepnhan/ho-so-da-tiep-nhan', '/tiepnhan/theo-doi']) expect(inbox.text).toContain(`href="${link}"`);
    expect(inbox.text).not.toContain('href="/tiepnhan/tat-ca-ho-so"');
    const received = await clerk.get('/tiepnhan/ho-so-da-tiep-nhan');
    expect(received.status).toBe(200);
    expect(received.text).toContain('Nguyễn Thị Hoa');
    expect(received.text).toContain('Cán bộ tiếp nhận');
    expect((await clerk.get('/tiepnhan/tat-ca-ho-so')).status).toBe(404);
    const director = await loggedIn(who('sct-ld', 'Giám đốc'));
    const all = await director.get('/tiepnhan/tat-ca-ho-so');
    expect(all.status).toBe(200);
    expect(all.text).toContain('Nguyễn Thị Hoa');
    // Another Sở's leader finds nothing of it.
    const other = await loggedIn(who('snv-tcbc', 'Trưởng phòng'));
    expect((await other.get('/tiepnhan/tat-ca-ho-so')).text).not.toContain('Nguyễn Thị Hoa');
    expect((await other.get('/tiepnhan/theo-doi?q=hoa')).text).not.toContain('Nguyễn Thị Hoa');
  });

  it('Sổ theo dõi hồ sơ (Mẫu 07): a bad or reversed period is said at its field; a good one opens the PDF', async () => {
    const clerk = await loggedIn(sctClerkUsername());
    const inbox = await clerk.get('/tiepnhan/ho-so');
    const agency = /name="donvi"[^>]*>\s*<option value="([^"]+)"/.exec(inbox.text)![1]!;
    const bad = await clerk.get(`/tiepnhan/so-theo-doi?donvi=${agency}&tu=31%2F04%2F2026&den=`);
    expect(bad.status).toBe(400);
    expect(messageAt(bad.text, 'tu')).toMatch(/^Từ ngày không hợp lệ/);
    expect(boxValue(bad.text, 'tu')).toBe('31/04/2026');
    const reversed = await clerk.get(`/tiepnhan/so-theo-doi?donvi=${agency}&tu=30%2F11%2F2026&den=01%2F11%2F2026`);
    expect(reversed.status).toBe(400);
    expect(messageAt(reversed.text, 'den')).toBe('Đến ngày phải cùng ngày hoặc sau từ ngày.');
    const missing = await clerk.get(`/tiepnhan/so-theo-doi?donvi=${agency}&tu=01%2F11%2F2026`);
    expect(messageAt(missing.text, 'den')).toMatch(/^Vui lòng nhập đến ngày/);
    const ok = await clerk.get(`/tiepnhan/so-theo-doi?donvi=${agency}&tu=01%2F11%2F2026&den=30%2F11%2F2026`);
    expect(ok.status).toBe(303);
    expect(ok.location).toMatch(/^\/tiepnhan\/so-theo-doi\.pdf\?/);
    const pdf = await clerk.get(ok.location!);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
  });

  it('Lĩnh vực and Thủ tục offer what can reach the official’s inbox, not the whole province; a value outside is still honoured', async () => {
    /** The ids a select of the filter form offers (its blank "Tất cả" left out). */
    const offered = (html: string, name: string) => {
      const select = new RegExp(`<select name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1] ?? '';
      return [...select.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]!).sort();
    };
    const procedureIds = async (...codes: string[]) =>
      (await t.database.db.select({ id: procedures.id }).from(procedures).where(inArray(procedures.code, codes))).map((r) => r.id).sort();
    const sectorId = async (code: string) =>
      (await t.database.db.select({ id: sectors.id }).from(sectors).where(eq(sectors.code, code)))[0]!.id;
    const allSectors = await t.database.db.select({ id: sectors.id }).from(sectors);
    // The trade expert of Sở Công Thương processes the four trade procedures (Lưu thông hàng hóa), nothing else.
    const expert = await loggedIn(who('sct-qltm', 'Chuyên viên'));
    const page = (await expert.get('/tiepnhan/ho-so')).text;
    expect(offered(page, 'linhvuc')).toEqual([await sectorId('LTHH')]);
    expect(offered(page, 'thutuc')).toEqual(await procedureIds('2.000633', '2.000620', '2.000190', '2.000181'));
    expect(allSectors).toHaveLength(11);
    // A commune's official: the commune's own procedures (Hộ tịch).
    const commune = await loggedIn(who('dx-tanphu', 'Công chức Văn phòng - Thống kê'));
    const communePage = (await commune.get('/tiepnhan/ho-so')).text;
    expect(offered(communePage, 'linhvuc')).toEqual([await sectorId('HOTICH')]);
    expect(offered(communePage, 'thutuc')).toEqual(await procedureIds('1.001193', '1.001022'));
    // A value from outside (a bookmark, another official's link) is answered, and the form shows what it filters by.
    const { p } = await currentProcedure(t.database, '2.000633');
    const d = await receiveAtCounter(t.database.db, await actorFor(t.database, sctClerkUsername()), {
      procedureId: p.id,
      channel: '1',
      fullName: 'Trần Văn Lọc',
    });
    await actOnDossier(t.database.db, await actorFor(t.database, sctClerkUsername()), d.id, { action: 'handover' });
    expect((await expert.get('/tiepnhan/ho-so')).text).toContain(d.code);
    const medal = await currentProcedure(t.database, '1.000775');
    const bySector = await expert.get(`/tiepnhan/ho-so?linhvuc=${medal.v.sectorId}`);
    expect(bySector.status).toBe(200);
    expect(bySector.text).toContain(`<option value="${medal.v.sectorId}" selected="">Thi đua, khen thưởng</option>`);
    expect(bySector.text).not.toContain(d.code);
    const byProcedure = await expert.get(`/tiepnhan/ho-so?thutuc=${medal.p.id}`);
    expect(byProcedure.status).toBe(200);
    expect(byProcedure.text).toContain(`<option value="${medal.p.id}" selected="">${medal.v.name}</option>`);
    expect(byProcedure.text).not.toContain(d.code);
    // Its own sector still lists the dossier.
    expect((await expert.get(`/tiepnhan/ho-so?linhvuc=${await sectorId('LTHH')}`)).text).toContain(d.code);
  });

  it('Hồ sơ đã tiếp nhận, Theo dõi and Tất cả hồ sơ offer the procedures of what they can list, and every listed dossier’s is offered', async () => {
    const offered = (html: string, name: string) => {
      const select = new RegExp(`<select name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1] ?? '';
      return [...select.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]!).sort();
    };
    const sectorOf = async (code: string) =>
      (await t.database.db.select({ id: sectors.id }).from(sectors).where(eq(sectors.code, code)))[0]!.id;
    const allSectors = await t.database.db.select({ id: sectors.id }).from(sectors);
    const allProcedures = await t.database.db.select({ id: procedures.id }).from(procedures);
    // Dossiers in the lists: one received by the Sở Công Thương clerk, handed to processing.
    const { p } = await currentProcedure(t.database, '2.000633');
    const clerkActor = await actorFor(t.database, sctClerkUsername());
    const d = await receiveAtCounter(t.database.db, clerkActor, { procedureId: p.id, channel: '1', fullName: 'Lê Văn Lựa' });
    await actOnDossier(t.database.db, clerkActor, d.id, { action: 'handover' });
    const cases: Array<[string, TrackingList]> = [
      [sctClerkUsername(), 'da-tiep-nhan'],
      [sctClerkUsername(), 'theo-doi'],
      [who('sct-qltm', 'Chuyên viên'), 'theo-doi'],
      [who('dx-tanphu', 'Công chức Văn phòng - Thống kê'), 'theo-doi'],
      [who('dx-tanphu', 'Công chức Văn phòng - Thống kê'), 'da-tiep-nhan'],
      [who('sct-ld', 'Giám đốc'), 'tat-ca'],
    ];
    const now = new Date();
    for (const [username, list] of cases) {
      const page = (await (await loggedIn(username)).get(TRACKING_PATHS[list])).text;
      const sectorIds = offered(page, 'linhvuc');
      const procedureIds = offered(page, 'thutuc');
      expect(procedureIds.length, `${username} ${list}`).toBeGreaterThan(0);
      expect(procedureIds.length, `${username} ${list}`).toBeLessThan(allProcedures.length);
      expect(sectorIds.length, `${username} ${list}`).toBeLessThan(allSectors.length);
      // The SQL side agrees: every dossier the list shows (all its pages) is of a procedure and sector offered.
      const actor = await actorFor(t.database, username);
      let after: string | undefined;
      let listed = 0;
      do {
        const r = await listTracking(t.database.db, actor, list, { ...(after ? { after } : {}) }, now, now);
        for (const row of r.rows) {
          const [dossier] = await t.database.db
            .select({ procedureId: dossiers.procedureId, sectorId: dossiers.sectorId })
            .from(dossiers)
            .where(eq(dossiers.id, row.id));
          expect(procedureIds, `${username} ${list} ${row.code}`).toContain(dossier!.procedureId);
          expect(sectorIds, `${username} ${list} ${row.code}`).toContain(dossier!.sectorId);
          listed++;
        }
        after = r.next ?? undefined;
      } while (after);
      if (username === sctClerkUsername() || list === 'tat-ca') expect(listed, `${username} ${list}`).toBeGreaterThan(0);
    }
    // A commune's official is offered the commune's sectors, not the trade of Sở Công Thương; the Sở's not Hộ tịch.
    const commune = (await (await loggedIn(who('dx-tanphu', 'Công chức Văn phòng - Thống kê'))).get('/tiepnhan/theo-doi')).text;
    expect(offered(commune, 'linhvuc')).toContain(await sectorOf('HOTICH'));
    expect(offered(commune, 'linhvuc')).not.toContain(await sectorOf('LTHH'));
    const director = (await (await loggedIn(who('sct-ld', 'Giám đốc'))).get('/tiepnhan/tat-ca-ho-so')).text;
    expect(offered(director, 'linhvuc')).toContain(await sectorOf('LTHH'));
    expect(offered(director, 'linhvuc')).not.toContain(await sectorOf('HOTICH'));
    // A value from outside is still answered and shown as chosen.
    const medal = await currentProcedure(t.database, '1.000775');
    const byProcedure = await (await loggedIn(sctClerkUsername())).get(`/tiepnhan/theo-doi?thutuc=${medal.p.id}`);
    expect(byProcedure.status).toBe(200);
    expect(byProcedure.text).toContain(`<option value="${medal.p.id}" selected="">${medal.v.name}</option>`);
    expect(byProcedure.text).not.toContain(d.code);
  });

  it('the API answers the same rules with a precise 400 naming the field', async () => {
    const clerk = await loggedIn(sctClerkUsername());
    const json = { accept: 'application/json' };
    const reversed = await clerk.request(
      'GET',
      '/api/v1/dossiers?from=2026-11-10T00:00:00%2B07:00&to=2026-11-01T00:00:00%2B07:00',
      undefined,
      json,
    );
    expect(reversed.status).toBe(400);
    const body = JSON.parse(reversed.text) as { error: { code: string; fields: Record<string, string> } };
    expect(body.error.code).toBe('invalid_query');
    expect(body.error.fields).toEqual({ to: 'to phải là cùng thời điểm hoặc sau from.' });
    const impossible = await clerk.request('GET', '/api/v1/dossiers?from=2026-12-32T00:00:00%2B07:00', undefined, json);
    expect(impossible.status).toBe(400);
    expect(Object.keys((JSON.parse(impossible.text) as { error: { fields: object } }).error.fields)).toEqual(['from']);
    expect(
      (await clerk.request('GET', '/api/v1/dossiers?from=2026-11-01T00:00:00%2B07:00&to=2026-11-01T00:00:00%2B07:00', undefined, json))
        .status,
    ).toBe(200);
  });
});
