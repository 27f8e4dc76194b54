/**
 * What the catalog's speed work (docs/decisions/0015-catalog-search.md, "Speed") must not change: an anonymous
 * page view reads and writes no session, a citizen's keeps theirs, the security headers stay on every answer, the
 * pre-rendered filter options are escaped and mark only a real choice, and the pages chosen in memory (the list
 * and the API, every combination of filters) answer for their own filters — checked against the catalog computed here.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { buildApp, Client } from './support/app.js';
import { currentProcedure, useDemoApp } from './support/fixtures.js';
import { citizens, procedureVersions, sectors, sessions } from '../src/db/schema/index.js';
import { createCitizenSession } from '../src/auth/sessions.js';
import { PORTAL_COOKIE } from '../src/portal/citizen-context.js';

const t = useDemoApp();

const linked = (html: string) => [...html.matchAll(/href="\/thu-tuc\/([0-9a-f-]{36})"/g)].map((m) => m[1]!);
const sessionRows = async () => (await t.database.db.select().from(sessions)).map((s) => `${s.idHash}:${s.lastSeenAt.toISOString()}`);

function expectHardened(res: { headers: Headers }) {
  expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('referrer-policy')).toBe('same-origin');
  expect(res.headers.get('cache-control')).toBe('no-store');
}

describe('the catalog page and sessions', () => {
  it('an anonymous view reads and writes no session: its only cookie is the CSRF one; the headers stay strict', async () => {
    const before = await sessionRows();
    const client = new Client(t.app);
    for (const [i, path] of ['/thu-tuc?q=cap+giay+phep', '/thu-tuc', '/thu-tuc?onlineLevel=mot_phan'].entries()) {
      const res = await client.get(path);
      expect(res.status).toBe(200);
      expectHardened(res);
      // The first visit is given its CSRF cookie; later ones send it back and are given nothing.
      expect(res.headers.getSetCookie().map((c) => c.split('=')[0])).toEqual(i === 0 ? ['motcua_csrf'] : []);
      expect(res.text).toContain('href="/dang-nhap"');
      expect(res.text).not.toContain('Đăng xuất');
    }
    expect(await sessionRows()).toEqual(before);
    // A forged portal cookie is no session either: still anonymous, nothing written.
    client.cookies.set(PORTAL_COOKIE, crypto.randomBytes(32).toString('base64url'));
    const forged = await client.get('/thu-tuc?q=ruou');
    expect(forged.status).toBe(200);
    expect(forged.text).not.toContain('Đăng xuất');
    expect(await sessionRows()).toEqual(before);
    // Not found and HEAD answers keep the headers too.
    expectHardened(await client.get(`/thu-tuc/${crypto.randomUUID()}`));
    const head = await t.app.request('http://localhost/thu-tuc?q=ruou', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expectHardened(head);
  });

  it("a logged-in citizen's view keeps their session: their name and Đăng xuất in the header, on every visit", async () => {
    const [row] = await t.database.db
      .insert(citizens)
      .values({ issuer: 'https://vneid.test', subject: crypto.randomUUID(), cccd: '001190054321', fullName: 'Lê Thị Thu Hà', loa: 2 })
      .returning({ id: citizens.id });
    const token = await createCitizenSession(t.database.db, row!.id, { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 }, new Date());
    const client = new Client(t.app);
    client.cookies.set(PORTAL_COOKIE, token);
    for (let i = 0; i < 2; i++) {
      const res = await client.get('/thu-tuc?q=cap+giay+phep');
      expect(res.status).toBe(200);
      expect(res.text).toContain('Đăng xuất (Lê Thị Thu Hà)');
      expect(res.text).toContain('href="/ca-nhan"');
      // The logout form carries the token bound to this session.
      expect(res.text).toMatch(/<form method="post" action="\/dang-xuat" class="inline"><input type="hidden" name="_csrf" value="[^"]+"/);
      expectHardened(res);
    }
    expect(client.cookies.get(PORTAL_COOKIE)).toBe(token);
    expect((await client.get('/ca-nhan')).status).toBe(200);
  });
});

describe('the filter options, rendered once', () => {
  it('are escaped, and mark the chosen sector only when it is one of them', async () => {
    const { v } = await currentProcedure(t.database, '2.000633');
    await t.database.db.update(sectors).set({ name: `<b>"Rượu" & 'bia'</b>` }).where(eq(sectors.id, v.sectorId));
    // A fresh app, which has never loaded the catalog: nothing of it could be from before the update.
    const app = buildApp(t.database);
    const page = async (path: string) => {
      const res = await app.request(`http://localhost${path}`);
      return { status: res.status, text: await res.text() };
    };
    const chosen = await page(`/thu-tuc?sectorId=${v.sectorId}`);
    expect(chosen.text).toContain(
      `<option value="${v.sectorId}" selected="">&lt;b&gt;&quot;Rượu&quot; &amp; &#39;bia&#39;&lt;/b&gt;</option>`,
    );
    expect(chosen.text).not.toContain('<b>');
    expect(chosen.text.match(/ selected=""/g)).toHaveLength(1);
    // Not chosen: the same option without the mark; an unknown sector marks none.
    expect((await page('/thu-tuc')).text).toContain(`<option value="${v.sectorId}">&lt;b&gt;`);
    const unknown = await page(`/thu-tuc?sectorId=${crypto.randomUUID()}`);
    expect(unknown.status).toBe(200);
    expect(unknown.text).not.toContain(' selected=""');
    // Markup in the parameter is refused beside the field, and only ever shown escaped.
    const forged = await page(`/thu-tuc?sectorId=${encodeURIComponent('"><script>x</script>')}`);
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('Lĩnh vực không hợp lệ.');
    expect(forged.text).not.toContain('<script>');
  });
});

describe('each combination of filters answers for its own filters', () => {
  it('the page and the API give the catalog computed here, for every combination of filters and a next page', async () => {
    const all = await t.database.db.select().from(procedureVersions).where(eq(procedureVersions.current, true));
    const { v } = await currentProcedure(t.database, '2.000633');
    const words = (s: string) => s.split(/[^a-z0-9]+/).filter(Boolean);
    const filters = { q: 'giay phep', sectorId: v.sectorId, unitId: v.unitIds[0]!, onlineLevel: 'toan_trinh' } as const;
    const expected = (f: Partial<Record<keyof typeof filters, string>>) =>
      all
        .filter((p) => {
          const w = words(p.nameFolded);
          const terms = words(f.q ?? '');
          const ok = terms.every((term, i) => (i === terms.length - 1 ? w.some((x) => x.startsWith(term)) : w.includes(term)));
          return (
            ok &&
            (!f.sectorId || p.sectorId === f.sectorId) &&
            (!f.unitId || p.unitIds.includes(f.unitId)) &&
            (!f.onlineLevel || p.onlineLevel === f.onlineLevel)
          );
        })
        .sort((a, b) => (a.nameFolded < b.nameFolded ? -1 : a.nameFolded > b.nameFolded ? 1 : a.procedureId < b.procedureId ? -1 : 1))
        .map((p) => p.procedureId);
    const keys = Object.keys(filters) as Array<keyof typeof filters>;
    let nonEmpty = 0;
    for (let mask = 0; mask < 1 << keys.length; mask++) {
      const f = Object.fromEntries(keys.filter((_, i) => mask & (1 << i)).map((k) => [k, filters[k]]));
      const qs = new URLSearchParams(f).toString();
      const want = expected(f);
      if (want.length) nonEmpty++;
      const page = await t.app.request(`http://localhost/thu-tuc?${qs}`);
      expect(linked(await page.text()), qs).toEqual(want.slice(0, 20));
      const api = await t.app.request(`http://localhost/api/v1/procedures?${qs}&limit=5`);
      const got = ((await api.json()) as Array<{ id: string }>).map((p) => p.id);
      expect(got, qs).toEqual(want.slice(0, 5));
      // The next page (a shape with a cursor) goes on where this one stopped.
      const next = /<([^>]+)>; rel="next"/.exec(api.headers.get('link') ?? '')?.[1];
      if (want.length > 5) {
        const second = await t.app.request(next!.replace(/^https?:\/\/[^/]+/, 'http://localhost'));
        expect(
          ((await second.json()) as Array<{ id: string }>).map((p) => p.id),
          qs,
        ).toEqual(want.slice(5, 10));
      } else expect(next, qs).toBeUndefined();
    }
    expect(nonEmpty).toBeGreaterThan(4);
  });
});
