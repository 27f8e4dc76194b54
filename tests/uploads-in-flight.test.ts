/**
 * Uploads in flight per uploader (src/web/uploads-in-flight.ts): a citizen who keeps four uploads open — each
 * spooling to this instance's disk — is refused a fifth at once (429, in Vietnamese), before one byte of it is
 * read; another citizen is not held up; the slots come back when the uploads end, however they end (finished or
 * broken off), so nobody is locked out afterwards.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { Client } from './support/app.js';
import { useDemoApp } from './support/fixtures.js';
import { citizens } from '../src/db/schema/index.js';
import { createCitizenSession } from '../src/auth/sessions.js';
import { PORTAL_COOKIE } from '../src/portal/citizen-context.js';
import { UPLOADS_IN_FLIGHT_PER_UPLOADER, uploadsInFlight } from '../src/web/uploads-in-flight.js';

const t = useDemoApp();
const BASE = '/ca-nhan/tap-tin';
const POLICY = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };
const BOUNDARY = 'uploadsinflight';

async function citizen(cccd: string) {
  const [row] = await t.database.db
    .insert(citizens)
    .values({ issuer: 'https://vneid.test', subject: crypto.randomUUID(), cccd, fullName: 'Người Thử Tải', loa: 2 })
    .returning({ id: citizens.id });
  const client = new Client(t.app);
  client.cookies.set(PORTAL_COOKIE, await createCitizenSession(t.database.db, row!.id, POLICY, new Date()));
  const csrf = await client.csrf(BASE);
  return { id: row!.id, client, csrf };
}

type Person = Awaited<ReturnType<typeof citizen>>;

/** The start of a file part, as a phone on a slow line sends it: the rest comes when `finish` or `breakOff` is called. */
function slowUpload(p: Person) {
  let ctrl!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      ctrl = c;
      c.enqueue(
        Buffer.from(
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n`,
        ),
      );
    },
  });
  const init: RequestInit & { duplex: 'half' } = {
    method: 'POST',
    body: stream,
    duplex: 'half',
    headers: {
      origin: 'http://localhost',
      cookie: [...p.client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      'x-csrf-token': p.csrf,
    },
  };
  const answer = Promise.resolve(t.app.request(`http://localhost${BASE}`, init)).then(async (r) => ({
    status: r.status,
    text: await r.text(),
  }));
  return {
    answer,
    finish: () => {
      ctrl.enqueue(Buffer.from(`% done\n%%EOF\n\r\n--${BOUNDARY}--\r\n`));
      ctrl.close();
    },
    breakOff: () => ctrl.error(new Error('the phone lost its signal')),
  };
}

/** A whole small upload through the form, as the browser sends it. */
async function upload(p: Person) {
  const form = new FormData();
  form.set('_csrf', p.csrf);
  form.set('file', new File([Buffer.from('%PDF-1.4\n% ok\n%%EOF\n')], 'b.pdf', { type: 'application/pdf' }));
  return p.client.request('POST', BASE, form, { origin: p.client.origin });
}

async function until(check: () => boolean) {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('uploads in flight per uploader', () => {
  it('a fifth upload while four stream is refused at once with 429; others are not held up; the slots come back', async () => {
    const a = await citizen('001190077001');
    const b = await citizen('001190077002');
    const open = Array.from({ length: UPLOADS_IN_FLIGHT_PER_UPLOADER }, () => slowUpload(a));
    await until(() => uploadsInFlight(`citizen:${a.id}`) === UPLOADS_IN_FLIGHT_PER_UPLOADER);

    const fifth = await upload(a);
    expect(fifth.status).toBe(429);
    expect(fifth.headers.get('retry-after')).toBe('30');
    expect(fifth.text).toContain('Bạn đang tải lên 4 tệp cùng lúc. Vui lòng đợi các lần tải lên đang chạy hoàn tất rồi thử lại.');
    expect(uploadsInFlight(`citizen:${a.id}`)).toBe(UPLOADS_IN_FLIGHT_PER_UPLOADER);

    // Another citizen uploads as usual.
    expect((await upload(b)).status).toBe(303);

    // Two finish, two are broken off: every slot is given back.
    open[0]!.finish();
    open[1]!.finish();
    open[2]!.breakOff();
    open[3]!.breakOff();
    const answers = await Promise.all(open.map((o) => o.answer));
    expect(answers.slice(0, 2).map((x) => x.status)).toEqual([303, 303]);
    for (const x of answers.slice(2)) expect(x.status).toBeGreaterThanOrEqual(400);
    expect(uploadsInFlight(`citizen:${a.id}`)).toBe(0);
    expect((await upload(a)).status).toBe(303);
  });
});

describe('a spool file that cannot be written', () => {
  it('(a full disk) answers 503 in Vietnamese at once, the process goes on, and the slot comes back', async () => {
    const a = await citizen('001190077003');
    const real = fs.createWriteStream;
    // Every spool file of an upload fails as a full disk does (ENOSPC), after the body has started.
    const spy = vi.spyOn(fs, 'createWriteStream').mockImplementation(((p: fs.PathLike, o: unknown) => {
      if (!String(p).endsWith('.upload')) return real(p, o as never);
      const w = new PassThrough() as unknown as fs.WriteStream;
      setImmediate(() => w.destroy(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })));
      return w;
    }) as typeof fs.createWriteStream);
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const form = new FormData();
      form.set('_csrf', a.csrf);
      form.set('file', new File([Buffer.alloc(1024 * 1024, 0x41)], 'a.pdf', { type: 'application/pdf' }));
      const res = await Promise.race([
        a.client.request('POST', BASE, form, { origin: a.client.origin }),
        new Promise<null>((r) => setTimeout(() => r(null), 5000)),
      ]);
      expect(res, 'still waiting after 5 s').not.toBeNull();
      expect(res!.status).toBe(503);
      expect(res!.headers.get('retry-after')).toBe('60');
      expect(res!.text).toContain('Máy chủ tạm thời không lưu được tệp gửi lên. Vui lòng thử lại sau ít phút.');
    } finally {
      spy.mockRestore();
      await new Promise((r) => setTimeout(r, 50));
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(uploadsInFlight(`citizen:${a.id}`)).toBe(0);
    expect((await upload(a)).status).toBe(303);
  });
});

describe('a slot', () => {
  it('is given back once, however often its release is called', async () => {
    const { takeUploadSlot } = await import('../src/web/uploads-in-flight.js');
    const release = takeUploadSlot('account:test-twice');
    const other = takeUploadSlot('account:test-twice');
    release();
    release();
    expect(uploadsInFlight('account:test-twice')).toBe(1);
    other();
    expect(uploadsInFlight('account:test-twice')).toBe(0);
  });
});
