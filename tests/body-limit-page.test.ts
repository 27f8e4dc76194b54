/**
 * A body over its route's limit (issue 12, item 10): over real HTTP, a 60 MB upload of an official, a 60 MB upload
 * on the portal and an oversized API call are each refused with 413 and said in Vietnamese with the limit — the
 * ordinary error page with a way back to the form for people, the one JSON error for the API and JSON clients —
 * never a bare status page. The server answers on the Content-Length, without taking the 60 MB in.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '@hono/node-server';
import { eq } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { citizens, procedures } from '../src/db/schema/index.js';
import { createCitizenSession } from '../src/auth/sessions.js';
import { PORTAL_COOKIE } from '../src/portal/citizen-context.js';
import { receiveAtCounter } from './support/reception.js';
import { FORM_MAX_BYTES } from '../src/web/body.js';

const t = useDemoApp();
const MB = 1024 * 1024;
const BOUNDARY = '----motcua-limit-boundary';
const UPLOAD_MESSAGE = 'Tệp hoặc dữ liệu gửi lên quá lớn (tối đa 10 MB).';

let server: ReturnType<typeof serve>;
let port = 0;
beforeAll(async () => {
  server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

type Answer = { status: number; contentType: string; text: string; sent: number };

/**
 * A post of `total` bytes over HTTP as a browser sends a large form (Content-Length first, then the bytes); resolves
 * with the answer and how much had been written when it came (sending stops once answered).
 */
function bigPost(path: string, total: number, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path,
      method: 'POST',
      agent: false,
      headers: { origin: 'http://localhost', 'content-length': String(total), ...headers },
    });
    const chunk = Buffer.alloc(256 * 1024, 0x41);
    let sent = 0;
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          text: Buffer.concat(parts).toString(),
          sent,
        });
        req.destroy();
      });
    });
    // The server may close the connection once it has answered; only an error before the answer counts.
    req.on('error', (err) => (answered ? undefined : reject(err)));
    const write = () => {
      while (sent < total && !answered) {
        const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', write);
      }
      if (!answered) req.end();
    };
    write();
  });
}

const cookieOf = (c: Client) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
const multipart = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

/** The links of an error page's content (its frame's header aside), as [text, href]. */
const linksOf = (html: string) =>
  [...html.slice(html.indexOf('<main'), html.indexOf('</main>')).matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].map((m) => [m[2], m[1]]);

async function receivedDossier() {
  const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
  const clerk = await actorFor(t.database, sctClerkUsername());
  return receiveAtCounter(t.database.db, clerk, { procedureId: p!.id, channel: '1', fullName: 'Trần Thị Thử', phone: '0912000111' });
}

describe('a body over the limit, over HTTP', () => {
  it("an official's 60 MB result file: the error page says the limit and leads back to the dossier", async () => {
    const d = await receivedDossier();
    const clerk = new Client(t.app);
    expect((await clerk.login(sctClerkUsername(), TEST_PASSWORD)).status).toBe(303);
    const res = await bigPost(`/tiepnhan/ho-so/${d.id}/ket-qua`, 60 * MB, {
      ...multipart,
      cookie: cookieOf(clerk),
      referer: `http://127.0.0.1:${port}/tiepnhan/ho-so/${d.id}`,
    });
    expect(res.status).toBe(413);
    expect(res.contentType).toMatch(/^text\/html/);
    // In the officials' frame; without their menus: the body was refused before the session was read.
    expect(res.text).toContain('<title>Thông báo — ');
    expect(res.text).toContain('<span class="sub">Hệ thống một cửa điện tử</span>');
    expect(res.text).toContain('data-error-code="payload_too_large"');
    expect(res.text).toContain(UPLOAD_MESSAGE);
    expect(linksOf(res.text)).toEqual([
      ['Quay lại trang trước', `/tiepnhan/ho-so/${d.id}`],
      ['Về trang chủ', '/tiepnhan'],
    ]);
    // Refused on its Content-Length: far from all of the 60 MB was sent before the answer.
    expect(res.sent).toBeLessThan(60 * MB);
  });

  it("a citizen's 60 MB personal file: the portal's error page says the limit and leads back to Quản lý tập tin", async () => {
    const [row] = await t.database.db
      .insert(citizens)
      .values({
        issuer: 'https://vneid.test',
        subject: crypto.randomUUID(),
        cccd: '001190012345',
        fullName: 'Nguyễn Thị Hồng Nhung',
        loa: 2,
      })
      .returning({ id: citizens.id });
    const token = await createCitizenSession(t.database.db, row!.id, { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 }, new Date());
    const res = await bigPost('/ca-nhan/tap-tin', 60 * MB, {
      ...multipart,
      cookie: `${PORTAL_COOKIE}=${token}`,
      referer: `http://127.0.0.1:${port}/ca-nhan/tap-tin`,
    });
    expect(res.status).toBe(413);
    expect(res.contentType).toMatch(/^text\/html/);
    expect(res.text).toContain(UPLOAD_MESSAGE);
    // In the portal's frame, hers (read from her portal cookie); no Đăng xuất, as the request never got its CSRF token.
    expect(res.text).toContain('<header class="top portal-top">');
    expect(res.text).toContain('TRANG CÁ NHÂN</a>');
    expect(res.text).not.toContain('action="/dang-xuat"');
    expect(linksOf(res.text)).toEqual([
      ['Quay lại trang trước', '/ca-nhan/tap-tin'],
      ['Về trang chủ', '/ca-nhan'],
    ]);
  });

  it('the API answers its JSON error with the limit; a JSON client of a page gets the same', async () => {
    const api = await bigPost('/api/v1/dossiers', 2 * MB, { 'content-type': 'application/json' });
    expect(api.status).toBe(413);
    expect(api.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(api.text)).toMatchObject({
      error: { code: 'payload_too_large', message: 'Tệp hoặc dữ liệu gửi lên quá lớn (tối đa 64 KB).' },
    });
    const page = await bigPost('/tiepnhan/dang-nhap', FORM_MAX_BYTES * 2, {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    });
    expect(page.status).toBe(413);
    expect(JSON.parse(page.text)).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('a Referer of another site, or of another area, gives no way back, only home', async () => {
    for (const referer of [
      'https://evil.example/tiepnhan/ho-so',
      `http://127.0.0.1:${port}//evil.example/x`,
      `http://127.0.0.1:${port}/tiepnhan/%2e%2e/x`,
      `http://127.0.0.1:${port}/ca-nhan/tap-tin`,
    ]) {
      const res = await bigPost('/tiepnhan/dang-nhap', FORM_MAX_BYTES * 2, {
        'content-type': 'application/x-www-form-urlencoded',
        referer,
      });
      expect(res.status).toBe(413);
      expect(res.text).toContain('Tệp hoặc dữ liệu gửi lên quá lớn (tối đa 64 KB).');
      expect(linksOf(res.text)).toEqual([['Về trang chủ', '/tiepnhan']]);
    }
  });
});
