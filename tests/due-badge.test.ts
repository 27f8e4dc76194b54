/**
 * The due badge (Còn hạn / Sắp đến hạn / Quá hạn / Tạm dừng tính hạn) belongs to open dossiers only: one rule
 * (onestop/page-parts.tsx dueStateOf) for the dossier page, the inbox and the lists beside it. A dossier refused on its
 * reception day showed "Quá hạn" on its page once its never-running due date passed (review of the one-stop cycle).
 */
import { describe, expect, it } from 'vitest';
import { Client, TEST_PASSWORD, buildApp } from './support/app.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { receiveAtCounter } from './support/reception.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { listTracking } from '../src/dossiers/tracking.js';
import { dueStateOf } from '../src/onestop/page-parts.js';

const t = useDemoApp();
const vn = (s: string) => new Date(`${s}+07:00`);
const LATER = vn('2026-12-14T09:00');

async function pageOf(id: string) {
  const c = new Client(buildApp(t.database, {}, { now: () => LATER }));
  await c.login(sctClerkUsername(), TEST_PASSWORD);
  const page = await c.get(`/tiepnhan/ho-so/${id}`);
  expect(page.status).toBe(200);
  return page.text;
}

describe('the due badge of a finished dossier', () => {
  it('a dossier refused on its reception day is not shown "Quá hạn" three weeks later; an open one is', async () => {
    const { p } = await currentProcedure(t.database, '2.000633');
    const clerk = await actorFor(t.database, sctClerkUsername());
    const refused = await receiveAtCounter(
      t.database.db,
      clerk,
      { procedureId: p.id, channel: '1', fullName: 'Trần Thị Thử' },
      vn('2026-11-23T09:00'),
    );
    await actOnDossier(t.database.db, clerk, refused.id, { action: 'refuse', note: 'Không thuộc thẩm quyền' }, vn('2026-11-23T09:30'));
    const open = await receiveAtCounter(
      t.database.db,
      clerk,
      { procedureId: p.id, channel: '1', fullName: 'Lê Văn Mở' },
      vn('2026-11-23T09:00'),
    );

    const finished = await pageOf(refused.id);
    expect(finished).toContain('Không đủ điều kiện giải quyết');
    expect(finished).not.toMatch(/class="badge (warn|soon|ok|paused)"/);
    expect(await pageOf(open.id)).toMatch(/badge warn">Quá hạn</);

    // The lists beside it read the same rule: the refused row has no due state, the open one is late.
    const list = await listTracking(t.database.db, clerk, 'da-tiep-nhan', {}, vn('2026-11-23T10:00'), LATER);
    const states = Object.fromEntries(list.rows.map((r) => [r.id, dueStateOf(r, LATER, LATER)]));
    expect(states).toMatchObject({ [refused.id]: null, [open.id]: 'qua-han' });
  });
});
