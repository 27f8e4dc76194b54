/**
 * Error pages for people keep the frame of their area (found on a 360 px phone: a refusal on the portal lost its
 * header and menu and showed a raw UUID). On the portal: its header, menu and the citizen's name; under /tiepnhan: the
 * officials' Layout and menus. A page about the database being away is drawn without reading it; a frame whose props
 * cannot be read falls back to one that needs nothing. The code for support only on a 5xx, short. The API's JSON error
 * is unchanged.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { eq, sql } from 'drizzle-orm';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { buildDeps } from '../src/deps.js';
import { errors } from '../src/shared/errors.js';
import { requireCitizen } from '../src/portal/citizen-context.js';
import { demoOfficials } from '../src/demo/officials.js';
import { procedures } from '../src/db/schema/index.js';
import { Client, TEST_PASSWORD, type App } from './support/app.js';
import { actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { loggedInCitizen } from './support/portal-citizen.js';
import { receiveAtCounter } from './support/reception.js';

const t = useDemoApp();
const CITIZEN = 'Trần Thị Mai Anh';
const clerk = () => demoOfficials().find((o) => o.username === sctClerkUsername())!;

/** The part of a page inside <main>, and its links as [text, href]. */
const mainOf = (html: string) => html.slice(html.indexOf('<main'), html.indexOf('</main>'));
const linksOf = (html: string) => [...mainOf(html).matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].map((m) => [m[2], m[1]]);
const brandOf = (html: string) => /<div class="brand"><a href="[^"]*">([^<]*)<\/a>/.exec(html)?.[1];

/** What every error page for people keeps. */
function expectErrorPage(html: string, code: string) {
  expect(html).toMatch(/^<!DOCTYPE html><html lang="vi">/);
  expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"/>');
  expect(mainOf(html)).toContain(`<p class="flash flash-error" role="alert" data-error-code="${code}">`);
  expect(html).not.toContain('Mã tham chiếu');
}

const PORTAL_HEADER = '<header class="top portal-top">';
const OFFICIALS_MENU = '<nav class="mainnav" aria-label="Menu chính"><a href="/tiepnhan"';

async function loggedInClerk(app: App) {
  const client = new Client(app);
  expect((await client.login(sctClerkUsername(), TEST_PASSWORD)).status).toBe(303);
  return client;
}

