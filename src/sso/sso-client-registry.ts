/**
 * Quản trị → Ứng dụng kết nối SSO, what the province administrator reads: the registered applications, one
 * application with the units it is open to, and its recent logins (the sso.login / sso.login_refused audit rows).
 * Anyone else is told the page does not exist (404), as for Hàng đợi. The changes are use cases of their own
 * (register-, update-, rotate-, revoke-sso-client-secret, set-sso-client-enabled); they lock the row through
 * clientForChange.
 */
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { accounts, auditLog, ssoClients, units } from '../db/schema/index.js';
import { isProvinceAdministrator } from '../accounts/policies.js';
import type { StaffActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';

export type SsoClientRow = typeof ssoClients.$inferSelect;

/** The client ids this system issues (sso_ + 16 base64url characters) and any other sane one; else a 404. */
const CLIENT_ID = /^[A-Za-z0-9_.-]{1,100}$/;

const notFoundClient = () => errors.notFound('Ứng dụng kết nối SSO');

/** Which secret is the current one, without saying anything of it: a rotation or revocation form names it. */
export const secretVersion = (row: Pick<SsoClientRow, 'secretHash'>) => (row.secretHash ? row.secretHash.slice(0, 16) : 'none');

async function requireProvinceAdministrator(db: Queryable, actor: StaffActor): Promise<void> {
  if (!(await isProvinceAdministrator(db, actor))) throw errors.notFound('Trang');
}

async function unitNames(db: Queryable, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select({ id: units.id, name: units.name }).from(units).where(inArray(units.id, ids));
  return new Map(rows.map((u) => [u.id, u.name]));
}

export type SsoClientListItem = SsoClientRow & { unitNames: string[] };

export async function listSsoClients(db: Db, actor: StaffActor): Promise<SsoClientListItem[]> {
  await requireProvinceAdministrator(db, actor);
  const rows = await db.select().from(ssoClients).orderBy(desc(ssoClients.createdAt), ssoClients.clientId);
  const names = await unitNames(db, [...new Set(rows.flatMap((r) => r.unitIds))]);
  return rows.map((r) => ({ ...r, unitNames: r.unitIds.map((id) => names.get(id) ?? id) }));
}

/** One recent login at the application: who (the account handed over, or a citizen), the level, a refusal's reason. */
export type SsoLoginRow = {
  at: Date;
  refused: boolean;
  kind: 'official' | 'citizen' | 'other';
  username: string | null;
  fullName: string | null;
  acr: string | null;
  reason: string | null;
};

export const RECENT_LOGINS = 50;

export async function getSsoClient(
  db: Db,
  actor: StaffActor,
  clientId: string,
): Promise<{ client: SsoClientListItem; createdBy: string | null; logins: SsoLoginRow[] }> {
  await requireProvinceAdministrator(db, actor);
  if (!CLIENT_ID.test(clientId)) throw notFoundClient();
  const [row] = await db.select().from(ssoClients).where(eq(ssoClients.clientId, clientId));
  if (!row) throw notFoundClient();
  const names = await unitNames(db, row.unitIds);
  const audit = await db
    .select({ at: auditLog.at, action: auditLog.action, actorKind: auditLog.actorKind, actorId: auditLog.actorId, data: auditLog.data })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.targetType, 'sso_client'),
        eq(auditLog.targetId, clientId),
        inArray(auditLog.action, ['sso.login', 'sso.login_refused']),
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(RECENT_LOGINS);
  // The account the application received: the one chosen (Chọn tài khoản), else the session's.
  const accountOf = (a: (typeof audit)[number]) =>
    a.actorKind === 'official' ? (typeof a.data.chosenAccountId === 'string' ? a.data.chosenAccountId : a.actorId) : null;
  const ids = [...new Set(audit.map(accountOf).filter((id): id is string => !!id))];
  const people = new Map(
    ids.length === 0
      ? []
      : (
          await db
            .select({ id: accounts.id, username: accounts.username, middleName: accounts.middleName, givenName: accounts.givenName })
            .from(accounts)
            .where(inArray(accounts.id, ids))
        ).map((a) => [a.id, a]),
  );
  const creator = row.createdBy
    ? (await db.select({ username: accounts.username }).from(accounts).where(eq(accounts.id, row.createdBy)))[0]
    : undefined;
  return {
    client: { ...row, unitNames: row.unitIds.map((id) => names.get(id) ?? id) },
    createdBy: creator?.username ?? null,
    logins: audit.map((a) => {
      const id = accountOf(a);
      const person = id ? people.get(id) : undefined;
      return {
        at: a.at,
        refused: a.action === 'sso.login_refused',
        kind: a.actorKind === 'official' ? 'official' : a.actorKind === 'citizen' ? 'citizen' : 'other',
        username: person?.username ?? null,
        fullName: person ? `${person.middleName} ${person.givenName}`.trim() : null,
        acr: typeof a.data.acr === 'string' ? a.data.acr : null,
        reason: typeof a.data.reason === 'string' ? a.data.reason : null,
      };
    }),
  };
}

/**
 * Inside a change's transaction: the province administrator's check, then the application's row locked for the
 * change (a second change of the same application waits, then sees the first's result).
 */
export async function clientForChange(tx: Queryable, actor: StaffActor, clientId: string): Promise<SsoClientRow> {
  if (!(await isProvinceAdministrator(tx, actor))) throw errors.forbidden();
  if (!CLIENT_ID.test(clientId)) throw notFoundClient();
  const [row] = await tx.select().from(ssoClients).where(eq(ssoClients.clientId, clientId)).for('update');
  if (!row) throw notFoundClient();
  return row;
}
