/**
 * WHOSE IN-APP NOTICES AND PREFERENCES — the one place it is decided. Read as sentences:
 * - An in-app notice (a `notifications` row on channel 'inapp') is its recipient's: the portal citizen it names, or
 *   the official's account it names. Nobody else lists it, opens it or marks it read: another person's notice
 *   answers exactly like a missing one.
 * - A notice links its dossier only when its owner may open that dossier: a citizen by citizen-dossiers.ts's rule,
 *   an official by dossiers/access.ts's (own positions). Otherwise it shows its text alone.
 * - A person's preferences switch their external channels (Zalo, SMS, e-mail) on or off; in-app notices are always
 *   on, so the one place a person reads what happened never goes quiet. recipients.ts applies what they saved.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import { notificationPreferences, notifications, type citizens } from '../db/schema/index.js';
import { positionsCte, VISIBLE_THROUGH_POSITIONS } from '../dossiers/access.js';
import { citizenDossiersWhere } from '../portal/citizen-dossiers.js';
import type { CitizenActor, StaffActor } from '../shared/context.js';
import { EXTERNAL_CHANNELS } from './channels.js';

export type NoticeOwner = { kind: 'citizen'; citizenId: string } | { kind: 'official'; accountId: string };

/** What the one rule of a citizen's dossiers needs (citizen-dossiers.ts): the session's row has it. */
type CitizenFacts = Pick<typeof citizens.$inferSelect, 'id' | 'accountType' | 'cccd' | 'taxCode' | 'loa'>;

/** Who reads notices: a citizen (with what decides their dossiers) or an official's account. */
export type NoticeReader = { kind: 'citizen'; citizen: CitizenFacts } | { kind: 'official'; accountId: string };

export function ownerOfReader(r: NoticeReader): NoticeOwner {
  return r.kind === 'citizen' ? { kind: 'citizen', citizenId: r.citizen.id } : { kind: 'official', accountId: r.accountId };
}

/**
 * How a notice list reaches its dossiers: `dossiers` joined only where the reader may open them (the joined row is
 * null otherwise), with the CTE the rule needs. The notices are `notifications`; the joined dossier is named `linked`.
 */
export function linkedDossiers(r: NoticeReader): { with: SQL; join: SQL } {
  if (r.kind === 'citizen') {
    // citizen-dossiers.ts writes its condition on the table's own name: joined as `dossiers`, then named.
    return {
      with: sql``,
      join: sql`left join (select dossiers.id, dossiers.code from dossiers where ${citizenDossiersWhere(r.citizen)}) linked on linked.id = notifications.dossier_id`,
    };
  }
  return {
    with: sql`with recursive ${positionsCte(sql`${r.accountId}::uuid`)} `,
    join: sql`left join (select d.id, d.code from dossiers d where ${VISIBLE_THROUGH_POSITIONS}) linked on linked.id = notifications.dossier_id`,
  };
}

/** The owner a session acts as: a citizen, or the official's own account (never a delegator's: notices are personal). */
export function ownerOf(actor: CitizenActor | StaffActor): NoticeOwner {
  return actor.kind === 'citizen' ? { kind: 'citizen', citizenId: actor.citizenId } : { kind: 'official', accountId: actor.accountId };
}

/**
 * The owner's in-app notices, on the table `notifications` (partial indexes notifications_inapp_citizen_idx /
 * _account_idx: 'inapp' is written as a literal so the planner matches them in a prepared statement too).
 */
export function ownNotices(owner: NoticeOwner): SQL {
  const who = owner.kind === 'citizen' ? eq(notifications.citizenId, owner.citizenId) : eq(notifications.accountId, owner.accountId);
  return sql`(${notifications.channel} = 'inapp' and ${who})`;
}

/** The owner's preference rows. */
export function ownPreferences(owner: NoticeOwner): SQL {
  return owner.kind === 'citizen'
    ? eq(notificationPreferences.citizenId, owner.citizenId)
    : eq(notificationPreferences.accountId, owner.accountId);
}

/** What a person may switch off: every external channel; in-app is always on. */
export const SWITCHABLE = EXTERNAL_CHANNELS;
