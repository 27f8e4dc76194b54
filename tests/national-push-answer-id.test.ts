/**
 * The national portal's answer to a status record sent is its id there, stored as the row is marked pushed. An id
 * PostgreSQL cannot keep (a NUL) must not make the marking fail after every send, untouched — re-sent by the sweep at
 * once, for ever: it is an unexpected answer, written on the row (attempts, last_error) like any failed send, and the
 * sweep backs off. A marking that fails anyway is written on the row too.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { receiveAtCounter } from './support/reception.js';
import { nationalStatusOutbox } from '../src/db/schema/index.js';
import { type NationalPortalClient, NationalPortalError, nationalPortalClient } from '../src/national-portal/client.js';
import { pushDossier } from '../src/national-portal/push.js';
import { sweepUnpushed } from '../src/national-portal/sweep.js';

const t = useDemoApp();
/** What the national portal answers to a status record: raw JSON, set by each test. */
let answer = '';
let sends = 0;
let server: http.Server;
let url = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      sends++;
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const a = server.address();
  url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function receivedDossier() {
  const clerk = await actorFor(t.database, sctClerkUsername());
  const { p } = await currentProcedure(t.database, '2.000633');
  return receiveAtCounter(t.database.db, clerk, { procedureId: p.id, channel: '1', fullName: 'Lê Văn Đẩy' });
}
const outbox = (dossierId: string) =>
  t.database.db
    .select()
    .from(nationalStatusOutbox)
    .where(eq(nationalStatusOutbox.dossierId, dossierId))
    .orderBy(asc(nationalStatusOutbox.seq));

describe('the push: the national portal’s answer id', () => {
  it('an id with a NUL, a space or a lone surrogate is an unexpected answer: written on the row, backed off; a good one marks it', async () => {
    const d = await receivedDossier();
    const client = nationalPortalClient({ url, token: 'x'.repeat(20), province: 'H10', simulated: false }, { timeoutMs: 5_000 });
    sends = 0;
    const t0 = new Date();
    for (const [i, bad] of ['{"id":"rec\\u0000ord"}', '{"id":"rec ord"}', '{"id":"rec\\ud800"}'].entries()) {
      answer = bad;
      await expect(pushDossier(t.database.db, client, d.id, () => t0)).rejects.toBeInstanceOf(NationalPortalError);
      const [row] = await outbox(d.id);
      expect([row!.pushedAt, row!.nationalId, row!.attempts]).toEqual([null, null, i + 1]);
      expect(row!.lastError).toMatch(/unexpected answer/);
    }
    expect(sends).toBe(3);
    // Within its back-off the sweep leaves it, rather than sending it again at once.
    expect(await sweepUnpushed(t.database.db, new Date(t0.getTime() + 60_000))).toEqual({ enqueued: 0 });
    answer = '{"id":"G22-REC-1"}';
    expect(await pushDossier(t.database.db, client, d.id, () => new Date())).toEqual({ sent: 1 });
    const [row] = await outbox(d.id);
    expect([row!.nationalId, row!.attempts, row!.lastError]).toEqual(['G22-REC-1', 4, null]);
    expect(row!.pushedAt).not.toBeNull();
  });

  it('a marking that fails anyway (the database refusing the answer) is written on the row, and backed off', async () => {
    const d = await receivedDossier();
    let calls = 0;
    // A client that does not check the answer: the database itself refuses the NUL.
    const client: NationalPortalClient = {
      sendStatus: async () => {
        calls++;
        return { id: 'rec\u0000ord' };
      },
      heldStatuses: async () => ({ items: [], nextCursor: null }),
      submittedDossiers: async () => ({ items: [], nextCursor: null }),
    };
    const t0 = new Date();
    await expect(pushDossier(t.database.db, client, d.id, () => t0)).rejects.toThrow();
    const [row] = await outbox(d.id);
    expect([row!.pushedAt, row!.nationalId, row!.attempts]).toEqual([null, null, 1]);
    expect(row!.lastAttemptAt?.getTime()).toBe(t0.getTime());
    expect(row!.lastError).toBe('Cổng DVC quốc gia đã nhận bản ghi nhưng không ghi được trạng thái đã gửi (cơ sở dữ liệu: mã 22021).');
    expect(calls).toBe(1);
    expect(await sweepUnpushed(t.database.db, new Date(t0.getTime() + 60_000))).toEqual({ enqueued: 0 });
    expect(await sweepUnpushed(t.database.db, new Date(t0.getTime() + 3 * 60_000))).toEqual({ enqueued: 1 });
  });
});
