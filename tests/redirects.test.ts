/**
 * No open redirect: the target a user supplies (`?tiep=` at the login page, carried through a
 * VNeID login) is followed only when it is a plain path of this site, in the area the login is for;
 * anything else ends on the start page. The stored target of a login in progress is checked when
 * stored and again when used.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type buildApp, Client, TEST_PASSWORD } from './support/app.js';
import { type startTestSimulator, vneidLogin, useVneidDemo } from './support/vneid.js';
import { demoOfficials } from '../src/demo/officials.js';
import { loadPopulation } from '../sim/state.js';
import { oidcTransactions } from '../src/db/schema/index.js';
import { safeRedirect } from '../src/web/safe-redirect.js';
import type { Database } from '../src/db/client.js';

let database: Database;
let sim: Awaited<ReturnType<typeof startTestSimulator>>;
let app: ReturnType<typeof buildApp>;
const population = loadPopulation();
const personOf = (username: string) => population.find((p) => p.demoUsername === username)!;
const verifiedOfficial = () => demoOfficials().find((o) => o.verified && personOf(o.username).loa === 2 && o.unitKey.startsWith('sct'))!;
const citizen = () => population.find((p) => p.role === 'citizen' && p.loaiTaiKhoan === 1)!;

const t = useVneidDemo();
beforeAll(() => {
  ({ database, sim, app } = t);
});

/** Targets that must never be followed by an official's login. */
const HOSTILE = [
  '/\t/evil.example/',
  '/\n/evil.example/',
  '/\r/evil.example/',
  '/tiepnhan\r\nSet-Cookie: motcua_sid=x',
  '//evil.example',
  '/\\evil.example',
  '\\/evil.example',
  'https://evil.example',
  'HTTPS://evil.example/tiepnhan',
  'javascript:alert(1)',
  '/%2F%2Fevil.example',
  '/tiepnhan/%2F%2Fevil.example',
  '/tiepnhan/%2e%2e/%2e%2e//evil.example',
  '/tiepnhan/../..//evil.example',
  '/tiepnhan//evil.example',
  '/\uFF0F\uFF0Fevil.example', // fullwidth solidus
  '/\uFF3Cevil.example', // fullwidth reverse solidus
  '/\u2215\u2215evil.example', // division slash
  '/tiepnhan/\u3002evil.example', // ideographic full stop
  '/\u202Eelpmaxe.live', // right-to-left override
  '/\u00A0/evil.example',
  '/\u200B/evil.example',
  '/tiepnhan@evil.example',
  '/tiepnhan.evil.example',
  '/tiepnhan#//evil.example',
  '/ca-nhan',
  `/tiepnhan/${'a'.repeat(600)}`,
  '',
];

const LEGIT = '/tiepnhan/ho-so?tab=x';
const tiep = (target: string) => `?tiep=${encodeURIComponent(target)}`;

describe('the one check', () => {
  it('keeps a path of the area and refuses everything else', () => {
    for (const target of HOSTILE) expect(safeRedirect(target, 'official'), JSON.stringify(target)).toBe('/tiepnhan');
    expect(safeRedirect(undefined, 'official')).toBe('/tiepnhan');
    expect(safeRedirect(null, 'citizen')).toBe('/ca-nhan');
    for (const ok of [
      '/tiepnhan',
      '/tiepnhan/',
      LEGIT,
      '/tiepnhan/ho-so/4f1c2b7e-0000-4000-8000-000000000001?tb=done',
      '/tiepnhan/ho-so?q=Nguy%E1%BB%85n&after=a%2Fb',
    ]) {
      expect(safeRedirect(ok, 'official')).toBe(ok);
    }
    expect(safeRedirect('/ca-nhan', 'citizen')).toBe('/ca-nhan');
    expect(safeRedirect('/tra-cuu?ma=X', 'citizen')).toBe('/tra-cuu?ma=X');
    expect(safeRedirect('/tiepnhan', 'citizen')).toBe('/ca-nhan');
  });
});

