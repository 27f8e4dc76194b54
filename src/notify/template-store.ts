/** Reading the administrators' saved templates (the use cases beside this file write them), and who may. */
import { and, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { notificationTemplates } from '../db/schema/index.js';
import { isProvinceAdministrator } from '../accounts/policies.js';
import type { StaffActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import type { Channel } from './channels.js';
import type { NotifyEvent } from './events.js';
import type { TemplateContent } from './templates.js';

/** The templates speak for the whole province: its administrators alone edit them; to anyone else they do not exist. */
export async function requireTemplateAdministrator(q: Queryable, actor: StaffActor): Promise<void> {
  if (!(await isProvinceAdministrator(q, actor))) throw errors.notFound('Trang');
}

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

/** Which event × channel has a saved template, and when it was last changed (the list screen). */
export async function savedTemplateDates(q: Queryable): Promise<Map<string, Date>> {
  const rows = await q
    .select({ event: notificationTemplates.event, channel: notificationTemplates.channel, updatedAt: notificationTemplates.updatedAt })
    .from(notificationTemplates);
  return new Map(rows.map((r) => [`${r.event}/${r.channel}`, r.updatedAt]));
}