describe("an error page keeps its area's frame", () => {
  it("a citizen opening another's dossier: the portal's header, menu and her name, home is TRANG CÁ NHÂN, no code", async () => {
    const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
    const d = await receiveAtCounter(t.database.db, await actorFor(t.database, sctClerkUsername()), {
      procedureId: p!.id,
      channel: '1',
      fullName: 'Lê Văn Khác',
      phone: '0912000222',
    });
    const { client } = await loggedInCitizen(t.database.db, t.app);
    const res = await client.get(`/ca-nhan/ho-so/${d.id}`);
    expect(res.status).toBe(404);
    expectErrorPage(res.text, 'not_found');
    expect(res.text).toContain(PORTAL_HEADER);
    expect(res.text).toContain('<a href="/ca-nhan" aria-current="true">TRANG CÁ NHÂN</a>');
    expect(res.text).toContain(`Đăng xuất (${CITIZEN})`);
    expect(res.text).toContain('<title>Thông báo — Cổng Dịch vụ công ');
    expect(linksOf(res.text)).toEqual([['Về trang chủ', '/ca-nhan']]);
    // A 404 has nothing for support to look up: no code, and never the request id.
    expect(res.text).not.toContain('Nếu cần hỗ trợ');
    expect(res.text).not.toContain(res.headers.get('x-request-id')!);
  });

  it('anonymous on the portal: the header offers Đăng nhập, home is /', async () => {
    const anon = new Client(t.app);
    const res = await anon.get('/khong-co-trang-nay');
    expect(res.status).toBe(404);
    expectErrorPage(res.text, 'not_found');
    expect(res.text).toContain(PORTAL_HEADER);
    expect(res.text).toContain('<a href="/dang-nhap">Đăng nhập</a>');
    expect(linksOf(res.text)).toEqual([['Về trang chủ', '/']]);
  });

  it("an official's 404 under /tiepnhan: the officials' Layout with its menu and her name, home is /tiepnhan", async () => {
    const client = await loggedInClerk(t.app);
    const res = await client.get('/tiepnhan/ho-so/00000000-0000-4000-8000-000000000001');
    expect(res.status).toBe(404);
    expectErrorPage(res.text, 'not_found');
    expect(res.text).toContain(OFFICIALS_MENU);
    expect(res.text).toContain('<a href="/tiepnhan/ho-so">HỒ SƠ</a>');
    expect(res.text).toContain(`${clerk().middleName} ${clerk().givenName}`);
    expect(res.text).not.toContain(PORTAL_HEADER);
    expect(linksOf(res.text)).toEqual([['Về trang chủ', '/tiepnhan']]);
  });

  it("a 401 leads to the area's own login: the citizens' on the portal, the officials' under /tiepnhan", async () => {
    const anon = new Client(guarded);
    const portal = await anon.get('/test-only-anonymous/401');
    expect(portal.status).toBe(401);
    expectErrorPage(portal.text, 'unauthenticated');
    expect(linksOf(portal.text)).toEqual([
      ['Về trang chủ', '/'],
      ['Đăng nhập', '/dang-nhap'],
    ]);
    // Under /tiepnhan an anonymous visit goes to the login page before any route: a route refusing a logged-in official.
    const official = await (await loggedInClerk(guarded)).get('/tiepnhan/test-only-anonymous/401');
    expect(official.status).toBe(401);
    expectErrorPage(official.text, 'unauthenticated');
    expect(official.text).toContain(OFFICIALS_MENU);
    expect(linksOf(official.text)).toEqual([
      ['Về trang chủ', '/tiepnhan'],
      ['Đăng nhập', '/tiepnhan/dang-nhap'],
    ]);
  });

  it('an API error stays the one JSON error, and so does a page asked for as JSON', async () => {
    const api = await t.app.request('http://localhost/api/v1/khong-co', { headers: { 'x-request-id': 'api-ref-1' } });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await api.json()).toEqual({
      error: { code: 'not_found', message: 'Không tìm thấy trang bạn yêu cầu.', fields: null, requestId: 'api-ref-1' },
    });
    const page = await t.app.request('http://localhost/khong-co', { headers: { 'x-request-id': 'api-ref-2', accept: 'application/json' } });
    expect(await page.json()).toEqual({
      error: { code: 'not_found', message: 'Không tìm thấy trang bạn yêu cầu.', fields: null, requestId: 'api-ref-2' },
    });
  });
});

/**
 * An app on the same database through a guard: while `mode` is not 'up', every use of the database fails — as an
 * unreachable server ('down') or as a broken query ('broken') — and is recorded in `touched`.
 */
let mode: 'up' | 'down' | 'broken' = 'up';
const touched: string[] = [];
let guarded: App;
const REQUEST_ID = '3f2a9c1b-5d6e-4f70-8a9b-0c1d2e3f4a5b';

