/**
 * WHICH ACCOUNTS ARE A PERSON'S — the one place that decides it. Read as sentences:
 * - A person exists only once an external identity login (VNeID, the provincial SSO) proved them.
 * - An account whose typed identity data matched the registry is a candidate of the person with that
 *   CCCD; it becomes one of the person's accounts only when the person, logged in with VNeID, accepts
 *   it (Đồng ý). The first VNeID login of a person with no account yet accepts by itself the one
 *   account an administrator of its unit verified.
 * - Only a session opened by such a login may switch, and only among the proven person's accounts
 *   whose own login rules it meets.
 * See docs/decisions/0010-accounts-and-persons.md.
 */
import { and, asc, eq, inArray, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import type { Db, Queryable, Tx } from '../db/client.js';
import { accountIdentities, accounts, auditLog, identityLinks, persons, sessions, units } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { RequestMeta } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import type { ExternalIdentity } from './oidc/claims.js';

/** Đồng ý, Từ chối, or Gỡ liên kết (of an account already the person's). */
export type LinkDecision = 'accept' | 'decline' | 'unlink';

/** What a session or a pending login knows about who is at the keyboard. */
export type IdentityProof = {
  personId: string;
  method: 'vneid' | 'sso';
  loa: number;
  /**
   * When the login proved the person, where that was before the session it opens: a login waiting for the person to
   * accept an account (pending-logins.ts). The session's login time is this, not the moment of the choice.
   */
  provedAt?: Date;
};

export type PersonRow = typeof persons.$inferSelect;
type AccountRow = typeof accounts.$inferSelect;

export const linkErrors = {
  notCandidate: () => errors.notFound('Tài khoản'),
  proofRequired: () =>
    new AppError(
      'identity_proof_required',
      'Chuyển tài khoản chỉ dùng được khi bạn đăng nhập bằng tài khoản VNeID. Vui lòng đăng xuất rồi đăng nhập bằng tài khoản VNEID.',
      403,
    ),
  loaTooLow: (min: number) =>
    new AppError(
      'loa_too_low',
      `Tài khoản này cần đăng nhập bằng tài khoản định danh điện tử mức độ ${min}. Vui lòng đăng xuất rồi đăng nhập lại bằng VNeID.`,
      403,
    ),
  suspended: () => new AppError('account_suspended', 'Tài khoản này đang bị tạm đình chỉ. Vui lòng liên hệ quản trị đơn vị.', 403),
};

/**
 * The person an external identity proves: by the provider's (issuer, subject) link, else by the
 * CCCD the provider vouches for (created at the first login). Null when the provider sent no CCCD,
 * or the link names a person with another CCCD. Only VNeID, the national identity, names the person:
 * the provincial SSO may find or create them at the officials' level but never renames them.
 */
export async function personForIdentity(
  tx: Tx,
  provider: { key: 'vneid' | 'sso'; issuer: string },
  id: ExternalIdentity,
  now: Date,
): Promise<PersonRow | null> {
  const issuer = provider.issuer;
  const [link] = await tx
    .select()
    .from(identityLinks)
    .where(and(eq(identityLinks.issuer, issuer), eq(identityLinks.subject, id.subject)));
  let person: PersonRow | undefined;
  if (link) {
    [person] = await tx.select().from(persons).where(eq(persons.id, link.personId));
    if (!person || (id.cccd && person.cccd !== id.cccd)) return null;
  } else {
    if (!id.cccd) return null;
    [person] = await tx.select().from(persons).where(eq(persons.cccd, id.cccd));
    if (!person) {
      // Concurrent first logins of one person: the unique CCCD lets one insert win, the other reads it.
      await tx
        .insert(persons)
        .values({ cccd: id.cccd, fullName: id.fullName, dateOfBirth: id.dateOfBirth, gender: id.gender })
        .onConflictDoNothing();
      [person] = await tx.select().from(persons).where(eq(persons.cccd, id.cccd));
    }
    await tx.insert(identityLinks).values({ issuer, subject: id.subject, personId: person!.id }).onConflictDoNothing();
  }
  let fresh = person!;
  if (provider.key === 'vneid') {
    const [renamed] = await tx
      .update(persons)
      .set({
        fullName: id.fullName || person!.fullName,
        dateOfBirth: id.dateOfBirth ?? person!.dateOfBirth,
        gender: id.gender ?? person!.gender,
        updatedAt: now,
      })
      .where(eq(persons.id, person!.id))
      .returning();
    if (renamed) fresh = renamed;
  }
  await tx
    .update(identityLinks)
    .set({ lastLoginAt: now })
    .where(and(eq(identityLinks.issuer, issuer), eq(identityLinks.subject, id.subject)));
  return fresh;
}

/** The person's confirmed, live accounts, most recently used first. */
export async function confirmedAccounts(db: Queryable, personId: string): Promise<AccountRow[]> {
  return (
    db
      .select()
      .from(accounts)
      .where(and(eq(accounts.personId, personId), isNull(accounts.deletedAt)))
      // Where the person went last by VNeID; a password login into the account (by anyone) does not count.
      .orderBy(
        sql`${accounts.identityUsedAt} desc nulls last`,
        sql`${accounts.personLinkedAt} desc nulls last`,
        asc(accounts.usernameLower),
      )
  );
}

/** What the pages show of an account: who and which post. */
const ACCOUNT_CARD = {
  id: accounts.id,
  username: accounts.username,
  middleName: accounts.middleName,
  givenName: accounts.givenName,
  position: accounts.position,
};

export type Candidate = {
  id: string;
  username: string;
  name: string;
  position: string | null;
  unitName: string;
  suspended: boolean;
  createdAt: Date;
  createdBy: string | null;
  verifiedAt: Date;
  verifiedBy: string | null;
  verifiedByAdmin: boolean;
};

/** Live accounts whose registry-verified data name this person, not yet accepted or refused by them. */
export async function candidateAccounts(db: Queryable, person: Pick<PersonRow, 'cccd'>): Promise<Candidate[]> {
  const rows = await db
    .select({
      ...ACCOUNT_CARD,
      suspended: accounts.suspended,
      createdAt: accounts.createdAt,
      unitName: units.name,
      verifiedAt: accountIdentities.verifiedAt,
      verifiedBy: accountIdentities.verifiedBy,
      verifiedByAdmin: accountIdentities.verifiedByAdmin,
    })
    .from(accountIdentities)
    .innerJoin(accounts, eq(accounts.id, accountIdentities.accountId))
    .innerJoin(units, eq(units.id, accounts.unitId))
    .where(
      and(
        eq(accountIdentities.cccd, person.cccd),
        isNotNull(accountIdentities.verifiedAt),
        isNull(accountIdentities.declinedAt),
        isNull(accounts.personId),
        isNull(accounts.deletedAt),
      ),
    )
    .orderBy(asc(accounts.createdAt), asc(accounts.usernameLower));
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  // Who created each account, from the audit log (the account table keeps no author).
  const created = await db
    .select({ targetId: auditLog.targetId, actorLabel: auditLog.actorLabel })
    .from(auditLog)
    .where(and(eq(auditLog.targetType, 'account'), inArray(auditLog.targetId, ids), eq(auditLog.action, 'account.create')));
  const verifierIds = [...new Set(rows.map((r) => r.verifiedBy).filter((v): v is string => !!v))];
  const verifiers = verifierIds.length
    ? await db.select({ id: accounts.id, username: accounts.username }).from(accounts).where(inArray(accounts.id, verifierIds))
    : [];
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    name: `${r.middleName} ${r.givenName}`,
    position: r.position,
    unitName: r.unitName,
    suspended: r.suspended,
    createdAt: r.createdAt,
    createdBy: created.find((c) => c.targetId === r.id)?.actorLabel ?? null,
    verifiedAt: r.verifiedAt!,
    verifiedBy: verifiers.find((v) => v.id === r.verifiedBy)?.username ?? null,
    verifiedByAdmin: r.verifiedByAdmin,
  }));
}

