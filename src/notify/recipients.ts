/**
 * WHO A MESSAGE REACHES — a Recipient (enqueue.ts) resolved inside the caller's transaction to what we may use:
 * their account for in-app notices, a phone for ZNS/SMS, an e-mail address, minus what their preferences switch off.
 * An applicant is the dossier's: its portal citizen (when it was submitted online or claimed) and the contact typed
 * on the dossier, else the citizen's VNeID phone and e-mail — unless the message names another citizen of the dossier
 * (the one who paid an order: a citizen who proved the applicant's number may pay for a dossier another submitted),
 * who is reached alone, with their own VNeID phone and e-mail and their preferences. An official: the account's mobile (else phone) and the
 * first of its e-mails. A deleted or suspended account receives nothing.
 */
import { and, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { accounts, citizens, dossiers, notificationPreferences } from '../db/schema/index.js';
import type { Channel } from './channels.js';
import type { Recipient } from './enqueue.js';

export type ResolvedRecipient = {
  kind: Recipient['kind'];
  citizenId: string | null;
  accountId: string | null;
  /** The dossier that names an applicant (their messages' recipient key). */
  dossierId: string | null;
  /** National form 0xxxxxxxxx, or null when none (or not a phone number). */
  phone: string | null;
  email: string | null;
  /** Channels switched off by their preferences. */
  off: ReadonlySet<Channel>;
};

export async function resolveRecipient(q: Queryable, to: Recipient): Promise<ResolvedRecipient | null> {
  if (to.kind === 'applicant') {
    const [d] = await q
      .select({ citizenId: dossiers.citizenId, applicant: dossiers.applicant, citizenPhone: citizens.phone, citizenEmail: citizens.email })
      .from(dossiers)
      .leftJoin(citizens, eq(citizens.id, dossiers.citizenId))
      .where(eq(dossiers.id, to.dossierId));
    if (!d) return null;
    if (to.citizenId && to.citizenId !== d.citizenId) {
      const [c] = await q.select({ phone: citizens.phone, email: citizens.email }).from(citizens).where(eq(citizens.id, to.citizenId));
      if (!c) return null;
      return {
        kind: 'applicant',
        citizenId: to.citizenId,
        accountId: null,
        dossierId: to.dossierId,
        phone: nationalPhone(c.phone),
        email: emailAddress(c.email),
        off: await switchedOff(q, eq(notificationPreferences.citizenId, to.citizenId)),
      };
    }
    return {
      kind: 'applicant',
      citizenId: d.citizenId,
      accountId: null,
      dossierId: to.dossierId,
      phone: nationalPhone(d.applicant.phone) ?? nationalPhone(d.citizenPhone),
      email: emailAddress(d.applicant.email) ?? emailAddress(d.citizenEmail),
      off: d.citizenId ? await switchedOff(q, eq(notificationPreferences.citizenId, d.citizenId)) : new Set(),
    };
  }
  const [a] = await q
    .select({
      phone: accounts.phone,
      mobile: accounts.mobile,
      emails: accounts.emails,
      suspended: accounts.suspended,
      deletedAt: accounts.deletedAt,
    })
    .from(accounts)
    .where(eq(accounts.id, to.accountId));
  if (!a || a.suspended || a.deletedAt) return null;
  return {
    kind: 'official',
    citizenId: null,
    accountId: to.accountId,
    dossierId: null,
    phone: nationalPhone(a.mobile) ?? nationalPhone(a.phone),
    email: emailAddress(a.emails?.split(';')[0]),
    off: await switchedOff(q, eq(notificationPreferences.accountId, to.accountId)),
  };
}

async function switchedOff(q: Queryable, owner: ReturnType<typeof eq>): Promise<Set<Channel>> {
  const rows = await q
    .select({ channel: notificationPreferences.channel })
    .from(notificationPreferences)
    .where(and(owner, eq(notificationPreferences.enabled, false)));
  return new Set(rows.map((r) => r.channel));
}

/** A Vietnamese mobile number in national form (0 + 9 digits) from what was typed (+84…, 84…, spaces, dots). */
export function nationalPhone(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let digits = raw.replace(/[\s.\-()]/g, '');
  if (digits.startsWith('+84')) digits = `0${digits.slice(3)}`;
  else if (/^84\d{9}$/.test(digits)) digits = `0${digits.slice(2)}`;
  return /^0[35789]\d{8}$/.test(digits) ? digits : null;
}

function emailAddress(raw: string | null | undefined): string | null {
  const v = raw?.trim();
  return v && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) && v.length <= 254 ? v : null;
}
