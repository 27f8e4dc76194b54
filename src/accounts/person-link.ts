import { and, eq, ne, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { accounts, persons } from '../db/schema/index.js';
import { errors } from '../shared/errors.js';
import { foldVietnamese } from '../shared/text.js';

export type PersonFields = {
  fullName: string | null;
  dateOfBirth: string | null;
  gender: 'male' | 'female';
  cccd: string | null;
  issueDate: string | null;
  issuePlace: string | null;
  address: string | null;
};

type PersonRow = typeof persons.$inferSelect;

/** Fields whose change invalidates a registry verification (issue 3). */
const VERIFIED_FIELDS = ['fullName', 'dateOfBirth', 'gender', 'cccd', 'issueDate'] as const;

function identityChanged(before: PersonRow, after: PersonFields): boolean {
  return VERIFIED_FIELDS.some((k) => (before[k] ?? null) !== (after[k] ?? null));
}

async function otherAccountsOf(tx: Tx, personId: string, accountId: string | null): Promise<number> {
  const cond = accountId
    ? and(eq(accounts.personId, personId), ne(accounts.id, accountId))
    : eq(accounts.personId, personId);
  const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(accounts).where(cond);
  return row?.n ?? 0;
}

async function updatePerson(tx: Tx, before: PersonRow, f: PersonFields): Promise<PersonRow> {
  const [after] = await tx
    .update(persons)
    .set({ ...f, verifiedAt: identityChanged(before, f) ? null : before.verifiedAt, updatedAt: new Date() })
    .where(eq(persons.id, before.id))
    .returning();
  return after!;
}

/**
 * Decide which person an account belongs to, given the identity data typed for it.
 * One CCCD is one person: typing the CCCD of an existing person links the account to them
 * (one person, several accounts) — but only if name and date of birth agree.
 */
export async function resolvePerson(
  tx: Tx,
  current: PersonRow | null,
  accountId: string | null,
  f: PersonFields,
): Promise<{ person: PersonRow; before: PersonRow | null }> {
  if (f.cccd) {
    const [holder] = await tx.select().from(persons).where(eq(persons.cccd, f.cccd));
    if (holder && holder.id !== current?.id) {
      const sameName = holder.fullName && f.fullName && foldVietnamese(holder.fullName) === foldVietnamese(f.fullName);
      if (!sameName || holder.dateOfBirth !== f.dateOfBirth) throw errors.cccdTaken();
      return { person: await updatePerson(tx, holder, f), before: holder };
    }
  }
  if (current) {
    const shared = (await otherAccountsOf(tx, current.id, accountId)) > 0;
    // A shared person keeps its CCCD; typing another CCCD for one account splits it off.
    if (shared && current.cccd && f.cccd && current.cccd !== f.cccd) {
      const [created] = await tx.insert(persons).values(f).returning();
      return { person: created!, before: null };
    }
    return { person: await updatePerson(tx, current, f), before: current };
  }
  const [created] = await tx.insert(persons).values(f).returning();
  return { person: created!, before: null };
}

export function personAuditView(p: PersonRow | null) {
  if (!p) return null;
  return {
    fullName: p.fullName,
    dateOfBirth: p.dateOfBirth,
    gender: p.gender,
    cccd: p.cccd,
    issueDate: p.issueDate,
    issuePlace: p.issuePlace,
    address: p.address,
  };
}
