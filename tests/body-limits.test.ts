/**
 * Request bodies are read only by the route that needs them, within a limit: small (bytes and fields) for every
 * form and JSON body, large only on upload routes and only with a session. Anonymous posts cannot make the server
 * read or parse megabytes, so /healthz keeps answering while they arrive.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { serve } from '@hono/node-server';
import { eq } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { dossierFiles, procedures } from '../src/db/schema/index.js';
import { receiveAtCounter } from './support/reception.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { FORM_MAX_BYTES, FORM_MAX_FIELDS } from '../src/web/body.js';

const t = useDemoApp();
const MB = 1024 * 1024;
const BOUNDARY = '----motcua-test-boundary';
const expert = () => demoOfficials().find((o) => o.unitKey === 'sct-qltm' && o.position === 'Chuyên viên')!.username;

/** Form parsing, wherever it happens (Hono parses through Request/Response.formData): refused bodies never get there. */
let parsed: MockInstance[] = [];
/**
 * Spy on every formData along the prototype chains. Once a simulator or server of @hono/node-server has run in
 * this worker, the globals are its lightweight classes, whose own formData is not configurable and delegates to
 * the platform's (further down the chain), so the spies go where they can.
 */
function spyOnFormData(proto: object | null, out: MockInstance[]) {
  for (let p = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    const d = Object.getOwnPropertyDescriptor(p, 'formData');
    if (d?.configurable && typeof d.value === 'function') out.push(vi.spyOn(p as { formData: () => Promise<FormData> }, 'formData'));
  }
}
beforeEach(() => {
  parsed = [];
  spyOnFormData(Request.prototype, parsed);
  spyOnFormData(Response.prototype, parsed);
  if (parsed.length === 0) throw new Error('no formData to watch');
});
afterEach(() => vi.restoreAllMocks());
const parsedForms = () => parsed.reduce((n, spy) => n + spy.mock.calls.length, 0);
/** Forget the parses so far (a login parses its form). */
const forgetParsed = () => {
  for (const spy of parsed) spy.mockClear();
};

/** A body of `total` bytes (its head, then `fill` repeated) that counts how much the server pulled from it. */
function countedBody(total: number, head = '', fill = 'a=&') {
  const chunk = Buffer.from(fill.repeat(Math.ceil((64 * 1024) / fill.length)));
  const pending = [Buffer.from(head)];
  const seen = { bytes: 0 };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(ctrl) {
        if (seen.bytes >= total) return ctrl.close();
        const next = pending.shift() ?? chunk;
        const part = next.subarray(0, total - seen.bytes);
        seen.bytes += part.length;
        ctrl.enqueue(new Uint8Array(part));
      },
    },
    // Nothing is pulled until the server reads.
    { highWaterMark: 0 },
  );
  return { stream, seen };
}

const cookieOf = (c: Client) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

/** A post straight to the app, with a streamed body and the client's cookies, from our origin. */
async function post(path: string, body: BodyInit, headers: Record<string, string>, client?: Client) {
  // A streamed body needs duplex 'half' (fetch's RequestInit type does not know it yet).
  const init: RequestInit & { duplex: 'half' } = {
    method: 'POST',
    body,
    duplex: 'half',
    headers: { origin: 'http://localhost', ...(client ? { cookie: cookieOf(client) } : {}), ...headers },
  };
  const res = await t.app.request(`http://localhost${path}`, init, { incoming: { socket: { remoteAddress: '192.0.2.50' } } });
  return { status: res.status, text: await res.text() };
}

const multipartHead = (csrf: string) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="ket-qua.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n`;
const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;

async function processingDossier() {
  const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
  const clerk = await actorFor(t.database, sctClerkUsername());
  const d = await receiveAtCounter(t.database.db, clerk, {
    procedureId: p!.id,
    channel: '1',
    fullName: 'Trần Thị Thử',
    phone: '0912000111',
  });
  await actOnDossier(t.database.db, clerk, d.id, { action: 'handover' });
  return d;
}

async function loggedIn(username: string) {
  const c = new Client(t.app);
  expect((await c.login(username, TEST_PASSWORD)).status).toBe(303);
  return c;
}