beforeAll(() => {
  const real = t.database.db;
  const db = new Proxy(real, {
    get(target, key) {
      if (mode !== 'up') {
        touched.push(String(key));
        throw new Error(mode === 'down' ? 'Connection terminated unexpectedly' : 'a read of the frame fails');
      }
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const config = loadConfig({ NODE_ENV: 'test', PORT: '3999', SESSION_SECRET: 'test-secret-test-secret-test-secret-123' });
  // No display cache: every page reads its frame, so a broken read is met.
  guarded = createApp(
    buildDeps(config, { ...t.database, db }, pino({ level: 'silent' }), {
      captcha: { counterMin: 10, counterMax: 50, cost: 1 },
      displayCacheMs: 0,
    }),
  );
  const fail = (next: 'down' | 'broken') => async () => {
    mode = next;
    if (next === 'broken') throw errors.notFound('Hồ sơ');
    await db.execute(sql`select 1`);
  };
  // As every page of the area does: the citizen read first (portal), the session by the middleware (officials).
  guarded.get('/test-only/:mode', async (c) => {
    await requireCitizen(c);
    return fail(c.req.param('mode') as 'down' | 'broken')().then(() => c.text('unreachable'));
  });
  guarded.get('/tiepnhan/test-only/:mode', (c) => fail(c.req.param('mode') as 'down' | 'broken')().then(() => c.text('unreachable')));
  guarded.get('/test-only-anonymous/boom', () => {
    throw new Error('boom');
  });
  for (const area of ['', '/tiepnhan'])
    guarded.get(`${area}/test-only-anonymous/401`, () => {
      throw errors.unauthenticated();
    });
});

beforeEach(() => {
  mode = 'up';
  touched.length = 0;
});

describe('an error page that cannot read its frame', () => {
  it('the database is away (503) on the portal: the portal frame from what the request holds, the database untouched', async () => {
    const { client } = await loggedInCitizen(t.database.db, guarded);
    const brand = brandOf((await client.get('/')).text);
    const res = await client.request('GET', '/test-only/down', undefined, { 'x-request-id': REQUEST_ID });
    mode = 'up';
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
    expectErrorPage(res.text, 'database_unavailable');
    expect(res.text).toContain('Hệ thống đang tạm gián đoạn kết nối cơ sở dữ liệu.');
    // The route's own query, and nothing after it.
    expect(touched).toEqual(['execute']);
    expect(res.text).toContain(PORTAL_HEADER);
    expect(brandOf(res.text)).toBe(brand);
    expect(res.text).toContain(`Đăng xuất (${CITIZEN})`);
    expect(linksOf(res.text)).toEqual([['Về trang chủ', '/ca-nhan']]);
    // A 5xx: the code to give support, short and upper-case, the full id nowhere on the page.
    expect(mainOf(res.text)).toContain('<p class="muted support-code">Nếu cần hỗ trợ, vui lòng cung cấp mã: 3F2A9C1B</p>');
    expect(res.text).not.toContain(REQUEST_ID);
  });

  it("the database is away (503) under /tiepnhan: the officials' frame with the session's account, the database untouched", async () => {
    const client = await loggedInClerk(guarded);
    const res = await client.get('/tiepnhan/test-only/down');
    mode = 'up';
    expect(res.status).toBe(503);
    expectErrorPage(res.text, 'database_unavailable');
    expect(touched).toEqual(['execute']);
    expect(res.text).toContain(OFFICIALS_MENU);
    expect(res.text).toContain(`${clerk().middleName} ${clerk().givenName}`);
    expect(linksOf(res.text)).toEqual([['Về trang chủ', '/tiepnhan']]);
    expect(mainOf(res.text)).toContain('Nếu cần hỗ trợ, vui lòng cung cấp mã: ');
  });

  it('the frame cannot be read: the page is drawn in the frame that needs nothing, with its own status, never a 500', async () => {
    const official = await loggedInClerk(guarded);
    const res = await official.get('/tiepnhan/test-only/broken');
    mode = 'up';
    expect(touched.length).toBeGreaterThan(0);
    expect(res.status).toBe(404);
    expectErrorPage(res.text, 'not_found');
    expect(res.text).toContain(OFFICIALS_MENU);
    expect(res.text).toContain(`${clerk().middleName} ${clerk().givenName}`);

    touched.length = 0;
    const { client } = await loggedInCitizen(t.database.db, guarded);
    const portal = await client.get('/test-only/broken');
    mode = 'up';
    expect(touched.length).toBeGreaterThan(0);
    expect(portal.status).toBe(404);
    expectErrorPage(portal.text, 'not_found');
    expect(portal.text).toContain(PORTAL_HEADER);
    expect(portal.text).toContain(`Đăng xuất (${CITIZEN})`);
  });

  it('a 500 on the portal shows the code to give support, in the frame', async () => {
    const res = await new Client(guarded).request('GET', '/test-only-anonymous/boom', undefined, { 'x-request-id': REQUEST_ID });
    expect(res.status).toBe(500);
    expectErrorPage(res.text, 'internal');
    expect(res.text).toContain(PORTAL_HEADER);
    expect(mainOf(res.text)).toContain('Nếu cần hỗ trợ, vui lòng cung cấp mã: 3F2A9C1B');
  });
});
