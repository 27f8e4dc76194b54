import type { Db } from '../db/client.js';
import { notificationTemplates } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { provinceUnitId } from '../org/tree.js';
import type { StaffActor } from '../shared/context.js';
import { findSavedTemplate, requireTemplateAdministrator } from './template-store.js';
import { parseTemplateInput } from './template-input.js';
import type { SmsOptions } from './templates.js';

/** A province administrator saves the wording of one event × channel; it replaces the default from the next send. */
export async function saveNotificationTemplate(db: Db, actor: StaffActor, raw: unknown, sms: SmsOptions, now: Date) {
  return db.transaction(async (tx) => {
    // Permission before parsing: to anyone else the screen does not exist, whatever they send.
    await requireTemplateAdministrator(tx, actor);
    const { event, channel, content } = parseTemplateInput(raw, sms);
    const old = await findSavedTemplate(tx, event, channel);
    const values = { ...content, updatedAt: now, updatedBy: actor.accountId };
    await tx
      .insert(notificationTemplates)
      .values({ event, channel, ...values })
      .onConflictDoUpdate({ target: [notificationTemplates.event, notificationTemplates.channel], set: values });
    await recordAudit(tx, {
      action: 'notify.template_saved',
      actor,
      targetType: 'notification_template',
      targetId: `${event}/${channel}`,
      unitId: await provinceUnitId(tx),
      data: { old, new: content },
    });
    return { event, channel };
  });
}
