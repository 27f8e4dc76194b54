/** Reading the administrators' saved templates (the use cases beside this file write them). */
import { and, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { notificationTemplates } from '../db/schema/index.js';
import type { Channel } from './channels.js';
import type { NotifyEvent } from './events.js';
import type { TemplateContent } from './templates.js';

export async function findSavedTemplate(q: Queryable, event: NotifyEvent, channel: Channel): Promise<TemplateContent | null> {
  const [row] = await q
    .select({
      subject: notificationTemplates.subject,
      body: notificationTemplates.body,
      znsTemplateId: notificationTemplates.znsTemplateId,
      znsParams: notificationTemplates.znsParams,
    })
    .from(notificationTemplates)
    .where(and(eq(notificationTemplates.event, event), eq(notificationTemplates.channel, channel)));
  return row ?? null;
}
