import { describe, expect, it } from 'vitest';
import { Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, useDemoApp } from './support/fixtures.js';

const t = useDemoApp();

async function loggedInAdmin() {
  const c = new Client(t.app);
  expect((await c.login('quantri1', TEST_PASSWORD)).status).toBe(303);
  return c;
}

describe('request size', () => {
  it('refuses a form body over the small limit (uploads alone take more), before reading it, and changes nothing', async () => {
    const c = await loggedInAdmin();
    const target = (await accountByUsername(t.database, 'admin.snv'))!;
    const token = await c.csrf('/tiepnhan/quan-tri/nguoi-dung');
    const res = await c.post(
      `/tiepnhan/quan-tri/nguoi-dung/${target.id}/tam-dinh-chi`,
      { value: '1', padding: 'x'.repeat(12 * 1024 * 1024) },
      { csrf: token },
    );
    expect(res.status).toBe(413);
    expect(res.text).toContain('Tệp hoặc dữ liệu gửi lên quá lớn (tối đa 64 KB)');
    expect((await accountByUsername(t.database, 'admin.snv'))!.suspended).toBe(false);
  });
});

describe('CSRF protection', () => {
  it('refuses a state-changing post without a token, with a forged token, or from another origin', async () => {
    const c = await loggedInAdmin();
    const target = (await accountByUsername(t.database, 'admin.snv'))!;
    const path = `/tiepnhan/quan-tri/nguoi-dung/${target.id}/tam-dinh-chi`;
    const none = await c.post(path, { value: '1' }, { csrf: null });
    expect(none.status).toBe(403);
    expect(none.text).toContain('Phiên làm việc của biểu mẫu đã hết hạn');
    expect((await c.post(path, { value: '1' }, { csrf: 'forged-token' })).status).toBe(403);
    const token = await c.csrf('/tiepnhan/quan-tri/nguoi-dung');
    expect((await c.post(path, { value: '1' }, { csrf: token, headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect((await accountByUsername(t.database, 'admin.snv'))!.suspended).toBe(false);
    // The same request with the page's token from our origin goes through.
    expect((await c.post(path, { value: '1', xacnhan: '1' }, { csrf: token })).status).toBe(303);
    expect((await accountByUsername(t.database, 'admin.snv'))!.suspended).toBe(true);
  });

  it("binds the token to the browser: another browser's token is refused", async () => {
    const a = await loggedInAdmin();
    const b = new Client(t.app);
    const tokenOfB = await b.csrf();
    const res = await a.post('/tiepnhan/dang-xuat', {}, { csrf: tokenOfB });
    expect(res.status).toBe(403);
  });

  it('protects the login form too', async () => {
    const c = new Client(t.app);
    const res = await c.post(
      '/tiepnhan/dang-nhap',
      { username: 'quantri1', password: TEST_PASSWORD, altcha: await c.captcha() },
      { csrf: null },
    );
    expect(res.status).toBe(403);
  });
});

describe('security headers and health', () => {
  it('sends a strict CSP and the usual hardening headers on pages', async () => {
    const res = await new Client(t.app).get('/tiepnhan/dang-nhap');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    // Standards mode, not quirks mode.
    expect(res.text.startsWith('<!DOCTYPE html>')).toBe(true);
  });

  it('answers /healthz and /readyz as JSON', async () => {
    const c = new Client(t.app);
    const h = await c.get('/healthz');
    expect(h.status).toBe(200);
    expect(JSON.parse(h.text)).toEqual({ status: 'ok' });
    const r = await c.get('/readyz');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({ status: 'ready', database: 'ok', engine: t.database.kind, worker: 'off', draining: false });
  });

  it('serves only allow-listed static files', async () => {
    const c = new Client(t.app);
    expect((await c.get('/static/app.css')).status).toBe(200);
    expect((await c.get('/static/altcha/sha-worker.js')).status).toBe(200);
    expect((await c.get('/static/../package.json')).status).toBe(404);
    expect((await c.get('/static/altcha/../../package.json')).status).toBe(404);
    // Names every JavaScript object has: not files (they were a 500).
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])
      expect((await c.get(`/static/${name}`)).status, name).toBe(404);
  });
});
