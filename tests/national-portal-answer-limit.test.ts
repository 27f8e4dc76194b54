/**
 * The national portal's answer is read with a size limit (hardening): an answer that never ends, or announces a
 * size past the limit, is refused with a precise error instead of filling the process's memory.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NationalPortalError, nationalPortalClient } from '../src/national-portal/client.js';
import { AnswerTooLarge, readBoundedText } from '../src/shared/bounded-read.js';

let server: http.Server;
let url = '';
/** Bytes the endless answer had written when its connection closed. */
let written = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url?.startsWith('/tinh/SURROGATE/')) {
      // A page whose cursor JSON can carry and UTF-8 cannot (a lone surrogate), to be sent back in the next address.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"items":[],"nextCursor":"c\\ud800"}');
      return;
    }
    if (req.url?.includes('/trang-thai?')) {
      // Says 100 MB and sends the start of it.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(100 * 1024 * 1024) });
      res.write('{"items":[');
      return;
    }
    // Never ends (chunked): the client must stop reading.
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    written = 0;
    const pump = () => {
      while (!res.destroyed && res.write(chunk)) written += chunk.length;
    };
    res.on('drain', pump);
    pump();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("the national portal's answer", () => {
  const client = () => nationalPortalClient({ url, token: 'x'.repeat(20), province: 'H10', simulated: false }, { timeoutMs: 20_000 });

  it('that never ends is read up to 8 MB, then refused and the connection dropped', async () => {
    const err = await client()
      .submittedDossiers(null)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NationalPortalError);
    expect((err as Error).message).toBe('GET /tinh/H10/ho-so-nop: the answer is over 8 MB, not read');
    await new Promise((r) => setTimeout(r, 200));
    expect(written).toBeLessThan(16 * 1024 * 1024);
  });

  it('that announces more than the limit is refused on its Content-Length', async () => {
    await expect(client().heldStatuses(new Date('2026-01-01T00:00:00Z'), null)).rejects.toThrow(/: the answer is over 8 MB, not read$/);
  });

  it("whose cursor is not well-formed Unicode is refused, not sent back to throw in the next page's address", async () => {
    const surrogate = () => nationalPortalClient({ url, token: 'x'.repeat(20), province: 'SURROGATE', simulated: false });
    await expect(surrogate().submittedDossiers(null)).rejects.toThrow(
      'GET /tinh/SURROGATE/ho-so-nop: unexpected answer (the cursor is not well-formed Unicode)',
    );
    await expect(surrogate().heldStatuses(new Date('2026-01-01T00:00:00Z'), null)).rejects.toBeInstanceOf(NationalPortalError);
  });

  it('within the limit is read whole', async () => {
    expect(await readBoundedText(new Response('Hồ sơ'), 8)).toBe('Hồ sơ');
    await expect(readBoundedText(new Response('Hồ sơ!'), 8)).rejects.toBeInstanceOf(AnswerTooLarge);
  });
});
