import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { auditLog, notificationTemplates } from '../src/db/schema/index.js';
import type { AppError } from '../src/shared/errors.js';
import { NOTIFY_EVENT_KEYS } from '../src/notify/events.js';
import { CHANNELS } from '../src/notify/channels.js';
import { fitSms, renderMessage } from '../src/notify/templates.js';
import { smsSize } from '../src/notify/sms-text.js';
import { saveNotificationTemplate } from '../src/notify/save-notification-template.js';
import { resetNotificationTemplate } from '../src/notify/reset-notification-template.js';
import { previewNotificationTemplate } from '../src/notify/preview-notification-template.js';
import { parseTemplateInput, sampleData } from '../src/notify/template-input.js';

const t = useDemoApp();
const SMS = { unaccented: false, maxSegments: 3 };
const NOW = new Date('2026-12-03T02:00:00Z');
const refusal = (p: Promise<unknown>) => p.then(() => null).catch((e: unknown) => e as AppError);
const PAGE = '/tiepnhan/quan-tri/mau-thong-bao';

describe('the default templates', () => {
  it('exist for every event on sms, email and in-app, none on ZNS, and pass their own checks', async () => {
    for (const event of NOTIFY_EVENT_KEYS) {
      for (const channel of CHANNELS) {
        const m = await renderMessage(t.database.db, event, channel, sampleData(event), SMS);
        if (channel === 'zns') expect(m).toBeNull();
        else {
          expect(m?.body, `${event}/${channel}`).toMatch(/\S/);
          expect(m?.body).not.toMatch(/\{[a-z_]+\}/);
          expect(m?.body).toBe(m?.body.normalize('NFC'));
          if (channel !== 'sms') expect(m?.subject).toBeTruthy();
          if (channel === 'sms') {
            // A saved copy of the default must be accepted: the default fits at realistic maximum lengths.
            expect(() => parseTemplateInput({ event, channel, body: m?.body ?? '' }, SMS)).not.toThrow();
          }
        }
      }
    }
  });

  it('an SMS never exceeds maxSegments with long values, and is unaccented when asked', () => {
    const long = 'Cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất '.repeat(4);
    const template = 'Hồ sơ {ma_ho_so} ({thu_tuc}) cần bổ sung: {noi_dung}.';
    for (const unaccented of [false, true])
      for (const maxSegments of [1, 2, 3]) {
        const text = fitSms(template, { ma_ho_so: 'H22-0001', thu_tuc: long, noi_dung: long }, { unaccented, maxSegments });
        const size = smsSize(text);
        expect(size.segments).toBeLessThanOrEqual(maxSegments);
        expect(size.encoding).toBe(unaccented ? 'gsm7' : 'ucs2');
        expect(text).toContain(unaccented ? 'Ho so' : 'Hồ sơ');
        expect(text).toContain(unaccented ? '...' : '…');
      }
    // The fixed text alone too long: cut, still within the limit.
    const cut = fitSms('Thông báo '.repeat(100), {}, { unaccented: false, maxSegments: 2 });
    expect(smsSize(cut).segments).toBeLessThanOrEqual(2);
  });
});

