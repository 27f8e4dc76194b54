/**
 * The citizen's notifications for Dữ liệu của tôi (portal/my-data.ts): every message sent to them — in-app notices,
 * Zalo, SMS and e-mails with where each went and what became of it — and their Cài đặt thông báo. Theirs are the
 * rows naming their portal account and the applicant's messages about their dossiers that name no account (the one
 * rule of citizen-dossiers.ts gave `dossierIds`: a dossier received at the counter naming their CCCD has no account on
 * its messages). Never the gateway's message id: it is the gateway's, not theirs.
 */
import { and, desc, eq, inArray, isNull, or } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { dossiers, notificationPreferences, notifications } from '../db/schema/index.js';
import { CHANNEL_LABELS, type Channel, MESSAGE_STATE_LABELS, type MessageState } from './channels.js';
import { ownPreferences } from './notice-owner.js';

export type MyNotification = {
  id: string;
  event: string;
  channel: Channel;
  channelLabel: string;
  /** Phone or e-mail address it went to; null in-app. */
  address: string | null;
  dossierCode: string | null;
  state: MessageState;
  stateLabel: string;
  /** Why it failed, when it did. */
  reason: string | null;
  subject: string | null;
  /** As sent (null while still waiting to be sent: `data` holds what it will say). */
  body: string | null;
  data: Record<string, string>;
  createdAt: Date;
  sentAt: Date | null;
  deliveredAt: Date | null;
  failedAt: Date | null;
  /** In-app: when they opened it. */
  readAt: Date | null;
};

export type MyNotificationPreference = { channel: Channel; channelLabel: string; enabled: boolean; updatedAt: Date };

export async function readMyNotifications(
  db: Queryable,
  citizenId: string,
  dossierIds: readonly string[],
): Promise<{ notifications: MyNotification[]; notificationPreferences: MyNotificationPreference[] }> {
  const mine = eq(notifications.citizenId, citizenId);
  // A message to the applicant of a dossier they may open — but never one naming another portal account (an
  // organisation's other member's own notices): those are that account's alone (notice-owner.ts).
  const aboutTheirDossiers = dossierIds.length
    ? and(eq(notifications.recipientKind, 'applicant'), isNull(notifications.citizenId), inArray(notifications.dossierId, [...dossierIds]))
    : undefined;
  const [rows, prefs] = await Promise.all([
    db
      .select({ n: notifications, code: dossiers.code })
      .from(notifications)
      .leftJoin(dossiers, eq(dossiers.id, notifications.dossierId))
      .where(aboutTheirDossiers ? or(mine, aboutTheirDossiers) : mine)
      .orderBy(desc(notifications.createdAt), desc(notifications.id)),
    db
      .select()
      .from(notificationPreferences)
      .where(ownPreferences({ kind: 'citizen', citizenId }))
      .orderBy(notificationPreferences.channel),
  ]);
  return {
    notifications: rows.map(({ n, code }) => ({
      id: n.id,
      event: n.event,
      channel: n.channel,
      channelLabel: CHANNEL_LABELS[n.channel],
      address: n.address,
      dossierCode: code,
      state: n.state,
      stateLabel: MESSAGE_STATE_LABELS[n.state],
      reason: n.reason,
      subject: n.subject,
      body: n.body,
      data: n.data,
      createdAt: n.createdAt,
      sentAt: n.sentAt,
      deliveredAt: n.deliveredAt,
      failedAt: n.failedAt,
      readAt: n.readAt,
    })),
    notificationPreferences: prefs.map((p) => ({
      channel: p.channel,
      channelLabel: CHANNEL_LABELS[p.channel],
      enabled: p.enabled,
      updatedAt: p.updatedAt,
    })),
  };
}
