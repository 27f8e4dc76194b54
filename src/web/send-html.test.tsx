import fs from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { sendHtml, utf8 } from './send-html.js';

async function Late(p: { name: string }) {
  await new Promise((resolve) => setTimeout(resolve, 1));
  return <b>{p.name}</b>;
}

describe('sendHtml', () => {
  const app = new Hono();
  app.get('/page', (c) => sendHtml(c, <p title="Hồ sơ &amp; thủ tục">Người nộp: Nguyễn Thị Ánh</p>));
  app.get('/late', (c) => sendHtml(c, <div>{(<Late name="Đặng Văn Đức" />) as unknown as string}</div>, 400));

  it('answers the page as its UTF-8 bytes, with the HTML content type and an exact length', async () => {
    const res = await app.request('/page');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    const body = new Uint8Array(await res.arrayBuffer());
    const text = '<p title="Hồ sơ &amp; thủ tục">Người nộp: Nguyễn Thị Ánh</p>';
    expect(Buffer.from(body).toString('utf8')).toBe(text);
    expect(body.length).toBe(Buffer.byteLength(text));
  });

  it('encodes a page of any size to the same bytes as Buffer.from, each answer in a buffer of its own', () => {
    const row = '<tr><td>Đổi Giấy phép lái xe — Nguyễn Thị Ánh 😀</td></tr>';
    for (const n of [0, 1, 100, 2_000, 5_000, 40_000]) {
      const page = row.repeat(n);
      expect(utf8(page).equals(Buffer.from(page, 'utf8'))).toBe(true);
    }
    // Past the scratch room (256 KB at 3 bytes a unit) the page is encoded by Buffer.from, whole.
    const big = 'ấ'.repeat(100_000);
    expect(utf8(big).toString('utf8')).toBe(big);
    const first = utf8('<p>một</p>');
    utf8('<p>hai</p>');
    expect(first.toString('utf8')).toBe('<p>một</p>');
    // A lone surrogate is written as U+FFFD by both ways.
    expect(utf8('a\ud800b').equals(Buffer.from('a\ud800b', 'utf8'))).toBe(true);
  });

  it('waits for an async component and keeps the status given', async () => {
    const res = await app.request('/late');
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('<div><b>Đặng Văn Đức</b></div>');
  });

  it('is the only way pages are answered: no c.html() left in the sources', () => {
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (
          /\.tsx?$/.test(e.name) &&
          p !== import.meta.filename &&
          /\bc\.html\(/.test(fs.readFileSync(p, 'utf8').replace(/^\s*(\*|\/\/).*$/gm, ''))
        )
          found.push(p);
      }
    };
    walk(path.resolve(import.meta.dirname, '..'));
    expect(found).toEqual([]);
  });
});
