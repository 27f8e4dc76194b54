import type { Db } from '../db/client.js';
import type { StaffActor } from '../shared/context.js';
import { type SmsSize, smsSize } from './sms-text.js';
import { parseTemplateInput, sampleData } from './template-input.js';
import { requireTemplateAdministrator } from './template-store.js';
import { type RenderedMessage, type SmsOptions, renderTemplate } from './templates.js';

export type TemplatePreview = { message: RenderedMessage | null; sms: SmsSize | null; data: Record<string, string> };

/**
 * The typed template filled with example values, as it would be sent — for SMS with its encoding and number of
 * parts under the gateway's settings. Checked like a save (an error beside its field), nothing written.
 */
export async function previewNotificationTemplate(db: Db, actor: StaffActor, raw: unknown, sms: SmsOptions): Promise<TemplatePreview> {
  await requireTemplateAdministrator(db, actor);
  const { event, channel, content } = parseTemplateInput(raw, sms);
  const data = sampleData(event);
  const message = renderTemplate(content, channel, data, sms);
  return { message, sms: channel === 'sms' && message ? smsSize(message.body) : null, data };
}
