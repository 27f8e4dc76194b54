/**
 * Cài đặt thông báo → Lưu: the person's choice of Zalo, SMS and e-mail, one notification_preferences row per channel
 * (enabled true or false), audited. In-app notices are always on (notice-owner.ts), so they are not a choice. What
 * is saved applies from the next message (recipients.ts reads it in the transaction of each event) and to those still
 * waiting (send.ts cancels a message whose channel is switched off by then).
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { recordAudit } from '../audit/record.js';
import type { Db } from '../db/client.js';
import { notificationPreferences } from '../db/schema/index.js';
import type { CitizenActor, StaffActor } from '../shared/context.js';
import { parseInput } from '../shared/validate.js';
import { ownerOf, SWITCHABLE } from './notice-owner.js';
import type { ChannelChoices } from './preference-queries.js';

/** A checkbox: sent ("on") when ticked, absent when not. */
const box = z
  .literal('on', { error: 'Giá trị không hợp lệ.' })
  .optional()
  .transform((v) => v === 'on');

const PreferencesInput = z.object({ zns: box, sms: box, email: box });

const PREFERENCES_ACTION = 'notify.preferences';

export async function saveNotificationPreferences(
  db: Db,
  actor: CitizenActor | StaffActor,
  input: unknown,
  now: Date,
): Promise<ChannelChoices> {
  const choices = parseInput(PreferencesInput, input);
  const owner = ownerOf(actor);
  const ownerColumns = owner.kind === 'citizen' ? { citizenId: owner.citizenId } : { accountId: owner.accountId };
  await db.transaction(async (tx) => {
    await tx
      .insert(notificationPreferences)
      .values(SWITCHABLE.map((channel) => ({ ...ownerColumns, channel, enabled: choices[channel], updatedAt: now })))
      .onConflictDoUpdate({
        target:
          owner.kind === 'citizen'
            ? [notificationPreferences.citizenId, notificationPreferences.channel]
            : [notificationPreferences.accountId, notificationPreferences.channel],
        targetWhere: owner.kind === 'citizen' ? sql`citizen_id is not null` : sql`account_id is not null`,
        set: { enabled: sql`excluded.enabled`, updatedAt: now },
      });
    await recordAudit(tx, {
      action: PREFERENCES_ACTION,
      actor,
      targetType: owner.kind === 'citizen' ? 'citizen' : 'account',
      targetId: owner.kind === 'citizen' ? owner.citizenId : owner.accountId,
      data: { ...choices },
    });
  });
  return choices;
}
