/**
 * Quản trị → Mẫu thông báo (/tiepnhan/quan-tri/mau-thong-bao): every event × channel with its wording (default or
 * edited), an edit page per template with its placeholders and their meaning, a preview with example values (SMS:
 * encoding and parts), and "Khôi phục mặc định". Province administrators only: to anyone else these pages are 404.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../web/env.js';
import { CsrfField, FieldError, Flash, Layout } from '../web/layout.js';
import { actorOf, formData, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { AppError, errors, type FieldErrors } from '../shared/errors.js';
import { formatDateTimeMinute } from '../shared/dates.js';
import { CHANNEL_LABELS, CHANNELS, type Channel } from './channels.js';
import { NOTIFY_EVENTS, NOTIFY_EVENT_KEYS, type NotifyEvent, isNotifyEvent } from './events.js';
import { findSavedTemplate, requireTemplateAdministrator, savedTemplateDates } from './template-store.js';
import { defaultTemplate, type SmsOptions } from './templates.js';
import { saveNotificationTemplate } from './save-notification-template.js';
import { resetNotificationTemplate } from './reset-notification-template.js';
import { previewNotificationTemplate, type TemplatePreview } from './preview-notification-template.js';
import { sendHtml } from '../web/send-html.js';
import { postAnswerAddress } from '../web/post-answer.js';

const BASE = '/tiepnhan/quan-tri/mau-thong-bao';
const AUDIENCE = { applicant: 'Người nộp hồ sơ', official: 'Cán bộ' } as const;

/** The gateway's settings the SMS is sized by (config.sms when an SMS gateway is configured). */
function smsOptions(c: Ctx): SmsOptions {
  // No SMS gateway configured: sized as the default SMS_MAX_SEGMENTS, with diacritics.
  const sms = c.get('deps').config.sms;
  return { unaccented: sms?.unaccented ?? false, maxSegments: sms?.maxSegments ?? 3 };
}

export const notificationTemplateRoutes = new Hono<AppEnv>();
notificationTemplateRoutes.use('*', requireLogin);
notificationTemplateRoutes.use('*', async (c, next) => {
  await requireTemplateAdministrator(c.get('deps').db, actorOf(c));
  await next();
});

