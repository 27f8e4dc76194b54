/**
 * notify(tx, …) — what a use case calls when something happens that someone must be told (docs/decisions/0023).
 * It records the messages of one event for one recipient as rows of `notifications`, in the caller's transaction,
 * each external one with its notify.send job: they exist exactly when the change commits. The worker (send.ts)
 * renders and sends them later; an in-app notice is rendered now and is delivered at once.
 *
 * Which messages: an in-app notice when the recipient has an account; one phone message — ZNS when the event has
 * an approved ZNS template (an unconfigured ZNS then fails at send time and falls back to SMS), else SMS — when they
 * have a phone; an e-mail when they have an address; minus the channels their preferences switch off.
 */
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { notifications } from '../db/schema/index.js';
import { enqueue } from '../jobs/queue.js';
import type { Channel } from './channels.js';
import type { NotifyData, NotifyEvent } from './events.js';
import { type ResolvedRecipient, resolveRecipient } from './recipients.js';
import { renderMessage } from './templates.js';

export type Recipient =
  // The dossier's portal citizen (in-app, their preferences) + the contact on the dossier; with citizenId, a citizen other
  // than the dossier's who is addressed about it (the payer of an order: recipients.ts).
  { kind: 'applicant'; dossierId: string; citizenId?: string | null | undefined } | { kind: 'official'; accountId: string }; // the account's phone and e-mails, in-app

/** In-app notices ignore SMS sizing; renderMessage wants the options all the same. */
const NO_SMS = { unaccented: false, maxSegments: 10 };

/** Records the messages of one event for one recipient inside `tx` (rolled back with it) and enqueues their sends. */
export async function notify<E extends NotifyEvent>(
  tx: Queryable,
  input: { event: E; to: Recipient; dossierId: string | null; data: NotifyData<E>; key?: string },
): Promise<void> {
  const who = await resolveRecipient(tx, input.to);
  if (!who) return;
  const data: Record<string, string> = input.data;
  const base = {
    event: input.event,
    recipientKind: who.kind,
    citizenId: who.citizenId,
    accountId: who.accountId,
    // An applicant's messages are keyed by their dossier (they may have no account).
    dossierId: input.dossierId ?? who.dossierId,
    idemKey: input.key ?? null,
    data,
  };
  const rows: Array<typeof notifications.$inferInsert> = [];
  if ((who.citizenId || who.accountId) && !who.off.has('inapp')) {
    const m = await renderMessage(tx, input.event, 'inapp', data, NO_SMS);
    if (m) {
      rows.push({
        ...base,
        channel: 'inapp',
        address: null,
        state: 'delivered',
        subject: m.subject,
        body: m.body,
        deliveredAt: sql`now()` as unknown as Date,
      });
    }
  }
  const phone = await phoneChannel(tx, input.event, data, who);
  if (phone && who.phone) rows.push({ ...base, channel: phone, address: who.phone });
  if (who.email && !who.off.has('email')) rows.push({ ...base, channel: 'email', address: who.email });
  if (rows.length === 0) return;
  // One statement: the rows share created_at (the fallback rule finds an event's siblings by it). A key already
  // used for this event and recipient inserts nothing, and nothing is enqueued.
  const inserted = await tx
    .insert(notifications)
    .values(rows)
    .onConflictDoNothing()
    .returning({ id: notifications.id, channel: notifications.channel });
  for (const row of inserted) {
    if (row.channel !== 'inapp') await enqueue(tx, 'notify.send', { notificationId: row.id }, { key: row.id });
  }
}

/** ZNS when this event has an approved ZNS template and the recipient has not switched it off, else SMS. */
async function phoneChannel(
  tx: Queryable,
  event: NotifyEvent,
  data: Record<string, string>,
  who: ResolvedRecipient,
): Promise<Channel | null> {
  if (!who.phone) return null;
  if (!who.off.has('zns') && (await renderMessage(tx, event, 'zns', data, NO_SMS))) return 'zns';
  return who.off.has('sms') ? null : 'sms';
}
