/**
 * The notify.send job: one message handed to its channel's gateway (docs/decisions/0023).
 *
 * The row is rendered now (a template edited while it waited is the one sent), recorded 'sending' — committed —
 * BEFORE the gateway is called, then the outcome. A crash in between leaves 'sending': the retried job sends again
 * with the same id, which the gateway recognises as the same message. A report that arrived first has already
 * moved the row on, and nothing here moves a final state back. A channel the person switched off while the message
 * waited is not used: the message is cancelled.
 */
import { and, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { notificationPreferences, notifications } from '../db/schema/index.js';
import { JOB_KINDS, type JobInfo } from '../jobs/queue.js';
import { countNotificationSend } from '../shared/metrics.js';
import { FINAL_STATES, type ExternalChannel } from './channels.js';
import type { ChannelAdapter, SendOutcome } from './adapters/types.js';
import { isNotifyEvent } from './events.js';
import { failAndFallBack } from './fallback.js';
import { renderMessage, type SmsOptions } from './templates.js';

export type SendDeps = {
  db: Db;
  adapters: ReadonlyMap<ExternalChannel, ChannelAdapter>;
  sms: SmsOptions;
  now: () => Date;
  logger?: Logger;
  /** How long a gateway may take to answer (default 15 s): longer is a temporary failure. */
  timeoutMs?: number;
};

const UNCONFIGURED = 'Kênh chưa được cấu hình';
const SWITCHED_OFF = 'Người nhận đã tắt kênh này trong Cài đặt thông báo';

/** Whether the message's person (portal citizen or official) has switched its channel off by now. */
async function switchedOff(db: Db, row: typeof notifications.$inferSelect): Promise<boolean> {
  const owner = row.accountId
    ? eq(notificationPreferences.accountId, row.accountId)
    : row.citizenId
      ? eq(notificationPreferences.citizenId, row.citizenId)
      : null;
  if (!owner) return false;
  const [off] = await db
    .select({ channel: notificationPreferences.channel })
    .from(notificationPreferences)
    .where(and(owner, eq(notificationPreferences.channel, row.channel), eq(notificationPreferences.enabled, false)))
    .limit(1);
  return Boolean(off);
}

/** Sends one message; throws (so pg-boss retries) on a temporary failure unless this was the last attempt. */
export async function sendNotification(deps: SendDeps, notificationId: string, job: JobInfo): Promise<void> {
  const { db } = deps;
  const [row] = await db.select().from(notifications).where(eq(notifications.id, notificationId));
  if (!row || row.channel === 'inapp' || FINAL_STATES.includes(row.state) || row.state === 'sent') return;
  const channel = row.channel;
  // Switched off while the message waited (behind an outage, a retry): not sent, and no other channel instead —
  // the person chose; their in-app notice, if any, stands.
  if (await switchedOff(db, row)) {
    await db
      .update(notifications)
      .set({ state: 'cancelled', reason: SWITCHED_OFF, updatedAt: deps.now() })
      .where(and(eq(notifications.id, row.id), inArray(notifications.state, ['queued', 'sending'])));
    return;
  }
  const fail = async (reason: string) => {
    await db.transaction((tx) => failAndFallBack(tx, row.id, 'failed', reason, deps.now()));
  };
  const adapter = deps.adapters.get(channel);
  if (!adapter) {
    countNotificationSend(channel, 'unconfigured');
    return fail(UNCONFIGURED);
  }
  const rendered = isNotifyEvent(row.event) ? await renderMessage(db, row.event, channel, row.data, deps.sms) : null;
  if (!rendered || !row.address) return fail('Không có nội dung hoặc địa chỉ nhận cho kênh này');
  const sendingAt = deps.now();
  const [marked] = await db
    .update(notifications)
    .set({
      state: 'sending',
      attempts: sql`${notifications.attempts} + 1`,
      sendingAt,
      updatedAt: sendingAt,
      subject: rendered.subject,
      body: rendered.body,
    })
    .where(and(eq(notifications.id, row.id), inArray(notifications.state, ['queued', 'sending'])))
    .returning({ id: notifications.id });
  if (!marked) return; // moved on meanwhile (a report, a cancellation)
  let outcome: SendOutcome;
  try {
    outcome = await adapter.send(
      { id: row.id, channel, to: row.address, subject: rendered.subject, body: rendered.body, zns: rendered.zns },
      AbortSignal.timeout(deps.timeoutMs ?? 15_000),
    );
  } catch (err) {
    // An adapter is meant to answer rather than throw; whatever escaped it is treated as temporary.
    outcome = { kind: 'retry', reason: err instanceof Error ? err.message.slice(0, 200) : 'Lỗi không xác định' };
  }
  const at = deps.now();
  const notFinal = and(eq(notifications.id, row.id), notInArray(notifications.state, [...FINAL_STATES]));
  switch (outcome.kind) {
    case 'accepted':
    case 'delivered': {
      countNotificationSend(channel, outcome.kind);
      const delivered = outcome.kind === 'delivered';
      const updated = await db
        .update(notifications)
        .set({
          state: delivered ? 'delivered' : 'sent',
          gatewayId: outcome.gatewayId,
          sentAt: at,
          deliveredAt: delivered ? at : undefined,
          reason: null,
          updatedAt: at,
        })
        // 'sent' only from queued/sending: a report that came first (delivered, failed) stays.
        .where(delivered ? notFinal : and(eq(notifications.id, row.id), inArray(notifications.state, ['queued', 'sending'])))
        .returning({ id: notifications.id });
      if (updated.length === 0) {
        // The report won the race: keep its state, but record the gateway's id and our send time.
        await db
          .update(notifications)
          .set({
            gatewayId: sql`coalesce(${notifications.gatewayId}, ${outcome.gatewayId})`,
            sentAt: sql`coalesce(${notifications.sentAt}, ${at})`,
          })
          .where(eq(notifications.id, row.id));
      }
      return;
    }
    case 'permanent':
      countNotificationSend(channel, 'permanent');
      return fail(outcome.reason);
    case 'retry': {
      const limit = job.retryLimit ?? JOB_KINDS['notify.send'].retryLimit;
      if (job.retryCount >= limit) {
        countNotificationSend(channel, 'failed');
        return fail(`Đã thử ${job.retryCount + 1} lần: ${outcome.reason}`);
      }
      countNotificationSend(channel, 'retry');
      // Waiting for the next try: queued again, with why (the screens show it).
      await db
        .update(notifications)
        .set({ state: 'queued', reason: outcome.reason, updatedAt: at })
        .where(and(notFinal, eq(notifications.state, 'sending')));
      deps.logger?.info(
        { notification: row.id, channel, attempt: job.retryCount + 1, reason: outcome.reason },
        'notification send retried',
      );
      throw new Error(`notification ${row.id} (${channel}) not sent: ${outcome.reason}`);
    }
  }
}
