/**
 * The public catalog: /thu-tuc (search without diacritics, filters, keyset pages), /thu-tuc/:id, and
 * GET /api/v1/procedures(/:id) for anonymous callers — while the rest of the API still wants credentials.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { changesSettled, currentProcedure, useDemoApp } from './support/fixtures.js';
import { procedureVersions } from '../src/db/schema/index.js';
import { foldVietnamese } from '../src/shared/text.js';

const t = useDemoApp();

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await t.app.request(`http://localhost${path}`, { headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** The procedures a list page links to, as ids. */
const linked = (html: string) => [...html.matchAll(/href="\/thu-tuc\/([0-9a-f-]{36})"/g)].map((m) => m[1]!);

describe('Danh sách thủ tục hành chính (/thu-tuc)', () => {
  it('is public, in Vietnamese, with a label on every field; search ignores diacritics and case', async () => {
    const { p } = await currentProcedure(t.database, '2.000633'); // Cấp Giấy phép bán lẻ sản phẩm rượu
    const page = await get('/thu-tuc?q=CAP+giay+phep+ban+le');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html lang="vi">');
    expect(page.text).toContain('<h1>Danh sách thủ tục hành chính</h1>');
    expect(linked(page.text)).toContain(p.id);
    expect(page.text).toContain('Cấp Giấy phép bán lẻ sản phẩm rượu');
    for (const id of ['q', 'sectorId', 'unitId', 'onlineLevel']) expect(page.text).toContain(`<label for="${id}">`);
    // A word still being typed is a prefix; words need not be next to each other.
    expect(linked((await get('/thu-tuc?q=giấy+phép+rượ')).text)).toContain(p.id);
    // Nothing matches: no result, a message.
    const none = await get('/thu-tuc?q=khongcothutucnao');
    expect(linked(none.text)).toEqual([]);
    expect(none.text).toContain('Không tìm thấy thủ tục phù hợp');
    // Punctuation and tsquery syntax are only text.
    for (const q of ["'&|!:*()", 'a & | b', '\\']) expect((await get(`/thu-tuc?q=${encodeURIComponent(q)}`)).status).toBe(200);
  });

  it('a search no name fully matches offers the names with most of its words, not a dead end', async () => {
    const { p } = await currentProcedure(t.database, '1.001193'); // Đăng ký khai sinh
    // What a grandmother types for a copy of her birth extract: "khai sinh" is in one name, "trich luc" in none.
    const near = await get('/thu-tuc?q=trich+luc+khai+sinh');
    expect(near.status).toBe(200);
    expect(near.text).toContain('Không có thủ tục nào có đủ các từ đã gõ. Có thể bạn cần tìm');
    expect(linked(near.text)).toEqual([p.id]);
    // The filters still hold: another sector's procedures only.
    const { v: other } = await currentProcedure(t.database, '2.000633');
    expect(linked((await get(`/thu-tuc?q=trich+luc+khai+sinh&sectorId=${other.sectorId}`)).text)).toEqual([]);
    // One word, or no word anywhere: the plain message, nothing offered.
    for (const q of ['khongcothutucnao', 'trich+luc']) {
      const none = await get(`/thu-tuc?q=${q}`);
      expect(linked(none.text)).toEqual([]);
      expect(none.text).toContain('Không tìm thấy thủ tục phù hợp');
    }
  });

  it('filters narrow: sector, implementing unit, online level', async () => {
    const all = linked((await get('/thu-tuc')).text);
    expect(all.length).toBe(20);
    const { v } = await currentProcedure(t.database, '2.000633');
    const bySector = linked((await get(`/thu-tuc?sectorId=${v.sectorId}`)).text);
    expect(bySector).toContain(v.procedureId);
    expect(bySector.length).toBeLessThan(all.length);
    for (const id of bySector) expect((await currentProcedure(t.database, await codeOf(id))).v.sectorId).toBe(v.sectorId);
    const byUnit = linked((await get(`/thu-tuc?unitId=${v.unitIds[0]}`)).text);
    expect(byUnit).toContain(v.procedureId);
    expect(byUnit.length).toBeLessThan(all.length);
    const partial = linked((await get('/thu-tuc?onlineLevel=mot_phan')).text);
    expect(partial).not.toContain(v.procedureId); // toàn trình
    // Together: each filter narrows what the others found.
    const ruou = linked((await get('/thu-tuc?q=ruou')).text);
    const together = linked((await get(`/thu-tuc?onlineLevel=toan_trinh&sectorId=${v.sectorId}&q=ruou`)).text);
    expect(together).toContain(v.procedureId);
    for (const id of together) expect(ruou.includes(id) && bySector.includes(id) && !partial.includes(id)).toBe(true);
    const tobacco = await currentProcedure(t.database, '2.000190'); // same sector, một phần
    expect(bySector).toContain(tobacco.p.id);
    expect(linked((await get(`/thu-tuc?onlineLevel=toan_trinh&sectorId=${v.sectorId}`)).text)).not.toContain(tobacco.p.id);
  });

  it('pages by keyset: page 2 follows page 1 without overlap, and the last page has no next', async () => {
    const first = await get('/thu-tuc');
    const next = /<a class="button" rel="next" href="([^"]+)"/.exec(first.text)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toBeTruthy();
    const second = await get(next!);
    expect(second.status).toBe(200);
    const [a, b] = [linked(first.text), linked(second.text)];
    expect(b.length).toBeGreaterThan(0);
    expect(a.filter((id) => b.includes(id))).toEqual([]);
    expect(second.text).not.toContain('rel="next"');
    expect(second.text).toContain('Về trang đầu');
  });

  it('an old version and a procedure without a current version never show', async () => {
    const { p, v } = await currentProcedure(t.database, '2.000633');
    const oldName = 'Cấp phép ngừng áp dụng thử nghiệm';
    await t.database.db.insert(procedureVersions).values({
      ...v,
      id: randomUUID(),
      version: 0,
      name: oldName,
      nameFolded: foldVietnamese(oldName),
      current: false,
    });
    await changesSettled(t.database);
    expect(linked((await get('/thu-tuc?q=ngung+ap+dung')).text)).toEqual([]);
    const api = await get('/api/v1/procedures?q=ngung+ap+dung');
    expect(JSON.parse(api.text)).toEqual([]);
    // The procedure itself still shows with its current name.
    expect(linked((await get('/thu-tuc?q=ban+le+san+pham+ruou')).text)).toContain(p.id);
    // Withdrawn: no current version at all.
    await t.database.db
      .update(procedureVersions)
      .set({ current: false })
      .where(and(eq(procedureVersions.procedureId, p.id), eq(procedureVersions.current, true)));
    await changesSettled(t.database);
    expect(linked((await get('/thu-tuc?q=ban+le+san+pham+ruou')).text)).not.toContain(p.id);
    expect((await get(`/thu-tuc/${p.id}`)).status).toBe(404);
    expect((await get(`/api/v1/procedures/${p.id}`)).status).toBe(404);
  });

  it('bad parameters: the form again with a Vietnamese message, what was typed kept (400)', async () => {
    const bad = await get('/thu-tuc?q=thue&sectorId=not-an-id');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Lĩnh vực không hợp lệ.');
    expect(bad.text).toContain('value="thue"');
    expect(bad.text).toContain('aria-invalid="true"');
    expect((await get('/thu-tuc?onlineLevel=cao')).text).toContain('Mức độ phải là toan_trinh');
    expect((await get(`/thu-tuc?q=${'a'.repeat(101)}`)).text).toContain('Từ khóa tìm kiếm tối đa 100 ký tự.');
    const cursor = await get('/thu-tuc?after=bm90LWpzb24');
    expect(cursor.status).toBe(400);
    expect(cursor.text).toContain('Trang không hợp lệ');
    expect((await get('/thu-tuc?q=%00')).status).toBe(400);
  });
});

