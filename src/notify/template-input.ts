/**
 * The checks of a template typed on Quản trị → Mẫu thông báo, shared by saving and previewing: every {placeholder}
 * is one of the event's (an unknown one is named beside its field), text NFC without control characters and of
 * bounded size, SMS within SMS_MAX_SEGMENTS at the placeholders' realistic longest values (placeholder-samples.ts),
 * ZNS an approved template's id with its parameters mapped to known placeholders and no link or phone number in text.
 */
import { z } from 'zod';
import { CHANNELS, type Channel } from './channels.js';
import { NOTIFY_EVENT_KEYS, NOTIFY_EVENTS, type NotifyEvent } from './events.js';
import { PLACEHOLDER_SAMPLES } from './placeholder-samples.js';
import { type SmsOptions, type TemplateContent, fitSms } from './templates.js';
import { smsSize, toUnaccented } from './sms-text.js';
import { CONTROL_CHARS_MESSAGE, hasControlChars } from '../shared/text.js';
import { errors, type FieldErrors } from '../shared/errors.js';

const LIMITS: Record<Channel, { subject: number; body: number }> = {
  zns: { subject: 0, body: 1000 },
  sms: { subject: 0, body: 1000 },
  email: { subject: 200, body: 5000 },
  inapp: { subject: 100, body: 500 },
};

/** Anything between braces: a placeholder must be one of the event's, so a typo ({ma_hoso}) is refused, not sent. */
const BRACED = /\{([^{}]*)\}/g;
const ZNS_ID = /^[0-9]{1,20}$/;
const ZNS_PARAM = /^[A-Za-z_][A-Za-z0-9_]{0,29}$/;
/** Zalo refuses links and phone numbers in a ZNS message's text. */
const LINK_OR_PHONE = /(https?:\/\/|www\.|\b[a-z0-9-]+\.(vn|com|net|org)\b|(\+84|\b0)[0-9 .]{8,12}[0-9])/i;

const Raw = z.object({
  event: z.enum(NOTIFY_EVENT_KEYS, { message: 'Sự kiện không hợp lệ.' }),
  channel: z.enum(CHANNELS, { message: 'Kênh không hợp lệ.' }),
  subject: z.string().max(20_000).optional(),
  body: z.string().max(20_000).optional(),
  znsTemplateId: z.string().max(200).optional(),
  /** One "parameter=placeholder" a line. */
  znsParams: z.string().max(5_000).optional(),
});

export type TemplateInput = { event: NotifyEvent; channel: Channel; content: TemplateContent };

function placeholdersOf(event: NotifyEvent): Record<string, string> {
  return NOTIFY_EVENTS[event].placeholders;
}

/** Example values of the event's placeholders (the preview). */
export function sampleData(event: NotifyEvent): Record<string, string> {
  return Object.fromEntries(Object.keys(placeholdersOf(event)).map((p) => [p, PLACEHOLDER_SAMPLES[p]?.sample ?? p]));
}

