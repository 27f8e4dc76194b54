/**
 * Defects an attacker review of the citizen portal confirmed in the citizen's dossiers: the list's keyset cursor kept
 * milliseconds where PostgreSQL keeps microseconds (dossiers on no page), and Bổ sung with a personal file deleted in
 * another tab answered a bare 404, losing the note and storing the upload it came with.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { loggedInCitizen } from './support/portal-citizen.js';
import { receiveAtCounter } from './support/reception.js';
import { queryRows } from '../src/db/client.js';
import { citizenUploadVolume, dossierFiles, dossiers } from '../src/db/schema/index.js';
import { citizenActor } from '../src/shared/context.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { uploadPersonalFile } from '../src/personal-files/upload-personal-file.js';
import { hasBlob } from '../src/storage/index.js';
import { dossierCounts } from '../src/portal/my-dossiers.js';

const t = useDemoApp();
const QUOTA = { quotaBytes: 50 * 1024 * 1024, quotaFiles: 200, uploadDailyBytes: 100 * 1024 * 1024 };
const CCCD = '001190012345';
const listed = (html: string) => [...html.matchAll(/href="\/ca-nhan\/ho-so\/([0-9a-f-]{36})"/g)].map((m) => m[1]!);
const nextPage = (html: string) => /href="(\/ca-nhan\/ho-so\?loai=da-nop&amp;sau=[^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');

async function counterDossiers(n: number): Promise<string[]> {
  const clerk = await actorFor(t.database, sctClerkUsername());
  const proc = await currentProcedure(t.database, '2.000633');
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = await receiveAtCounter(t.database.db, clerk, {
      procedureId: proc.p.id,
      channel: '1',
      fullName: 'Trần Thị Mai Anh',
      cccd: CCCD,
    });
    ids.push(d.id);
  }
  return ids;
}

describe('Hồ sơ đã nộp: the keyset cursor to the microsecond', () => {
  it('a dossier created earlier in the same millisecond as a page’s last row is on the next page; all pages list what the count counts', async () => {
    const { id, client } = await loggedInCitizen(t.database.db, t.app);
    const ids = await counterDossiers(21);
    // Both older than the other 19; ids[1] ends the first page, ids[0] is 300 µs before it in the same millisecond.
    await queryRows(t.database.db, sql`update dossiers set created_at = '2026-01-05 09:00:00.123400+07' where id = ${ids[0]!}`);
    await queryRows(t.database.db, sql`update dossiers set created_at = '2026-01-05 09:00:00.123700+07' where id = ${ids[1]!}`);

    const walked: string[] = [];
    let next: string | undefined = '/ca-nhan/ho-so?loai=da-nop';
    for (let pages = 0; next && pages < 5; pages++) {
      const res = await client.get(next);
      expect(res.status).toBe(200);
      walked.push(...listed(res.text));
      next = nextPage(res.text);
    }
    expect(walked).toHaveLength(21);
    expect(new Set(walked).size).toBe(21);
    expect(walked.slice(-2)).toEqual([ids[1], ids[0]]);
    // What the pages list is what TRANG CÁ NHÂN and the SQL count count.
    expect((await client.get('/ca-nhan')).text).toContain('Hồ sơ đã nộp (21)');
    expect((await dossierCounts(t.database.db, citizenActor(id, { ip: null, requestId: null })))['da-nop']).toBe(walked.length);
    const [byNumber] = await queryRows<{ n: string }>(
      t.database.db,
      sql`select count(*) as n from dossiers where applicant_id_number = ${CCCD} or citizen_id = ${id}`,
    );
    expect(Number(byNumber!.n)).toBe(walked.length);
    expect(new Set(walked)).toEqual(new Set(ids));
  });

  it('a cursor typed by hand that is not one (the old milliseconds, an impossible time, another shape) is the first page', async () => {
    const { client } = await loggedInCitizen(t.database.db, t.app);
    const ids = await counterDossiers(21);
    const first = listed((await client.get('/ca-nhan/ho-so?loai=da-nop')).text);
    expect(first).toHaveLength(20);
    for (const sau of [
      `1700000000000_${ids[0]}`,
      `2026-13-45T25:61:61.000000Z_${ids[0]}`,
      `0000-01-01T00:00:00.000000Z_${ids[0]}`,
      `2026-01-05T02:00:00.123700Z_${ids[0]!.toUpperCase()}`,
      `2026-01-05T02:00:00.123700Z_${'-'.repeat(36)}`,
      'x',
    ]) {
      const res = await client.get(`/ca-nhan/ho-so?loai=da-nop&sau=${encodeURIComponent(sau)}`);
      expect(res.status).toBe(200);
      expect(listed(res.text)).toEqual(first);
    }
  });
});

describe('Bổ sung with a personal file deleted in another tab', () => {
  it('shows the form again with the note and a message beside the choice, and keeps nothing of the request', async () => {
    const { id, client } = await loggedInCitizen(t.database.db, t.app);
    const clerk = await actorFor(t.database, sctClerkUsername());
    const proc = await currentProcedure(t.database, '2.000633');
    const d = await receiveAtCounter(t.database.db, clerk, {
      procedureId: proc.p.id,
      channel: '1',
      fullName: 'Trần Thị Mai Anh',
      cccd: CCCD,
    });
    await actOnDossier(t.database.db, clerk, d.id, { action: 'request_supplement', note: 'Thiếu', items: 'Bản sao giấy phép' }, new Date());
    const mine = await uploadPersonalFile(
      t.database.db,
      citizenActor(id, { ip: null, requestId: null }),
      { file: { name: 'x.pdf', bytes: new Uint8Array(Buffer.from('%PDF-1.4\n% x\n%%EOF\n')) } },
      QUOTA,
      new Date(),
    );
    const csrf = await client.csrf(`/ca-nhan/ho-so/${d.id}`);
    expect((await client.post(`/ca-nhan/tap-tin/${mine.id}/xoa`, {}, { csrf })).status).toBe(303);
    const uploadsBefore = await t.database.db.select().from(citizenUploadVolume).where(eq(citizenUploadVolume.citizenId, id));

    const bytes = Buffer.from(`%PDF-1.4\n% them ${crypto.randomUUID()}\n%%EOF\n`);
    const form = new FormData();
    form.set('_csrf', csrf);
    form.set('file', new File([bytes], 'them.pdf', { type: 'application/pdf' }));
    form.set('pick', mine.id);
    form.set('note', 'Ghi chú dài đã gõ');
    const res = await client.request('POST', `/ca-nhan/ho-so/${d.id}/bo-sung`, form, { origin: client.origin });

    expect(res.status).toBe(400);
    expect(res.text).toContain('Bổ sung hồ sơ');
    expect(res.text).toContain(
      '<span class="field-error" id="err-pick">Tệp đã chọn không còn trong Quản lý tập tin cá nhân (có thể đã bị xóa). Vui lòng chọn lại.</span>',
    );
    expect(res.text).toContain('href="#err-pick"');
    expect(res.text).toMatch(/<textarea id="note" name="note" rows="2">\s*Ghi chú dài đã gõ\s*<\/textarea>/);
    // Nothing of the request kept: the dossier still waits, no file joined it, the upload was neither stored nor counted.
    const [still] = await t.database.db.select().from(dossiers).where(eq(dossiers.id, d.id));
    expect(still!.status).toBe('supplement');
    expect(await t.database.db.select().from(dossierFiles).where(eq(dossierFiles.dossierId, d.id))).toHaveLength(0);
    expect(await hasBlob(crypto.createHash('sha256').update(bytes).digest('hex'))).toBe(false);
    expect(await t.database.db.select().from(citizenUploadVolume).where(eq(citizenUploadVolume.citizenId, id))).toHaveLength(
      uploadsBefore.length,
    );
  });
});