notificationTemplateRoutes.get('/', async (c) => {
  const props = await pageProps(c);
  const saved = await savedTemplateDates(c.get('deps').db);
  const sms = smsOptions(c);
  return sendHtml(
    c,
    <Layout title="Mẫu thông báo" section="admin" {...props}>
      <section class="wide-ok">
        <h1>MẪU THÔNG BÁO</h1>
        <p class="muted">
          Nội dung tin gửi người nộp hồ sơ và cán bộ theo từng sự kiện, trên từng kênh. Mẫu chưa sửa dùng nội dung mặc định của hệ thống.
          Tin Zalo (ZNS) chỉ được gửi khi đã nhập mã mẫu được Zalo duyệt. Tin SMS tối đa {sms.maxSegments} phần
          {sms.unaccented ? ', gửi không dấu' : ''}.
        </p>
        <table class="list" id="templates">
          <thead>
            <tr>
              <th>Sự kiện</th>
              <th>Người nhận</th>
              {CHANNELS.map((ch) => (
                <th>{CHANNEL_LABELS[ch]}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {NOTIFY_EVENT_KEYS.map((event) => (
              <tr>
                <td>{NOTIFY_EVENTS[event].label}</td>
                <td>{AUDIENCE[NOTIFY_EVENTS[event].audience]}</td>
                {CHANNELS.map((ch) => {
                  const at = saved.get(`${event}/${ch}`);
                  const text = at ? `Đã sửa ${formatDateTimeMinute(at)}` : ch === 'zns' ? 'Chưa dùng' : 'Mặc định';
                  return (
                    <td>
                      <a href={`${BASE}/${event}/${ch}`}>{text}</a>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>,
  );
});

type EditState = {
  values?: Record<string, string>;
  errors?: FieldErrors | undefined;
  notice?: string;
  error?: string;
  preview?: TemplatePreview;
};

function target(c: Ctx): { event: NotifyEvent; channel: Channel } {
  const event = c.req.param('event') ?? '';
  const channel = c.req.param('channel') ?? '';
  if (!isNotifyEvent(event) || !(CHANNELS as readonly string[]).includes(channel)) throw errors.notFound('Mẫu thông báo');
  return { event, channel: channel as Channel };
}

async function renderEdit(c: Ctx, s: EditState = {}, status: 200 | 400 = 200) {
  const { event, channel } = target(c);
  const props = await pageProps(c);
  const saved = await findSavedTemplate(c.get('deps').db, event, channel);
  const current = saved ?? defaultTemplate(event, channel);
  const values = s.values ?? {
    subject: current?.subject ?? '',
    body: current?.body ?? '',
    znsTemplateId: current?.znsTemplateId ?? '',
    znsParams: Object.entries(current?.znsParams ?? {})
      .map(([p, v]) => `${p}=${v}`)
      .join('\n'),
  };
  const def = NOTIFY_EVENTS[event];
  const sms = smsOptions(c);
  const err = s.errors;
  const field = (name: string) => ({
    'aria-invalid': err?.[name] ? ('true' as const) : undefined,
    'aria-describedby': err?.[name] ? `err-${name}` : undefined,
  });
  const hasSubject = channel === 'email' || channel === 'inapp';
  return sendHtml(
    c,
    <Layout
      title="Mẫu thông báo"
      section="admin"
      {...props}
      // A preview writes nothing and shows a draft no GET could: a reload posts it again (harmless) and keeps it.
      address={s.preview ? undefined : postAnswerAddress(c, pathOf(event, channel))}
    >
      <section class="narrow wide-ok">
        <p>
          <a href={BASE}>← Mẫu thông báo</a>
        </p>
        <h1>
          {def.label} — {CHANNEL_LABELS[channel]}
        </h1>
        <p id="template-status">
          {saved
            ? 'Đang dùng mẫu do quản trị sửa.'
            : channel === 'zns'
              ? 'Chưa gửi qua Zalo: chưa có mẫu ZNS được duyệt.'
              : 'Đang dùng mẫu mặc định.'}
        </p>
        {s.notice ? <Flash kind="ok">{s.notice}</Flash> : null}
        {s.error ? <Flash kind="error">{s.error}</Flash> : null}
        <h2>Chỗ điền</h2>
        <table class="list" id="placeholders">
          <tbody>
            {Object.entries(def.placeholders).map(([p, meaning]) => (
              <tr>
                <td>
                  <code>{`{${p}}`}</code>
                </td>
                <td>{meaning}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <form method="post" action={`${BASE}/${event}/${channel}`} class="stack" id="template-form">
          <CsrfField token={props.csrfToken} />
          {channel === 'zns' ? (
            <>
              <label for="tpl-zns-id">Mã mẫu ZNS đã được Zalo duyệt</label>
              <input
                id="tpl-zns-id"
                name="znsTemplateId"
                value={values.znsTemplateId ?? ''}
                inputmode="numeric"
                {...field('znsTemplateId')}
              />
              <FieldError errors={err} name="znsTemplateId" />
              <label for="tpl-zns-params">Tham số của mẫu (mỗi dòng: tên_tham_số=chỗ_điền, ví dụ ma_ho_so=ma_ho_so)</label>
              <textarea id="tpl-zns-params" name="znsParams" rows={5} {...field('znsParams')}>
                {values.znsParams ?? ''}
              </textarea>
              <FieldError errors={err} name="znsParams" />
            </>
          ) : null}
          {hasSubject ? (
            <>
              <label for="tpl-subject">{channel === 'email' ? 'Tiêu đề thư' : 'Tiêu đề'}</label>
              <input id="tpl-subject" name="subject" value={values.subject ?? ''} {...field('subject')} />
              <FieldError errors={err} name="subject" />
            </>
          ) : null}
          <label for="tpl-body">
            {channel === 'zns' ? 'Nội dung mẫu (để xem trước; không chứa đường dẫn, số điện thoại)' : 'Nội dung'}
          </label>
          <textarea id="tpl-body" name="body" rows={channel === 'email' ? 12 : 5} {...field('body')}>
            {values.body ?? ''}
          </textarea>
          <FieldError errors={err} name="body" />
          {channel === 'sms' ? (
            <p class="muted">
              Tin SMS tối đa {sms.maxSegments} phần{sms.unaccented ? ', gửi không dấu' : ''}: 70 ký tự một phần (67 khi ghép) nếu có dấu,
              160 (153 khi ghép) nếu không dấu. Khi gửi, chỗ điền dài nhất được rút gọn bằng "…" để tin không vượt giới hạn.
            </p>
          ) : null}
          <div class="actions">
            <button type="submit" name="intent" value="preview">
              Xem trước
            </button>
            <button type="submit" name="intent" value="save" class="primary">
              Lưu mẫu
            </button>
          </div>
        </form>
        {s.preview ? <PreviewBox preview={s.preview} /> : null}
        {saved ? (
          <form method="post" action={`${BASE}/${event}/${channel}/khoi-phuc`} class="stack" id="reset-form">
            <CsrfField token={props.csrfToken} />
            <button type="submit">{channel === 'zns' ? 'Ngừng gửi qua Zalo (xóa mẫu ZNS)' : 'Khôi phục mẫu mặc định'}</button>
          </form>
        ) : null}
      </section>
    </Layout>,
    status,
  );
}

function PreviewBox(p: { preview: TemplatePreview }) {
  const m = p.preview.message;
  return (
    <section id="preview">
      <h2>Xem trước (với dữ liệu mẫu)</h2>
      {m ? (
        <>
          {m.subject ? (
            <p>
              <strong>{m.subject}</strong>
            </p>
          ) : null}
          <pre class="message-preview">{m.body}</pre>
          {m.zns ? (
            <p>
              Mẫu ZNS {m.zns.templateId}:{' '}
              {Object.entries(m.zns.params)
                .map(([k, v]) => `${k} = ${v}`)
                .join('; ')}
            </p>
          ) : null}
          {p.preview.sms ? (
            <p id="sms-size">
              {p.preview.sms.encoding === 'gsm7' ? 'Không dấu (GSM-7)' : 'Có dấu (UCS-2)'}, {p.preview.sms.characters} ký tự,{' '}
              {p.preview.sms.segments} phần tin.
            </p>
          ) : null}
        </>
      ) : (
        <p class="muted">Sự kiện này không được gửi trên kênh này.</p>
      )}
    </section>
  );
}

/** Where a template's form lives, and where its posts land (Post/Redirect/Get). */
const pathOf = (event: NotifyEvent, channel: Channel) => `/tiepnhan/quan-tri/mau-thong-bao/${event}/${channel}`;

/** The notices of ?tb= after a save or a reset (anything else shows none). */
const NOTICES: Record<string, string> = {
  'da-luu': 'Đã lưu mẫu thông báo. Tin gửi từ bây giờ dùng nội dung này.',
  'khoi-phuc': 'Đã khôi phục mẫu mặc định.',
  'mac-dinh': 'Mẫu đang là mặc định.',
};

notificationTemplateRoutes.get('/:event/:channel', (c) => {
  const tb = c.req.query('tb');
  return renderEdit(c, { notice: tb !== undefined && Object.hasOwn(NOTICES, tb) ? NOTICES[tb] : undefined });
});

notificationTemplateRoutes.post('/:event/:channel', async (c) => {
  const { event, channel } = target(c);
  const form = await formData(c);
  const values = {
    subject: form.subject ?? '',
    body: form.body ?? '',
    znsTemplateId: form.znsTemplateId ?? '',
    znsParams: form.znsParams ?? '',
  };
  const input = { ...values, event, channel };
  const { db } = c.get('deps');
  try {
    if (form.intent === 'preview') {
      const preview = await previewNotificationTemplate(db, actorOf(c), input, smsOptions(c));
      return renderEdit(c, { values, preview });
    }
    await saveNotificationTemplate(db, actorOf(c), input, smsOptions(c), c.get('deps').now());
    // Post/Redirect/Get: a reload shows the saved template again rather than saving it (and auditing it) twice.
    return c.redirect(`${pathOf(event, channel)}?tb=da-luu`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status !== 400) throw err;
    return renderEdit(c, { values, errors: err.fields, error: err.message }, 400);
  }
});

notificationTemplateRoutes.post('/:event/:channel/khoi-phuc', async (c) => {
  const { event, channel } = target(c);
  const r = await resetNotificationTemplate(c.get('deps').db, actorOf(c), { event, channel });
  return c.redirect(`${pathOf(event, channel)}?tb=${r.reset ? 'khoi-phuc' : 'mac-dinh'}`, 303);
});