/** Parses and checks a typed template; errors name the field (subject, body, znsTemplateId, znsParams). */
export function parseTemplateInput(raw: unknown, sms: SmsOptions): TemplateInput {
  const parsed = Raw.safeParse(raw);
  if (!parsed.success) {
    const fields: FieldErrors = {};
    for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? '_')] ??= issue.message;
    throw errors.validation(fields);
  }
  const { event, channel } = parsed.data;
  const known = placeholdersOf(event);
  const fields: FieldErrors = {};
  const text = (name: 'subject' | 'body', value: string | undefined, max: number, required: boolean): string => {
    const v = (value ?? '').normalize('NFC').replace(/\r\n?/g, '\n').trim();
    if (hasControlChars(v)) fields[name] = CONTROL_CHARS_MESSAGE;
    else if (required && v === '') fields[name] = 'Vui lòng nhập nội dung.';
    else if (v.length > max) fields[name] = `Tối đa ${max} ký tự (đang có ${v.length}).`;
    else {
      const unknown = [...new Set(Array.from(v.matchAll(BRACED), (m) => m[1] ?? ''))].filter((p) => !Object.hasOwn(known, p));
      if (unknown.length > 0)
        fields[name] =
          `Chỗ điền không có trong sự kiện này: ${unknown.map((p) => `{${p}}`).join(', ')}. ` +
          `Chỉ dùng: ${Object.keys(known)
            .map((p) => `{${p}}`)
            .join(', ')}.`;
    }
    return v;
  };
  const limits = LIMITS[channel];
  const hasSubject = channel === 'email' || channel === 'inapp';
  const subject = hasSubject ? text('subject', parsed.data.subject, limits.subject, true) : null;
  const body = text('body', parsed.data.body, limits.body, true);

  let znsTemplateId: string | null = null;
  let znsParams: Record<string, string> | null = null;
  if (channel === 'zns') {
    znsTemplateId = (parsed.data.znsTemplateId ?? '').trim();
    if (!ZNS_ID.test(znsTemplateId)) fields.znsTemplateId = 'Vui lòng nhập mã mẫu ZNS đã được Zalo duyệt (chỉ gồm chữ số).';
    znsParams = parseZnsParams(parsed.data.znsParams ?? '', known, fields);
    if (!fields.body && LINK_OR_PHONE.test(body)) fields.body = 'Tin ZNS không được chứa đường dẫn hay số điện thoại.';
  }
  if (channel === 'sms' && !fields.body) {
    const worst = smsAtMaxLengths(body, known, sms);
    if (worst.segments > sms.maxSegments)
      fields.body =
        `Tin nhắn quá dài: với các chỗ điền ở độ dài tối đa thường gặp (${describeLengths(body, known)}), ` +
        `tin cần ${worst.segments} phần (${worst.encoding === 'gsm7' ? 'không dấu' : 'có dấu'}), vượt giới hạn ${sms.maxSegments} phần.`;
  }
  if (Object.keys(fields).length > 0) throw errors.validation(fields);
  return { event, channel, content: { subject, body, znsTemplateId, znsParams } };
}

function parseZnsParams(raw: string, known: Record<string, string>, fields: FieldErrors): Record<string, string> {
  const params: Record<string, string> = {};
  const lines = raw
    .normalize('NFC')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length === 0) fields.znsParams = 'Vui lòng khai báo tham số của mẫu ZNS, mỗi dòng một "tên_tham_số=chỗ_điền".';
  if (lines.length > 20) fields.znsParams = 'Tối đa 20 tham số.';
  for (const line of lines) {
    const [param = '', placeholder = ''] = line.split('=').map((s) => s.trim().replace(/^\{|\}$/g, ''));
    if (!ZNS_PARAM.test(param)) fields.znsParams ??= `Tên tham số không hợp lệ ở dòng "${line.slice(0, 60)}".`;
    else if (!Object.hasOwn(known, placeholder))
      fields.znsParams ??= `Tham số ${param}: chỗ điền {${placeholder.slice(0, 40)}} không có trong sự kiện này.`;
    else params[param] = placeholder;
  }
  return params;
}

/** The size of the SMS when every placeholder used holds a value of its realistic longest length, with diacritics. */
function smsAtMaxLengths(body: string, known: Record<string, string>, sms: SmsOptions) {
  const data = Object.fromEntries(Object.keys(known).map((p) => [p, 'ơ'.repeat(PLACEHOLDER_SAMPLES[p]?.maxLength ?? 20)]));
  // Fill without shortening: the check is of the wording, so ask fitSms for an unbounded message.
  const text = fitSms(body, data, { unaccented: sms.unaccented, maxSegments: Number.MAX_SAFE_INTEGER });
  return smsSize(sms.unaccented ? toUnaccented(text) : text);
}

function describeLengths(body: string, known: Record<string, string>): string {
  const used = [...new Set(Array.from(body.matchAll(BRACED), (m) => m[1] ?? ''))].filter((p) => Object.hasOwn(known, p));
  return used.map((p) => `{${p}} ${PLACEHOLDER_SAMPLES[p]?.maxLength ?? 20} ký tự`).join(', ') || 'không có chỗ điền';
}
