/**
 * Cài đặt thông báo: which channels a person receives (no row: on) and where their messages go — the addresses
 * recipients.ts would use: a citizen's VNeID phone and e-mail and the contact typed on each of their dossiers (a
 * dossier's contact comes first for messages about it); an official's mobile (else phone) and first e-mail.
 */
import { desc, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { accounts, dossiers, notificationPreferences } from '../db/schema/index.js';
import type { Citizen } from '../portal/citizen-context.js';
import type { ExternalChannel } from './channels.js';
import { type NoticeOwner, ownPreferences, SWITCHABLE } from './notice-owner.js';
import { nationalPhone } from './recipients.js';

export type ChannelChoices = Record<ExternalChannel, boolean>;

export async function readPreferences(db: Queryable, owner: NoticeOwner): Promise<ChannelChoices> {
  const rows = await db
    .select({ channel: notificationPreferences.channel, enabled: notificationPreferences.enabled })
    .from(notificationPreferences)
    .where(ownPreferences(owner));
  const out = Object.fromEntries(SWITCHABLE.map((ch) => [ch, true])) as ChannelChoices;
  for (const r of rows) if (r.channel !== 'inapp') out[r.channel] = r.enabled;
  return out;
}

/** An address and where it comes from (VNeID, the account, or the dossiers naming it). */
export type Destination = { value: string; source: string };

export type Destinations = { phones: Destination[]; emails: Destination[] };

const MAX_DOSSIERS = 200;

/** The citizen's: VNeID first, then each other contact on their dossiers with the codes (newest dossiers first). */
export async function citizenDestinations(db: Queryable, citizen: Citizen): Promise<Destinations> {
  const rows = await db
    .select({ code: dossiers.code, applicant: dossiers.applicant })
    .from(dossiers)
    // The dossiers whose messages carry this citizen's preferences (recipients.ts: the dossier's portal citizen).
    .where(eq(dossiers.citizenId, citizen.id))
    .orderBy(desc(dossiers.createdAt))
    .limit(MAX_DOSSIERS);
  const phones = new Map<string, string[]>();
  const emails = new Map<string, string[]>();
  const add = (into: Map<string, string[]>, value: string | null, code: string) => {
    if (value) into.set(value, [...(into.get(value) ?? []), code]);
  };
  for (const r of rows) {
    add(phones, nationalPhone(r.applicant.phone), r.code);
    add(emails, r.applicant.email?.trim() || null, r.code);
  }
  const vneidPhone = nationalPhone(citizen.phone);
  const vneidEmail = citizen.email?.trim() || null;
  const list = (own: string | null, byDossier: Map<string, string[]>): Destination[] => [
    ...(own ? [{ value: own, source: 'Tài khoản định danh điện tử VNeID' }] : []),
    ...[...byDossier]
      .filter(([value]) => value !== own)
      .map(([value, codes]) => ({
        value,
        source: `Liên hệ trên hồ sơ ${codes.slice(0, 3).join(', ')}${codes.length > 3 ? ` và ${codes.length - 3} hồ sơ khác` : ''}`,
      })),
  ];
  return { phones: list(vneidPhone, phones), emails: list(vneidEmail, emails) };
}

/** The official's: the account's mobile (else phone) and first e-mail, as Thông tin tài khoản holds them. */
export async function officialDestinations(db: Queryable, accountId: string): Promise<Destinations> {
  const [a] = await db
    .select({ phone: accounts.phone, mobile: accounts.mobile, emails: accounts.emails })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  const phone = nationalPhone(a?.mobile) ?? nationalPhone(a?.phone);
  const email = a?.emails?.split(';')[0]?.trim() || null;
  const source = 'Thông tin tài khoản';
  return { phones: phone ? [{ value: phone, source }] : [], emails: email ? [{ value: email, source }] : [] };
}