describe('templates administered', () => {
  it('refuses an unknown placeholder and names it beside the field', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const err = await refusal(
      saveNotificationTemplate(
        t.database.db,
        root,
        { event: 'dossier.received', channel: 'email', subject: 'Hồ sơ {ma_ho_so}', body: 'Kính gửi {ten_nguoi_nop}, …' },
        SMS,
        NOW,
      ),
    );
    expect(err?.status).toBe(400);
    expect(err?.fields?.body).toContain('{ten_nguoi_nop}');
    expect(err?.fields?.subject).toBeUndefined();
    expect(await t.database.db.select().from(notificationTemplates)).toHaveLength(0);
  });

  it('refuses an SMS too long at realistic lengths, control characters, and ZNS without an id or with a link', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const long = await refusal(
      saveNotificationTemplate(
        t.database.db,
        root,
        { event: 'dossier.received', channel: 'sms', body: `{thu_tuc} ${'Thông báo '.repeat(15)}` },
        SMS,
        NOW,
      ),
    );
    expect(long?.fields?.body).toContain('{thu_tuc} 60 ký tự');
    const ctl = await refusal(
      saveNotificationTemplate(
        t.database.db,
        root,
        { event: 'dossier.received', channel: 'inapp', subject: 'a\u0007', body: 'b' },
        SMS,
        NOW,
      ),
    );
    expect(ctl?.fields?.subject).toContain('ký tự điều khiển');
    const zns = await refusal(
      saveNotificationTemplate(
        t.database.db,
        root,
        {
          event: 'dossier.received',
          channel: 'zns',
          body: 'Xem tại https://dichvucong.gov.vn',
          znsTemplateId: '',
          znsParams: 'ma=khong_co',
        },
        SMS,
        NOW,
      ),
    );
    expect(zns?.fields?.znsTemplateId).toBeTruthy();
    expect(zns?.fields?.znsParams).toContain('{khong_co}');
    expect(zns?.fields?.body).toContain('đường dẫn');
  });

  it('a saved template is sent instead of the default; ZNS goes once an approved id is entered; reset brings the default back', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const data = sampleData('dossier.withdrawn');
    await saveNotificationTemplate(
      t.database.db,
      root,
      { event: 'dossier.withdrawn', channel: 'sms', body: 'Hồ sơ {ma_ho_so} đã rút.' },
      SMS,
      NOW,
    );
    expect((await renderMessage(t.database.db, 'dossier.withdrawn', 'sms', data, SMS))?.body).toBe(`Hồ sơ ${data.ma_ho_so} đã rút.`);
    await saveNotificationTemplate(
      t.database.db,
      root,
      {
        event: 'dossier.withdrawn',
        channel: 'zns',
        body: 'Hồ sơ {ma_ho_so} đã rút.',
        znsTemplateId: '301234',
        znsParams: 'ma_hs=ma_ho_so\ncq={co_quan}',
      },
      SMS,
      NOW,
    );
    const zns = await renderMessage(t.database.db, 'dossier.withdrawn', 'zns', data, SMS);
    expect(zns?.zns).toEqual({ templateId: '301234', params: { ma_hs: data.ma_ho_so, cq: data.co_quan } });
    const audit = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'notify.template_saved'));
    expect(audit).toHaveLength(2);

    const r = await resetNotificationTemplate(t.database.db, root, { event: 'dossier.withdrawn', channel: 'sms' });
    expect(r.reset).toBe(true);
    expect((await renderMessage(t.database.db, 'dossier.withdrawn', 'sms', data, SMS))?.body).toContain('theo đề nghị của Ông/Bà');
    expect(await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'notify.template_reset'))).toHaveLength(1);
  });

  it('previews with example values and the SMS encoding and parts, writing nothing', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const p = await previewNotificationTemplate(
      t.database.db,
      root,
      { event: 'dossier.fee_due', channel: 'sms', body: 'Ho so {ma_ho_so}: nop {so_tien} dong.' },
      SMS,
    );
    expect(p.message?.body).toBe(`Ho so ${p.data.ma_ho_so}: nop ${p.data.so_tien} dong.`);
    expect(p.sms).toMatchObject({ encoding: 'gsm7', segments: 1 });
    const u = await previewNotificationTemplate(
      t.database.db,
      root,
      { event: 'dossier.fee_due', channel: 'sms', body: 'Hồ sơ {ma_ho_so}: nộp {so_tien} đồng.' },
      { unaccented: true, maxSegments: 1 },
    );
    expect(u.message?.body).toMatch(/^Ho so .*: nop .* dong\.$/);
    expect(await t.database.db.select().from(notificationTemplates)).toHaveLength(0);
  });

  it('a unit administrator or an official without the role gets 404, on the use cases and the screens', async () => {
    for (const username of ['admin.sct', sctClerkUsername()]) {
      const actor = await actorFor(t.database, username);
      const input = { event: 'dossier.withdrawn', channel: 'sms', body: 'x' };
      expect((await refusal(saveNotificationTemplate(t.database.db, actor, input, SMS, NOW)))?.status).toBe(404);
      expect((await refusal(resetNotificationTemplate(t.database.db, actor, input)))?.status).toBe(404);
      expect((await refusal(previewNotificationTemplate(t.database.db, actor, input, SMS)))?.status).toBe(404);
      const c = new Client(t.app);
      await c.login(username, TEST_PASSWORD);
      expect((await c.get(PAGE)).status).toBe(404);
      expect((await c.get(`${PAGE}/dossier.withdrawn/sms`)).status).toBe(404);
      const post = await c.post(`${PAGE}/dossier.withdrawn/sms`, { intent: 'save', body: 'x' }, { csrfFrom: '/tiepnhan/tai-khoan' });
      expect(post.status).toBe(404);
    }
    expect(await t.database.db.select().from(notificationTemplates)).toHaveLength(0);
  });

  it('the screens: list, edit with placeholders, preview, an error beside the field keeping what was typed, save, reset', async () => {
    const c = new Client(t.app);
    await c.login('quantri1', TEST_PASSWORD);
    const list = await c.get(PAGE);
    expect(list.status).toBe(200);
    expect(list.text).toContain('Yêu cầu bổ sung hồ sơ');
    expect(list.text).toContain(`${PAGE}/dossier.received/sms`);
    const edit = await c.get(`${PAGE}/dossier.received/email`);
    expect(edit.text).toContain('{ma_tra_cuu}');
    expect(edit.text).toContain('Mã tra cứu');
    expect((await c.get(`${PAGE}/khong.co/sms`)).status).toBe(404);
    expect((await c.get(`${PAGE}/dossier.received/fax`)).status).toBe(404);

    const typed = 'Kính gửi Ông/Bà, hồ sơ {ma_ho_so} của {ho_ten} đã nhận.';
    const bad = await c.post(
      `${PAGE}/dossier.received/email`,
      { intent: 'save', subject: 'Tiêu đề riêng', body: typed },
      { csrfFrom: PAGE },
    );
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="err-body"');
    expect(bad.text).toContain('{ho_ten}');
    expect(bad.text).toContain('Tiêu đề riêng');
    const preview = await c.post(
      `${PAGE}/dossier.received/sms`,
      { intent: 'preview', body: 'Hồ sơ {ma_ho_so} đã nhận.' },
      { csrfFrom: PAGE },
    );
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Có dấu (UCS-2)');
    const saved = await c.post(`${PAGE}/dossier.received/sms`, { intent: 'save', body: 'Hồ sơ {ma_ho_so} đã nhận.' }, { csrfFrom: PAGE });
    // Post/Redirect/Get: a reload of where the save lands shows the template, it does not save it again.
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`${PAGE}/dossier.received/sms?tb=da-luu`);
    const landing = await c.get(saved.headers.get('location') ?? '');
    expect(landing.text).toContain('Đã lưu mẫu thông báo');
    expect(landing.text).toContain('Hồ sơ {ma_ho_so} đã nhận.');
    expect((await c.get(PAGE)).text).toContain('Đã sửa');
    const reset = await c.post(`${PAGE}/dossier.received/sms/khoi-phuc`, {}, { csrfFrom: PAGE });
    expect(reset.status).toBe(303);
    expect((await c.get(reset.headers.get('location') ?? '')).text).toContain('Đã khôi phục mẫu mặc định');
    const again = await c.post(`${PAGE}/dossier.received/sms/khoi-phuc`, {}, { csrfFrom: PAGE });
    expect((await c.get(again.headers.get('location') ?? '')).text).toContain('Mẫu đang là mặc định');
    // A notice named by hand that is none of them (or a property of every object) shows nothing, and no error.
    const odd = await c.get(`${PAGE}/dossier.received/sms?tb=constructor`);
    expect(odd.status).toBe(200);
    expect(odd.text).not.toContain('function');
  });
});