async function codeOf(procedureId: string): Promise<string> {
  const res = await get(`/api/v1/procedures/${procedureId}`);
  return (JSON.parse(res.text) as { code: string }).code;
}

describe('a procedure page (/thu-tuc/:id)', () => {
  it('shows code, sector, units, time limit, fee, documents with the template link, and Nộp hồ sơ trực tuyến', async () => {
    const { p, v } = await currentProcedure(t.database, '1.001193');
    const page = await get(`/thu-tuc/${p.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<h1>${v.name}</h1>`);
    expect(page.text).toContain('1.001193');
    expect(page.text).toContain('Thành phần hồ sơ');
    const doc = v.documents.find((d) => d.template)!;
    expect(page.text).toContain(doc.name);
    expect(page.text).toContain(`href="/tai-mau/${doc.template}"`);
    expect(page.text).toContain(`href="/ca-nhan/nop-ho-so?thutuc=${p.id}"`);
    expect(page.text).toContain('Nộp hồ sơ trực tuyến');
    expect(page.text).toContain(v.fee > 0 ? 'đồng' : 'Không mất phí');
    // The template link answers.
    expect((await get(`/tai-mau/${doc.template}`)).status).toBe(200);

    const paid = await currentProcedure(t.database, '2.000633');
    const paidPage = await get(`/thu-tuc/${paid.p.id}`);
    expect(paidPage.text).toContain('1.200.000 đồng');
    expect(paidPage.text).toContain('10 ngày làm việc');
    expect(paidPage.text).toContain('Lưu thông hàng hóa trong nước');
    await t.database.db
      .update(procedureVersions)
      .set({ fee: 0, feeNote: 'Miễn phí theo quy định thử nghiệm' })
      .where(eq(procedureVersions.id, paid.v.id));
    const free = await get(`/thu-tuc/${paid.p.id}`);
    expect(free.text).toContain('Không mất phí');
    expect(free.text).toContain('Miễn phí theo quy định thử nghiệm');
  });

  it('a malformed or unknown id is the 404 page', async () => {
    for (const id of ['not-an-id', '-'.repeat(36), randomUUID(), '%00']) {
      const res = await get(`/thu-tuc/${id}`);
      expect(res.status, id).toBe(404);
      expect(res.text).toContain('không tồn tại');
    }
  });

  it('the portal links to the catalog from its header', async () => {
    const home = await get('/');
    expect(home.text).toContain('href="/thu-tuc"');
  });
});