/** The person, the accounts waiting for their Đồng ý / Từ chối, and those already theirs (Liên kết tài khoản). */
export async function linkRequestsOf(db: Queryable, personId: string) {
  const [person] = await db.select().from(persons).where(eq(persons.id, personId));
  if (!person) return { person: null, candidates: [], confirmed: [] };
  const confirmed = await db
    .select({
      ...ACCOUNT_CARD,
      unitName: units.name,
      linkedAt: accounts.personLinkedAt,
      linkedHow: accounts.personLinkedHow,
    })
    .from(accounts)
    .innerJoin(units, eq(units.id, accounts.unitId))
    .where(and(eq(accounts.personId, person.id), isNull(accounts.deletedAt)))
    .orderBy(asc(accounts.usernameLower));
  return {
    person,
    candidates: await candidateAccounts(db, person),
    confirmed: confirmed.map((a) => ({ ...a, name: `${a.middleName} ${a.givenName}` })),
  };
}

/** The rules an account's own login would apply to an identity login at this level. */
export function identityLoginRefusal(account: Pick<AccountRow, 'suspended' | 'deletedAt'>, loa: number, minLoa: number): AppError | null {
  if (account.deletedAt) return linkErrors.notCandidate();
  if (account.suspended) return linkErrors.suspended();
  if (loa < minLoa) return linkErrors.loaTooLow(minLoa);
  return null;
}

