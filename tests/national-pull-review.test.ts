/**
 * The pull against hostile national data: a dossier whose submission time PostgreSQL cannot hold (year 0, beyond
 * its range) or an item we cannot read (too long, a NUL in its id, no id) must not stop the pull for ever — the
 * first is registered without that time, the others skipped (recorded when their id is readable), the cursor moves.
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
import { reconcileNationalStatuses } from '../src/national-portal/reconcile.js';

const t = useDemoApp();
const HOSTILE = ['00000101000000', '+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00Z'];
/** Items of a page that are not dossiers we can read: one must not refuse the page (and stop the pull) for ever. */
const UNREADABLE = [
  { MaHoSoQG: 'G22.H10-LONG', MaTTHC: '2.000633', NgayNop: '20261120090000', ChuHoSo: { HoVaTen: 'x'.repeat(301) } },
  { MaHoSoQG: 'G22.H10-\u0000NUL', MaTTHC: '2.000633', NgayNop: '20261120090000', ChuHoSo: { HoVaTen: 'Người nộp' } },
  { MaTTHC: '2.000633' },
  'not an object',
];
let server: http.Server;
let url = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x');
    if (path.pathname.endsWith('/trang-thai')) {
      // One readable held status and two the reconciliation cannot read.
      const items = [{ MaHoSo: 'H10.1-261120-0001', TrangThaiHoSo: 2 }, { MaHoSo: 'x'.repeat(101), TrangThaiHoSo: 2 }, null];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ items, nextCursor: null }));
      return;
    }
    const after = path.searchParams.get('sau');
    const items = after
      ? []
      : [
          ...HOSTILE.map((NgayNop, i) => ({
            MaHoSoQG: `G22.H10-HOSTILE-${i}`,
            MaTTHC: i === 2 ? '9.999999' : '2.000633',
            NgayNop,
            ChuHoSo: { HoVaTen: `Người nộp ${i}` },
          })),
          ...UNREADABLE,
        ];
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

describe('the pull: hostile items', () => {
  it('a time PostgreSQL cannot hold is left out; an unreadable item is skipped, not the page; the cursor moves on', async () => {
    const client = nationalPortalClient({ url, token: 'x'.repeat(20), province: 'H10', simulated: false }, { timeoutMs: 5_000 });
    const counts = await pullNationalDossiers(t.database.db, client, new Date(), pino({ level: 'silent' }));
    expect(counts).toEqual({ registered: 2, skipped: 5, already: 0 });
    const rows = await t.database.db.select().from(nationalIntake).orderBy(nationalIntake.nationalId);
    expect(rows.map((r) => [r.nationalId, r.outcome, r.submittedAt])).toEqual([
      ['G22.H10-HOSTILE-0', 'registered', null],
      ['G22.H10-HOSTILE-1', 'registered', null],
      ['G22.H10-HOSTILE-2', 'skipped', null],
      ['G22.H10-LONG', 'skipped', null],
    ]);
    expect(rows[3]?.reason).toContain('ChuHoSo.HoVaTen');
    const [cursor] = await t.database.db.select().from(nationalSyncState).where(eq(nationalSyncState.name, 'pull_cursor'));
    expect(cursor?.value).toBe('c1');
  });
});

describe('the reconciliation: hostile held statuses', () => {
  it('an unreadable held status is passed over, not the page: the run completes', async () => {
    const client = nationalPortalClient({ url, token: 'x'.repeat(20), province: 'H10', simulated: false }, { timeoutMs: 5_000 });
    await expect(reconcileNationalStatuses(t.database.db, client, new Date(), pino({ level: 'silent' }))).resolves.toMatchObject({
      differing: 0,
    });
  });
});
