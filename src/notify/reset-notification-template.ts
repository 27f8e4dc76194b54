import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { notificationTemplates } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { provinceUnitId } from '../org/tree.js';
import type { StaffActor } from '../shared/context.js';
import { parseInput } from '../shared/validate.js';
import { CHANNELS } from './channels.js';
import { NOTIFY_EVENT_KEYS } from './events.js';
import { requireTemplateAdministrator } from './template-store.js';

const Input = z.object({
  event: z.enum(NOTIFY_EVENT_KEYS, { message: 'Sự kiện không hợp lệ.' }),
  channel: z.enum(CHANNELS, { message: 'Kênh không hợp lệ.' }),
});

/** "Khôi phục mặc định": the saved wording is removed and the default in code is sent again. */
export async function resetNotificationTemplate(db: Db, actor: StaffActor, raw: unknown) {
  return db.transaction(async (tx) => {
    await requireTemplateAdministrator(tx, actor);
    const { event, channel } = parseInput(Input, raw);
    const removed = await tx
      .delete(notificationTemplates)
      .where(and(eq(notificationTemplates.event, event), eq(notificationTemplates.channel, channel)))
      .returning();
    const [old] = removed;
    if (old)
      await recordAudit(tx, {
        action: 'notify.template_reset',
        actor,
        targetType: 'notification_template',
        targetId: `${event}/${channel}`,
        unitId: await provinceUnitId(tx),
        data: { old: { subject: old.subject, body: old.body, znsTemplateId: old.znsTemplateId, znsParams: old.znsParams } },
      });
    return { event, channel, reset: old !== undefined };
  });
}
