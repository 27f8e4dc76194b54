/**
 * A dossier's history as officials read it: each dossier_events row with the full name and position of the account
 * that acted and of the one it stood in for, joined at read time from accounts (the row keeps what was stored: the
 * usernames of then). presenters.ts eventActorLabel writes them; the citizen's history does not read this.
 */
import { asc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Queryable } from '../db/client.js';
import { accounts, dossierEvents } from '../db/schema/index.js';

/** An account as a history row names it. */
export type HistoryPerson = { fullName: string; position: string | null };
export type HistoryRow = typeof dossierEvents.$inferSelect & { actor: HistoryPerson | null; onBehalf: HistoryPerson | null };

const actorAccount = alias(accounts, 'actor_account');
const onBehalfAccount = alias(accounts, 'on_behalf_account');

const person = (middleName: string | null, givenName: string | null, position: string | null): HistoryPerson | null =>
  givenName === null ? null : { fullName: `${middleName ?? ''} ${givenName}`.trim(), position: position?.trim() || null };

export async function dossierHistory(db: Queryable, dossierId: string): Promise<HistoryRow[]> {
  const rows = await db
    .select({
      event: dossierEvents,
      actorMiddle: actorAccount.middleName,
      actorGiven: actorAccount.givenName,
      actorPosition: actorAccount.position,
      onBehalfMiddle: onBehalfAccount.middleName,
      onBehalfGiven: onBehalfAccount.givenName,
      onBehalfPosition: onBehalfAccount.position,
    })
    .from(dossierEvents)
    // Only officials' and API rows name an account (a citizen's actor id is a citizen's).
    .leftJoin(actorAccount, sql`${dossierEvents.actorKind} in ('official', 'api') and ${actorAccount.id} = ${dossierEvents.actorId}`)
    .leftJoin(onBehalfAccount, eq(onBehalfAccount.id, dossierEvents.onBehalfOf))
    .where(eq(dossierEvents.dossierId, dossierId))
    .orderBy(asc(dossierEvents.id));
  return rows.map((r) => ({
    ...r.event,
    actor: person(r.actorMiddle, r.actorGiven, r.actorPosition),
    onBehalf: person(r.onBehalfMiddle, r.onBehalfGiven, r.onBehalfPosition),
  }));
}