describe('anonymous form posts', () => {
  it('a 5 MB login post is refused with 413 on its Content-Length, before one byte is read', async () => {
    const anon = new Client(t.app);
    const token = await anon.csrf();
    const body = countedBody(5 * MB, `_csrf=${token}&username=a&`);
    const res = await post(
      '/tiepnhan/dang-nhap',
      body.stream,
      { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(5 * MB) },
      anon,
    );
    expect(res.status).toBe(413);
    expect(res.text).toContain('Tệp hoặc dữ liệu gửi lên quá lớn (tối đa 64 KB).');
    expect(body.seen.bytes).toBe(0);
    expect(parsedForms()).toBe(0);
  });

  it('without a Content-Length, the same post is cut off once the small limit is passed, and nothing is parsed', async () => {
    const anon = new Client(t.app);
    const token = await anon.csrf();
    const body = countedBody(5 * MB, `_csrf=${token}&username=a&`);
    const res = await post('/tiepnhan/dang-nhap', body.stream, { 'content-type': 'application/x-www-form-urlencoded' }, anon);
    expect(res.status).toBe(413);
    expect(res.text).toContain('Tệp hoặc dữ liệu gửi lên quá lớn');
    // The limit plus the chunk that crossed it.
    expect(body.seen.bytes).toBeLessThanOrEqual(FORM_MAX_BYTES + 64 * 1024);
    expect(parsedForms()).toBe(0);
  });

  it('a login form of 30,000 tiny fields within the byte limit is refused by counting, before parsing', async () => {
    const anon = new Client(t.app);
    const token = await anon.csrf();
    const body = `_csrf=${token}&username=a&password=b&${'a&'.repeat(30_000)}`;
    expect(body.length).toBeLessThan(FORM_MAX_BYTES);
    const res = await post('/tiepnhan/dang-nhap', body, { 'content-type': 'application/x-www-form-urlencoded' }, anon);
    expect(res.status).toBe(413);
    expect(res.text).toContain(`Biểu mẫu gửi lên có quá nhiều trường (tối đa ${FORM_MAX_FIELDS}).`);
    expect(parsedForms()).toBe(0);
  });

  it('a multipart form without its boundary, or cut short, is a 400 in Vietnamese, not a server error', async () => {
    const anon = new Client(t.app);
    const token = await anon.csrf();
    const noBoundary = await post('/tiepnhan/dang-nhap', `_csrf=${token}`, { 'content-type': 'multipart/form-data' }, anon);
    expect(noBoundary.status).toBe(400);
    expect(noBoundary.text).toContain('Dữ liệu biểu mẫu gửi lên không hợp lệ.');
    const cut = await post('/tiepnhan/dang-nhap', multipartHead(token), { 'content-type': MULTIPART }, anon);
    expect(cut.status).toBe(400);
    expect(cut.text).toContain('Dữ liệu biểu mẫu gửi lên không hợp lệ.');
  });

  it('a JSON body over the small limit is refused on the API too', async () => {
    const res = await post('/api/v1/dossiers', JSON.stringify({ padding: 'x'.repeat(FORM_MAX_BYTES) }), {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'payload_too_large' } });
  });
});

