/**
 * The pull against hostile national data: a dossier whose submission time PostgreSQL cannot hold (year 0, beyond
 * its range) must not stop the pull for ever — it is registered (or skipped) without that time, and the cursor moves.
 * The national API is served here by a few lines of node:http (the stand-in sets NgayNop itself).
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { eq } from 'drizzle-orm';
import { useDemoApp } from './support/fixtures.js';
import { nationalIntake, nationalSyncState } from '../src/db/schema/index.js';
import { nationalPortalClient } from '../src/national-portal/client.js';
import { pullNationalDossiers } from '../src/national-portal/pull.js';

const t = useDemoApp();
const HOSTILE = ['00000101000000', '+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00Z'];
let server: http.Server;
let url = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const after = new URL(req.url ?? '/', 'http://x').searchParams.get('sau');
    const items = after
      ? []
      : HOSTILE.map((NgayNop, i) => ({
          MaHoSoQG: `G22.H10-HOSTILE-${i}`,
          MaTTHC: i === 2 ? '9.999999' : '2.000633',
          NgayNop,
          ChuHoSo: { HoVaTen: `Người nộp ${i}` },
        }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ items, nextCursor: after ? null : 'c1' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const a = server.address();
  url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('the pull: a submission time PostgreSQL cannot hold', () => {
  it('registers or skips the dossier without it, and the cursor moves on', async () => {
    const client = nationalPortalClient({ url, token: 'x'.repeat(20), province: 'H10', simulated: false }, { timeoutMs: 5_000 });
    const counts = await pullNationalDossiers(t.database.db, client, new Date(), pino({ level: 'silent' }));
    expect(counts).toEqual({ registered: 2, skipped: 1, already: 0 });
    const rows = await t.database.db.select().from(nationalIntake).orderBy(nationalIntake.nationalId);
    expect(rows.map((r) => [r.nationalId, r.outcome, r.submittedAt])).toEqual([
      ['G22.H10-HOSTILE-0', 'registered', null],
      ['G22.H10-HOSTILE-1', 'registered', null],
      ['G22.H10-HOSTILE-2', 'skipped', null],
    ]);
    const [cursor] = await t.database.db.select().from(nationalSyncState).where(eq(nationalSyncState.name, 'pull_cursor'));
    expect(cursor?.value).toBe('c1');
  });
});