describe('password login', () => {
  it('ends every hostile target on the start page, never with a 500', async () => {
    for (const target of HOSTILE) {
      const c = new Client(app);
      const page = await c.get(`/tiepnhan/dang-nhap${tiep(target)}`);
      expect(page.status, JSON.stringify(target)).toBe(200);
      expect(page.text).toContain('name="tiep" value="/tiepnhan"');
      const res = await c.login('quantri1', TEST_PASSWORD, { tiep: target });
      expect({ target, status: res.status, location: res.location }).toEqual({ target, status: 303, location: '/tiepnhan' });
      // Already logged in, the login page sends the browser on: to the start page as well.
      const again = await c.get(`/tiepnhan/dang-nhap${tiep(target)}`);
      expect({ target, status: again.status, location: again.location }).toEqual({ target, status: 303, location: '/tiepnhan' });
    }
  });

  it('takes the raw query of the report to the start page', async () => {
    const c = new Client(app);
    await c.login('quantri1', TEST_PASSWORD);
    for (const raw of [
      '/%09/evil.example/',
      '/%0a/evil.example/',
      '/%0d/evil.example/',
      '%2F%252F%252Fevil.example',
      '/%2F%2Fevil.example',
    ]) {
      const res = await c.get(`/tiepnhan/dang-nhap?tiep=${raw}`);
      expect({ raw, status: res.status, location: res.location }).toEqual({ raw, status: 303, location: '/tiepnhan' });
    }
  });

  it('keeps a legitimate target of the one-stop system', async () => {
    const anonymous = await new Client(app).get('/tiepnhan/ho-so?tab=x');
    expect(anonymous.location).toBe(`/tiepnhan/dang-nhap${tiep(LEGIT)}`);
    const c = new Client(app);
    const res = await c.login('quantri1', TEST_PASSWORD, { tiep: LEGIT });
    expect(res.location).toBe(LEGIT);
  });
});

describe('VNeID login', () => {
  /** Rewrites the stored target of the login in progress just before the callback (a row stored by an older version). */
  class TamperingClient extends Client {
    constructor(private stored: string) {
      super(app);
    }
    override async get(path: string) {
      if (path.includes('/callback')) await database.db.update(oidcTransactions).set({ returnTo: this.stored });
      return super.get(path);
    }
  }

  it('stores only a safe target when the login starts', async () => {
    for (const target of HOSTILE) {
      await database.db.delete(oidcTransactions);
      const res = await new Client(app).get(`/tiepnhan/dang-nhap/vneid${tiep(target)}`);
      expect(res.status, JSON.stringify(target)).toBe(303);
      const [row] = await database.db.select().from(oidcTransactions);
      expect({ target, stored: row!.returnTo }).toEqual({ target, stored: '/tiepnhan' });
    }
  });

  it('ends on the start page after a login started with a hostile target', async () => {
    const person = personOf(verifiedOfficial().username);
    for (const target of ['/\t/evil.example/', '/\n/evil.example/', '/\uFF0F\uFF0Fevil.example']) {
      const r = await vneidLogin(new Client(app), sim, person, `/tiepnhan/dang-nhap/vneid${tiep(target)}`);
      expect({ target, status: r.app!.status, location: r.app!.location }).toEqual({ target, status: 303, location: '/tiepnhan' });
    }
  });

  it('checks the stored target again when it is used', async () => {
    const person = personOf(verifiedOfficial().username);
    for (const stored of ['/\t/evil.example/', '//evil.example', '/\\evil.example', 'https://evil.example', '/ca-nhan']) {
      const r = await vneidLogin(new TamperingClient(stored), sim, person);
      expect({ stored, status: r.app!.status, location: r.app!.location }).toEqual({ stored, status: 303, location: '/tiepnhan' });
    }
  });

  it('keeps a legitimate target', async () => {
    const r = await vneidLogin(new Client(app), sim, personOf(verifiedOfficial().username), `/tiepnhan/dang-nhap/vneid${tiep(LEGIT)}`);
    expect(r.app!.location).toBe(LEGIT);
  });

  it('a citizen ends on the portal, whatever the stored target says', async () => {
    for (const stored of ['//evil.example', '/\t/evil.example/', '/tiepnhan']) {
      const r = await vneidLogin(new TamperingClient(stored), sim, citizen(), '/dang-nhap/vneid');
      expect({ stored, status: r.app!.status, location: r.app!.location }).toEqual({ stored, status: 303, location: '/ca-nhan' });
    }
  });
});