function personLabel(person: PersonRow) {
  return `${person.fullName ?? ''} (VNeID ${person.cccd.slice(0, 3)}******${person.cccd.slice(-3)})`.trim();
}

/**
 * Đồng ý / Từ chối: the proven person accepts a candidate as one of their accounts, or refuses it.
 * The candidate is re-read under a row lock, so a change of its data in between wins.
 */
export async function decideLink(
  db: Db,
  proof: IdentityProof,
  accountId: string,
  decision: LinkDecision,
  meta: RequestMeta,
  now: Date,
  how: 'confirmed' | 'first_login' = 'confirmed',
): Promise<AccountRow> {
  return db.transaction((tx) => decideLinkIn(tx, proof, accountId, decision, meta, how, now));
}

async function decideLinkIn(
  tx: Tx,
  proof: IdentityProof,
  accountId: string,
  decision: LinkDecision,
  meta: RequestMeta,
  how: 'confirmed' | 'first_login',
  now: Date,
): Promise<AccountRow> {
  const [person] = await tx.select().from(persons).where(eq(persons.id, proof.personId));
  if (!person) throw linkErrors.notCandidate();
  // Account first, then claim: the order every save of an account takes them (update-official, verify-official-form
  // lock the account, then saving the claim locks the claim), so the two never deadlock.
  const [acc] = await tx.select().from(accounts).where(eq(accounts.id, accountId)).for('update');
  const [identity] = acc ? await tx.select().from(accountIdentities).where(eq(accountIdentities.accountId, accountId)).for('update') : [];
  if (!identity || !acc || acc.deletedAt) throw linkErrors.notCandidate();
  const row = { account: acc, identity };
  const ok =
    decision === 'unlink'
      ? row.account.personId === person.id
      : row.account.personId === null &&
        row.identity.cccd === person.cccd &&
        row.identity.verifiedAt !== null &&
        row.identity.declinedAt === null;
  if (!ok) throw linkErrors.notCandidate();
  let account: AccountRow = row.account;
  if (decision === 'unlink') {
    // Gỡ liên kết: out of the person's accounts, and not offered again until its CCCD changes.
    const [left] = await tx
      .update(accounts)
      .set({ personId: null, personLinkedAt: null, personLinkedHow: null })
      .where(eq(accounts.id, accountId))
      .returning();
    account = left!;
    await tx.update(accountIdentities).set({ declinedAt: now }).where(eq(accountIdentities.accountId, accountId));
    await tx
      .update(sessions)
      .set({ personId: null, loa: null })
      .where(and(eq(sessions.accountId, accountId), eq(sessions.personId, person.id)));
  } else if (decision === 'accept') {
    const [linked] = await tx
      .update(accounts)
      .set({ personId: person.id, personLinkedAt: now, personLinkedHow: how })
      .where(eq(accounts.id, accountId))
      .returning();
    account = linked!;
  } else {
    await tx.update(accountIdentities).set({ declinedAt: now }).where(eq(accountIdentities.accountId, accountId));
  }
  await recordAudit(tx, {
    action: { accept: 'identity.link_confirmed', decline: 'identity.link_declined', unlink: 'identity.link_removed' }[decision],
    actor: { kind: 'person', id: person.id, label: personLabel(person), meta },
    targetType: 'account',
    targetId: accountId,
    unitId: row.account.unitId,
    data: { personId: person.id, method: proof.method, loa: proof.loa, how, username: row.account.username },
  });
  return account;
}

/** The accounts a session may switch to: none without a proven person, else the person's other accounts. */
export async function switchableAccounts(db: Queryable, proof: IdentityProof | null, currentAccountId: string) {
  if (!proof) return [];
  return db
    .select(ACCOUNT_CARD)
    .from(accounts)
    .where(
      and(
        eq(accounts.personId, proof.personId),
        ne(accounts.id, currentAccountId),
        isNull(accounts.deletedAt),
        eq(accounts.suspended, false),
      ),
    )
    .orderBy(asc(accounts.usernameLower));
}