describe('uploads', () => {
  it('an anonymous upload to any upload route is refused with 401 before its body is read', async () => {
    const anon = new Client(t.app);
    const token = await anon.csrf();
    const d = await processingDossier();
    const { p } = await currentProcedure(t.database, '2.000190');
    for (const path of [
      `/tiepnhan/ho-so/${d.id}/ket-qua`,
      `/tiepnhan/quan-tri/thu-tuc/${p.id}/mau`,
      '/tiepnhan/quan-tri/nguoi-dung/nhap',
    ]) {
      for (const length of [null, Math.round(9.9 * MB)]) {
        const body = countedBody(Math.round(9.9 * MB), multipartHead(token), 'x');
        const res = await post(
          path,
          body.stream,
          { 'content-type': MULTIPART, ...(length ? { 'content-length': String(length) } : {}) },
          anon,
        );
        expect({ path, length, status: res.status, read: body.seen.bytes }).toEqual({ path, length, status: 401, read: 0 });
        expect(res.text).toContain('Vui lòng đăng nhập để tiếp tục.');
      }
    }
    expect(parsedForms()).toBe(0);
  });

  it('a logged-in official still uploads a 9 MB result file', async () => {
    const d = await processingDossier();
    const c = await loggedIn(expert());
    const bytes = new Uint8Array(9 * MB);
    bytes.set(new TextEncoder().encode('%PDF-1.4\n% kết quả\n'));
    const form = new FormData();
    form.set('_csrf', await c.csrf(`/tiepnhan/ho-so/${d.id}`));
    form.set('file', new File([bytes], 'Giấy phép.pdf', { type: 'application/pdf' }));
    const res = await c.request('POST', `/tiepnhan/ho-so/${d.id}/ket-qua`, form, { origin: c.origin });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/tiepnhan/ho-so/${d.id}?tb=attached`);
    const files = await t.database.db.select({ size: dossierFiles.size }).from(dossierFiles).where(eq(dossierFiles.dossierId, d.id));
    expect(files).toEqual([{ size: 9 * MB }]);
  });

  it('a logged-in upload of 100,000 tiny fields within the upload limit is refused by counting, before parsing', async () => {
    const d = await processingDossier();
    const c = await loggedIn(expert());
    const token = await c.csrf(`/tiepnhan/ho-so/${d.id}`);
    const part = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n`;
    const body = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n${part.repeat(100_000)}--${BOUNDARY}--\r\n`;
    expect(body.length).toBeLessThan(10 * MB);
    forgetParsed();
    const res = await post(`/tiepnhan/ho-so/${d.id}/ket-qua`, body, { 'content-type': MULTIPART }, c);
    expect(res.status).toBe(413);
    expect(res.text).toContain('Biểu mẫu gửi lên có quá nhiều trường');
    expect(parsedForms()).toBe(0);
  });
});

describe('a real server under large anonymous posts', () => {
  /** Streams `total` bytes of a million-field form; resolves with the answer (and stops sending once answered). */
  function largePost(port: number, withLength: boolean, total: number, started: () => void) {
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        path: '/tiepnhan/dang-nhap',
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'http://localhost:3999',
          ...(withLength ? { 'content-length': String(total) } : {}),
        },
      });
      const chunk = Buffer.from('a=&'.repeat(21_846));
      let sent = 0;
      let answered = false;
      req.on('response', (res) => {
        answered = true;
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString() });
          req.destroy();
        });
      });
      // The server may close the connection once it has answered; only an error before the answer counts.
      req.on('error', (err) => (answered ? undefined : reject(err)));
      const write = () => {
        while (sent < total && !answered) {
          const piece = chunk.subarray(0, total - sent);
          sent += piece.length;
          if (sent === piece.length) started();
          if (!req.write(piece)) return void req.once('drain', write);
        }
        if (!answered) req.end();
      };
      write();
    });
  }

  it('/healthz answers while four 9.9 MB posts of a million fields arrive; the posts are refused by size, unparsed', async () => {
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    try {
      const port = (server.address() as AddressInfo).port;
      const total = Math.round(9.9 * MB);
      let starts = 0;
      let allStarted!: () => void;
      const sending = new Promise<void>((r) => (allStarted = r));
      const posts = [true, true, false, false].map((withLength) =>
        largePost(port, withLength, total, () => ++starts === 4 && allStarted()),
      );
      await sending;
      // Ask /healthz again and again until every post has its answer.
      let answered = false;
      const all = Promise.all(posts).finally(() => (answered = true));
      let slowest = 0;
      do {
        const t0 = Date.now();
        const health = await fetch(`http://127.0.0.1:${port}/healthz`);
        expect(health.status).toBe(200);
        slowest = Math.max(slowest, Date.now() - t0);
      } while (!answered);
      const answers = await all;
      expect(answers.map((a) => a.status)).toEqual([413, 413, 413, 413]);
      for (const a of answers) expect(a.text).toContain('Tệp hoặc dữ liệu gửi lên quá lớn');
      expect(parsedForms()).toBe(0);
      // Generous on a loaded machine: before, parsing the four posts held the event loop for seconds.
      expect(slowest).toBeLessThan(3000);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
