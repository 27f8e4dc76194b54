/**
 * WHAT THE PROVINCIAL SSO TELLS AN APPLICATION about whoever logged in: the subject is the official's account id
 * or the citizen's id, and the claims by scope (provider.ts lists which claim belongs to which scope; the
 * provider hands out only those of scopes the client may ask for and was granted):
 *   profile   name, family_name, given_name
 *   cccd      cccd — an official's only when a VNeID login bound the account to its person; a citizen's only for an
 *             individual identified at level 2 (never an organisation's: VNeID sends its owner's number)
 *   official  username, unit_code, unit_name, unit_path (root first), roles [{ role, unit_id, unit_code }]
 *   citizen   citizen_type (individual | organisation), tax_code
 * A suspended or deleted account, or an unknown subject, is no account: its tokens stop working.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import { queryStatement, type Db } from '../db/client.js';
import { accounts, citizens, persons, roleGrants, units } from '../db/schema/index.js';
import { provenIdentity } from '../portal/citizen-dossiers.js';
import { subjectOnce, takeAccountReadAhead } from './provider-request.js';

export const SCOPE_CLAIMS = {
  profile: ['name', 'family_name', 'given_name'],
  cccd: ['cccd'],
  official: ['username', 'unit_code', 'unit_name', 'unit_path', 'roles'],
  citizen: ['citizen_type', 'tax_code'],
} as const;

export type SsoSubject = { kind: 'official'; accountId: string; unitId: string; username: string } | { kind: 'citizen'; citizenId: string };

type Claims = Record<string, unknown> & { sub: string };

/** An account's or citizen's id as PostgreSQL prints a uuid (also checked in SQL by the adapter's token read). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The live account, or else the citizen, with this id: one prepared statement (asked on every authorization and token request). */
const SUBJECT = () => sql`
  select * from (
    select 'official' as kind, a.id, a.unit_id, a.username from ${accounts} a
     where a.id = ${sql.placeholder('id')} and not a.suspended and a.deleted_at is null
    union all
    select 'citizen' as kind, c.id, null, null from ${citizens} c where c.id = ${sql.placeholder('id')}
  ) s order by kind desc limit 1`;

export function ssoSubject(db: Db, sub: string): Promise<SsoSubject | null> {
  if (!UUID.test(sub)) return Promise.resolve(null);
  return subjectOnce(sub, () => readSubject(db, sub));
}

async function readSubject(db: Db, sub: string): Promise<SsoSubject | null> {
  const [row] = await queryStatement<{ kind: 'official' | 'citizen'; id: string; unit_id: string | null; username: string | null }>(
    db,
    'sso:subject',
    SUBJECT,
    {
      id: sub,
    },
  );
  if (!row) return null;
  return row.kind === 'official'
    ? { kind: 'official', accountId: row.id, unitId: row.unit_id!, username: row.username! }
    : { kind: 'citizen', citizenId: row.id };
}

/**
 * A live official's claims as one row (asked on every token request for the ID token, and by userinfo): the account,
 * its unit, the unit's path (root first, at most 64 levels as org/tree.ts walks it) and the roles. `id` is the
 * account's id: a placeholder, or a column of an enclosing statement (the adapter reads a token with its official's
 * claims in one statement, adapter.ts).
 */
export const officialClaimsQuery = (id: SQL) => sql`
  with recursive up(id, parent_id, depth) as (
    select u.id, u.parent_id, 0 from ${accounts} a join ${units} u on u.id = a.unit_id where a.id = ${id}
    union all
    select u.id, u.parent_id, up.depth + 1 from ${units} u join up on u.id = up.parent_id where up.depth < 64
  )
  select a.id, a.username, a.middle_name, a.given_name, p.cccd, u.name as unit_name, u.agency_code as unit_code,
    (select coalesce(json_agg(x.name order by up.depth desc), '[]'::json) from up join ${units} x on x.id = up.id) as unit_path,
    (select coalesce(json_agg(json_build_object('role', g.role, 'unit_id', g.unit_id, 'unit_code', gu.agency_code)
                              order by g.role, g.unit_id), '[]'::json)
       from ${roleGrants} g join ${units} gu on gu.id = g.unit_id where g.account_id = a.id) as roles
  from ${accounts} a join ${units} u on u.id = a.unit_id left join ${persons} p on p.id = a.person_id
  where a.id = ${id} and not a.suspended and a.deleted_at is null`;

