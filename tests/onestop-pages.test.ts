import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { procedures } from '../src/db/schema/index.js';

const t = useDemoApp();
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;

async function loggedIn(username: string) {
  const c = new Client(t.app);
  expect((await c.login(username, TEST_PASSWORD)).status).toBe(303);
  return c;
}

describe("officials' dossier pages", () => {
  it('TIẾP NHẬN HỒ SƠ, the dossier page, the inbox with search, and actions over HTTP', async () => {
    const clerk = await loggedIn(sctClerkUsername());
    // Before a procedure is chosen only the choice is offered: the applicant's part would be refused without it.
    const bare = await clerk.get('/tiepnhan/tiep-nhan');
    expect(bare.text).toContain('Chọn thủ tục hành chính để hiện thời hạn giải quyết');
    expect(bare.text).not.toContain('Hình thức tiếp nhận');
    const [retail] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
    const form = await clerk.get(`/tiepnhan/tiep-nhan?procedureId=${retail!.id}`);
    for (const label of [
      'TIẾP NHẬN HỒ SƠ',
      'Lĩnh vực dịch vụ công',
      'Mã hồ sơ',
      'Ngày tiếp nhận',
      'Hình thức tiếp nhận',
      'Trực tiếp',
      'Bưu chính công ích',
    ]) {
      expect(form.text).toContain(label);
    }
    const bad = await clerk.post(
      '/tiepnhan/tiep-nhan',
      { procedureId: '', channel: '1', fullName: '' },
      { csrfFrom: '/tiepnhan/tiep-nhan' },
    );
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Vui lòng chọn thủ tục.');
    // A refusal names where a GET shows the form again (web/post-answer.ts; the form's script puts it in the history
    // in place of the post): the sector and procedure chosen, never what was typed about the applicant.
    expect(bad.text).toMatch(/<meta name="motcua-address" content="\/tiepnhan\/tiep-nhan"\s*\/?>/);
    expect(bad.text).toContain('<script type="module" src="/static/submit-once.js"></script>');
    expect(form.text).not.toContain('motcua-address');
    const chosen = await clerk.post(
      '/tiepnhan/tiep-nhan',
      { procedureId: retail!.id, linhvuc: 'not-an-id', channel: '1', fullName: 'Võ Thị Hồng Nhung', cccd: '070085316204' },
      { csrfFrom: '/tiepnhan/tiep-nhan' },
    );
    expect([400, 422]).toContain(chosen.status);
    const address = /<meta name="motcua-address" content="([^"]*)"/.exec(chosen.text)?.[1];
    expect(address).toBe(`/tiepnhan/tiep-nhan?procedureId=${retail!.id}`);
    expect(chosen.text).not.toMatch(/motcua-address" content="[^"]*070085316204/);
    const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
    const ok = await clerk.post(
      '/tiepnhan/tiep-nhan',
      // The three required documents of 2.000633, ticked with their counts.
      {
        procedureId: p!.id,
        channel: '1',
        fullName: 'Võ Thị Hồng Nhung',
        phone: '0912345000',
        cccd: '070085316204',
        address: 'Số 7 đường Thử Nghiệm',
        'doc-0': '1',
        'doc-1': '1',
        'doc-2': '1',
        'originals-0': '1',
        'copies-1': '1',
        'copies-2': '1',
      },
      { csrfFrom: '/tiepnhan/tiep-nhan' },
    );
    expect(ok.status).toBe(303);
    const page = await clerk.get(ok.location!);
    expect(page.text).toContain('Đã tiếp nhận hồ sơ');
    expect(page.text).toMatch(/000\.00\.13\.H10-\d{6}-0001/);
    expect(page.text).toContain('Được tiếp nhận (mã 2)');
    // What the counter typed about the applicant is on the page of whoever handles it.
    expect(page.text).toContain('<dt>Số định danh cá nhân</dt><dd>070085316204</dd>');
    expect(page.text).toContain('<dt>Địa chỉ</dt><dd>Số 7 đường Thử Nghiệm</dd>');
    const inbox = await clerk.get('/tiepnhan/ho-so?q=nhung');
    expect(inbox.text).toContain('Võ Thị Hồng Nhung');
    expect(inbox.text).toContain('Chờ xử lý (1)');
    expect((await clerk.get('/tiepnhan/ho-so?q=khong-ai-ca')).text).toContain('Không có hồ sơ.');
    const id = ok.location!.split('/').pop()!.split('?')[0]!;
    const moved = await clerk.post(`/tiepnhan/ho-so/${id}/xu-ly`, { action: 'handover' }, { csrfFrom: `/tiepnhan/ho-so/${id}` });
    expect(moved.status).toBe(303);
    // Now at the processing step of Quản lý Thương mại: gone from the clerk's inbox, in the expert's.
    expect((await clerk.get('/tiepnhan/ho-so')).text).toContain('Chờ xử lý (0)');
    const expert = await loggedIn(who('sct-qltm', 'Chuyên viên'));
    expect((await expert.get('/tiepnhan/ho-so')).text).toContain('Võ Thị Hồng Nhung');
    const noReason = await expert.post(`/tiepnhan/ho-so/${id}/xu-ly`, { action: 'refuse' }, { csrfFrom: `/tiepnhan/ho-so/${id}` });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('Vui lòng nhập lý do');
    expect(noReason.text).toMatch(new RegExp(`<meta name="motcua-address" content="/tiepnhan/ho-so/${id}"\\s*/?>`));
    expect((await expert.get(`/tiepnhan/ho-so/${id}`)).text).not.toContain('motcua-address');
    // Both missing inputs at once, beside their fields in the form that was sent, what was typed kept; the message at
    // the top links to that form, unfolded from Thao tác khác, its first refused field focused.
    const half = await expert.post(
      `/tiepnhan/ho-so/${id}/xu-ly`,
      { action: 'request_supplement', note: '   ', items: '' },
      { csrfFrom: `/tiepnhan/ho-so/${id}` },
    );
    expect(half.status).toBe(400);
    expect(half.text).toContain('<a href="#xu-ly-request_supplement">Sửa tại biểu mẫu «');
    expect(half.text).toContain('id="err-note-request_supplement">Vui lòng nhập lý do / nội dung.</p>');
    expect(half.text).toContain('id="err-items-request_supplement">Vui lòng liệt kê giấy tờ cần bổ sung, mỗi dòng một mục.</p>');
    expect(half.text).toMatch(
      /<input id="note-request_supplement" name="note" value=" {3}" required="" aria-invalid="true" aria-describedby="err-note-request_supplement" autofocus=""/,
    );
    const kept = await expert.post(
      `/tiepnhan/ho-so/${id}/xu-ly`,
      { action: 'request_supplement', note: '', items: 'Bản sao Giấy chứng nhận\nĐơn đề nghị' },
      { csrfFrom: `/tiepnhan/ho-so/${id}` },
    );
    expect(kept.text).toContain('>Bản sao Giấy chứng nhận\nĐơn đề nghị</textarea>');
    expect(kept.text).not.toContain('id="err-items-request_supplement"');
    if (!kept.text.includes('data-action="request_supplement"')) throw new Error('no supplement form');
    const folded = /<details class="more-actions"( open="")?>/.exec(kept.text);
    if (folded && kept.text.indexOf(folded[0]) < kept.text.indexOf('id="xu-ly-request_supplement"')) expect(folded[1]).toBe(' open=""');
    // An official of another department cannot see it.
    const other = await loggedIn('admin.snv');
    expect((await other.get(`/tiepnhan/ho-so/${id}`)).status).toBe(404);
    expect((await other.get('/tiepnhan/ho-so')).text).not.toContain('Võ Thị Hồng Nhung');
  });
});
