/**
 * The words of a message: the administrators' template of an event × channel when one is saved
 * (notification_templates, Quản trị → Mẫu thông báo), else the default in default-templates.ts, with the event's
 * placeholders ({ma_ho_so}, …) filled in. The send worker calls renderMessage at send time, so a template edited
 * while a message waits is the one sent.
 *
 * SMS is sized here, not by the gateway: written unaccented when the gateway asks (SMS_UNACCENTED), and never longer
 * than SMS_MAX_SEGMENTS parts — the longest placeholder values are shortened with an ellipsis first (a long procedure
 * name, a long note), and only if the fixed text alone is still too long is the text itself cut.
 */
import type { Queryable } from '../db/client.js';
import type { Channel } from './channels.js';
import { DEFAULT_TEMPLATES } from './default-templates.js';
import type { NotifyEvent } from './events.js';
import { smsSize, toUnaccented } from './sms-text.js';
import { findSavedTemplate } from './template-store.js';

export type RenderedMessage = { subject: string | null; body: string; zns: { templateId: string; params: Record<string, string> } | null };
export type SmsOptions = { unaccented: boolean; maxSegments: number };

/** A template's content, saved or default: ZNS has a template id and its parameter → placeholder mapping. */
export type TemplateContent = {
  subject: string | null;
  body: string;
  znsTemplateId: string | null;
  znsParams: Record<string, string> | null;
};

/** {name}: a placeholder. Names are lower-case words joined by underscores, as in events.ts. */
const PLACEHOLDER = /\{([a-z][a-z0-9_]*)\}/g;

/** The default template of an event on a channel; null for ZNS (Zalo sends approved templates only). */
export function defaultTemplate(event: NotifyEvent, channel: Channel): TemplateContent | null {
  const d = DEFAULT_TEMPLATES[event];
  const none = { znsTemplateId: null, znsParams: null };
  switch (channel) {
    case 'sms':
      return { subject: null, body: d.sms, ...none };
    case 'email':
      return { subject: d.email.subject, body: d.email.body, ...none };
    case 'inapp':
      return { subject: d.inapp.subject, body: d.inapp.body, ...none };
    case 'zns':
      return null;
  }
}

export async function renderMessage(
  q: Queryable,
  event: NotifyEvent,
  channel: Channel,
  data: Record<string, string>,
  sms: SmsOptions,
): Promise<RenderedMessage | null> {
  const template = (await findSavedTemplate(q, event, channel)) ?? defaultTemplate(event, channel);
  return template ? renderTemplate(template, channel, data, sms) : null;
}

/** Fills a template (saved, default, or one being edited — the preview) for a channel. */
export function renderTemplate(
  template: TemplateContent,
  channel: Channel,
  data: Record<string, string>,
  sms: SmsOptions,
): RenderedMessage | null {
  const values = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.normalize('NFC')]));
  switch (channel) {
    case 'sms':
      return { subject: null, body: fitSms(template.body, values, sms), zns: null };
    case 'email':
    case 'inapp':
      return { subject: fill(template.subject ?? '', values).trim() || null, body: fill(template.body, values), zns: null };
    case 'zns': {
      if (!template.znsTemplateId) return null;
      const params = Object.fromEntries(
        Object.entries(template.znsParams ?? {}).map(([param, placeholder]) => [param, values[placeholder] ?? '']),
      );
      return { subject: null, body: fill(template.body, values), zns: { templateId: template.znsTemplateId, params } };
    }
  }
}

/** The template with each {placeholder} replaced by its value; one without a value becomes empty. */
function fill(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (_, name: string) => (Object.hasOwn(values, name) ? (values[name] ?? '') : ''));
}

/** The most characters `segments` parts carry in an encoding (160/153 GSM-7, 70/67 UCS-2). */
function capacity(encoding: 'gsm7' | 'ucs2', segments: number): number {
  if (encoding === 'gsm7') return segments === 1 ? 160 : segments * 153;
  return segments === 1 ? 70 : segments * 67;
}

/** The SMS text of a template: unaccented when asked, within maxSegments parts (see the file's comment). */
export function fitSms(template: string, data: Record<string, string>, opts: SmsOptions): string {
  const prepare = (s: string) => (opts.unaccented ? toUnaccented(s) : s.normalize('NFC'));
  const fixed = prepare(template);
  const used = [...new Set(Array.from(fixed.matchAll(PLACEHOLDER), (m) => m[1] ?? ''))];
  // One line per value: a note's line breaks would cost characters and read badly on a phone.
  const values: Record<string, string> = {};
  for (const name of used)
    values[name] = prepare(data[name] ?? '')
      .replace(/\s+/g, ' ')
      .trim();

  for (;;) {
    const text = fill(fixed, values);
    const size = smsSize(text);
    if (size.segments <= opts.maxSegments) return text;
    // "…" is not in GSM-7: a text that travels as GSM-7 gets three dots, or the ellipsis alone would make it UCS-2.
    const ellipsis = size.encoding === 'gsm7' ? '...' : '…';
    const lengths = used.map((name) => ({ name, chars: Array.from(values[name] ?? '') })).sort((a, b) => b.chars.length - a.chars.length);
    const longest = lengths[0];
    if (!longest || longest.chars.length === 0) return cutText(text, opts.maxSegments);
    const excess = size.characters - capacity(size.encoding, opts.maxSegments);
    const next = lengths[1]?.chars.length ?? 0;
    // Down to the next-longest value at most, so that long values are shortened evenly rather than one wiped out.
    const keep = Math.min(longest.chars.length - 1, Math.max(longest.chars.length - excess - ellipsis.length, next));
    values[longest.name] =
      keep <= ellipsis.length
        ? ''
        : `${longest.chars
            .slice(0, keep - ellipsis.length)
            .join('')
            .trimEnd()}${ellipsis}`;
  }
}

/** The fixed text alone is too long (an administrator's long template): the longest prefix that fits, with "…". */
function cutText(text: string, maxSegments: number): string {
  const chars = Array.from(text);
  let lo = 0;
  let hi = chars.length;
  const fits = (n: number) => {
    const t = chars.slice(0, n).join('').trimEnd();
    const ellipsis = smsSize(t).encoding === 'gsm7' ? '...' : '…';
    return smsSize(t + ellipsis).segments <= maxSegments ? t + ellipsis : null;
  };
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid) !== null) lo = mid;
    else hi = mid - 1;
  }
  return fits(lo) ?? '';
}