const OFFICIAL_CLAIMS = () => officialClaimsQuery(sql`${sql.placeholder('id')}`);

export type OfficialRow = {
  id: string;
  username: string;
  middle_name: string;
  given_name: string;
  cccd: string | null;
  unit_name: string;
  unit_code: string;
  unit_path: string[];
  roles: Array<{ role: string; unit_id: string; unit_code: string }>;
};

function officialClaimsOf(row: OfficialRow): Claims {
  return {
    sub: row.id,
    name: `${row.middle_name} ${row.given_name}`.trim(),
    family_name: row.middle_name,
    given_name: row.given_name,
    ...(row.cccd ? { cccd: row.cccd } : {}),
    username: row.username,
    unit_code: row.unit_code,
    unit_name: row.unit_name,
    unit_path: row.unit_path,
    roles: row.roles,
  };
}

async function officialClaims(db: Db, accountId: string): Promise<Claims | null> {
  const [row] = await queryStatement<OfficialRow>(db, 'sso:official-claims', OFFICIAL_CLAIMS, { id: accountId });
  return row ? officialClaimsOf(row) : null;
}

async function citizenClaims(db: Db, citizenId: string): Promise<Claims | null> {
  const [c] = await db.select().from(citizens).where(eq(citizens.id, citizenId));
  if (!c) return null;
  const organisation = c.accountType === 2;
  // `cccd` is a person's number as the portal trusts it (provenIdentity: an individual's, at level 2). Not an
  // organisation's: VNeID sends its owner's number, and a household business's tax code is that number too — an
  // application keyed on `cccd` would take the business's staff for the owner (an attacker review's finding).
  const proven = provenIdentity(c);
  return {
    sub: c.id,
    name: organisation ? (c.businessName ?? c.fullName) : c.fullName,
    ...(proven?.kind === 'cccd' ? { cccd: proven.number } : {}),
    citizen_type: organisation ? 'organisation' : 'individual',
    ...(c.taxCode ? { tax_code: c.taxCode } : {}),
  };
}

/**
 * The account oidc-provider's findAccount asks for (on every token, userinfo and authorization request): a live
 * official's claims in one statement, else the citizen's; undefined for anyone else (their tokens stop working).
 * With a token the claims come with the token's own read (provider-request.ts) and are used once, not read again when
 * the ID token is made; a token request without that read reads them here, and no claims means no account. Without a
 * token — an authorization, which issues a code and no ID token — who the subject is decides whether there is an
 * account (the lookup the login audit and the unit check share, once a request); the claims are read only if asked.
 */
export async function ssoAccount(
  db: Db,
  sub: string,
  opts: { withToken: boolean },
): Promise<{ accountId: string; claims: () => Promise<Claims> } | undefined> {
  if (!UUID.test(sub)) return undefined;
  // Read with this request's token, if it was one: null is "no live official".
  const ahead = takeAccountReadAhead(sub);
  if (ahead !== undefined || opts.withToken) {
    const official = ahead === undefined ? await officialClaims(db, sub) : ahead && officialClaimsOf(ahead);
    const claims = official ?? (await citizenClaims(db, sub));
    return claims ? { accountId: sub, claims: async () => claims } : undefined;
  }
  const subject = await ssoSubject(db, sub);
  if (!subject) return undefined;
  let read: Promise<Claims | null> | undefined;
  return {
    accountId: sub,
    claims: async () => {
      read ??= subject.kind === 'official' ? officialClaims(db, sub) : citizenClaims(db, sub);
      // Gone since the lookup above (suspended in between; nothing is issued from an authorization's claims today).
      return (await read) ?? { sub };
    },
  };
}