describe('the catalog in the API, without credentials', () => {
  it('GET /api/v1/procedures answers anonymous callers, with the same filters; the next page in Link', async () => {
    const { p, v } = await currentProcedure(t.database, '2.000633');
    const res = await get('/api/v1/procedures?q=cap+giay+phep+ban+le');
    expect(res.status).toBe(200);
    const items = JSON.parse(res.text) as Array<{ id: string; code: string; documents: unknown[] }>;
    expect(items.map((i) => i.id)).toContain(p.id);
    const one = await get('/api/v1/procedures?limit=1');
    expect(JSON.parse(one.text)).toHaveLength(1);
    const link = /^<([^>]+)>; rel="next"$/.exec(one.headers.get('link') ?? '')?.[1];
    expect(link).toBeTruthy();
    const second = await get(new URL(link!).pathname + new URL(link!).search);
    expect(second.status).toBe(200);
    expect(JSON.parse(second.text)[0].id).not.toBe(JSON.parse(one.text)[0].id);
    const bySector = JSON.parse((await get(`/api/v1/procedures?sectorId=${v.sectorId}&onlineLevel=toan_trinh`)).text);
    expect(bySector.every((x: { sector: string }) => x.sector === 'Lưu thông hàng hóa trong nước')).toBe(true);
    const detail = await get(`/api/v1/procedures/${p.id}`);
    expect(detail.status).toBe(200);
    expect(JSON.parse(detail.text)).toMatchObject({ id: p.id, code: '2.000633', fee: 1_200_000 });
  });

  it('bad parameters answer 400 naming them; unknown ids 404; a bad token is still 401', async () => {
    const bad = await get('/api/v1/procedures?limit=0');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error).toMatchObject({ code: 'invalid_query' });
    expect(JSON.parse(bad.text).error.message).toContain('limit');
    expect((await get('/api/v1/procedures?unitId=x')).status).toBe(400);
    expect((await get('/api/v1/procedures?after=%%%')).status).toBe(400);
    expect((await get(`/api/v1/procedures/${randomUUID()}`)).status).toBe(404);
    expect((await get('/api/v1/procedures/nope')).status).toBe(404);
    expect((await get('/api/v1/procedures', { authorization: 'Bearer mc_x.nope' })).status).toBe(401);
  });

  it('every other API route still answers 401 without credentials', async () => {
    for (const path of ['/api/v1/dossiers', `/api/v1/dossiers/${randomUUID()}`]) expect((await get(path)).status, path).toBe(401);
    const post = await t.app.request('http://localhost/api/v1/dossiers', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect([401, 403]).toContain(post.status);
  });
});
