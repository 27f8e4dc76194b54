/**
 * A message that failed for good (a permanent refusal, a failed or expired delivery report, retries exhausted, its
 * channel unconfigured) is recorded failed and replaced by one on the next external channel, in CHANNELS order
 * (zns → sms → email), that the recipient has, has not switched off, and that this occurrence of the event has not
 * already used for them — so a failed ZNS becomes an SMS, and a failed SMS an e-mail only if no e-mail went.
 * The new row and its job are written in the same transaction as the failure.
 */
import { and, eq, inArray, isNull, notInArray, or, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { notifications } from '../db/schema/index.js';
import { enqueue } from '../jobs/queue.js';
import { EXTERNAL_CHANNELS, type ExternalChannel, FINAL_STATES } from './channels.js';
import { resolveRecipient } from './recipients.js';

type Row = typeof notifications.$inferSelect;

/**
 * Moves a message that is not final yet to `state` (failed or expired) with its reason and falls back. Returns
 * false when it was already final (a late or repeated failure): nothing changes then.
 */
export async function failAndFallBack(
  tx: Queryable,
  id: string,
  state: 'failed' | 'expired',
  reason: string,
  at: Date,
  gatewayId: string | null = null,
): Promise<boolean> {
  const [row] = await tx
    .update(notifications)
    .set({
      state,
      reason: reason.slice(0, 500),
      failedAt: at,
      updatedAt: at,
      gatewayId: gatewayId ? sql`coalesce(${notifications.gatewayId}, ${gatewayId})` : undefined,
    })
    .where(and(eq(notifications.id, id), notInArray(notifications.state, [...FINAL_STATES])))
    .returning();
  if (!row) return false;
  await fallBack(tx, row);
  return true;
}

async function fallBack(tx: Queryable, failed: Row): Promise<void> {
  if (failed.channel === 'inapp') return;
  const who = await resolveRecipient(
    tx,
    failed.recipientKind === 'official' && failed.accountId
      ? { kind: 'official', accountId: failed.accountId }
      : { kind: 'applicant', dossierId: failed.dossierId ?? '', citizenId: failed.citizenId },
  );
  if (!who) return;
  const used = await usedChannels(tx, failed);
  const after = EXTERNAL_CHANNELS.slice(EXTERNAL_CHANNELS.indexOf(failed.channel) + 1);
  const address = (c: ExternalChannel) => (c === 'email' ? who.email : who.phone);
  // A ZNS fallback would need an approved template; only SMS and e-mail follow a failure.
  const next = after.find((c) => c !== 'zns' && address(c) && !who.off.has(c) && !used.has(c));
  if (!next) return;
  const [row] = await tx
    .insert(notifications)
    .values({
      event: failed.event,
      channel: next,
      recipientKind: failed.recipientKind,
      citizenId: failed.citizenId,
      accountId: failed.accountId,
      address: address(next),
      dossierId: failed.dossierId,
      data: failed.data,
      fallbackOf: failed.id,
    })
    .returning({ id: notifications.id });
  if (row) await enqueue(tx, 'notify.send', { notificationId: row.id }, { key: row.id });
}

/**
 * The channels this occurrence of the event already used for the recipient: the rows recorded with the original
 * (one notify() call: one statement, one created_at) and every message that replaced one of them.
 */
async function usedChannels(tx: Queryable, failed: Row): Promise<Set<string>> {
  let root = failed;
  for (let depth = 0; root.fallbackOf && depth < 10; depth++) {
    const [parent] = await tx.select().from(notifications).where(eq(notifications.id, root.fallbackOf));
    if (!parent) break;
    root = parent;
  }
  const sameRecipient =
    root.accountId !== null
      ? eq(notifications.accountId, root.accountId)
      : root.dossierId !== null
        ? eq(notifications.dossierId, root.dossierId)
        : sql`false`;
  const siblings = await tx
    .select({ id: notifications.id, channel: notifications.channel })
    .from(notifications)
    .where(
      and(
        eq(notifications.event, root.event),
        eq(notifications.recipientKind, root.recipientKind),
        sameRecipient,
        // Compared in SQL: a JavaScript Date would drop the microseconds.
        or(
          eq(notifications.id, root.id),
          and(
            isNull(notifications.fallbackOf),
            sql`${notifications.createdAt} = (select n.created_at from notifications n where n.id = ${root.id})`,
          ),
        ),
      ),
    );
  const used = new Set<string>(siblings.map((s) => s.channel));
  // Their replacements, generation by generation (a chain is a few rows at most).
  let frontier = siblings.map((s) => s.id);
  for (let depth = 0; frontier.length && depth < 10; depth++) {
    const children = await tx
      .select({ id: notifications.id, channel: notifications.channel })
      .from(notifications)
      .where(inArray(notifications.fallbackOf, frontier));
    for (const c of children) used.add(c.channel);
    frontier = children.map((c) => c.id);
  }
  return used;
}
