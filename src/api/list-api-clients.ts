import { desc, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { accounts, apiClients } from '../db/schema/index.js';
import type { StaffActor } from '../shared/context.js';
import { keyActs, requireKeyReader } from './key-access.js';
import { cutoffForUnit } from '../auth/cutoff.js';

/** `cutoff`: stopped by the account's VNeID-only date, not carrying its holder's proof (key-access.ts keyActs). */
export type ApiKeyState = 'active' | 'expired' | 'revoked' | 'cutoff';

export type ApiKeyRow = {
  id: string;
  name: string;
  createdAt: Date;
  createdBy: string | null;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  state: ApiKeyState;
  /** Issued by the holder after a VNeID or SSO login, the account still theirs: acts after the VNeID-only date too. */
  provedHolder: boolean;
  /** The VNeID-only date ('YYYY-MM-DD') this key stops at, when it has one and the key does not carry the proof. */
  stopsOn: string | null;
};

/** An account's API keys, newest first, for its administrators and the official themself (key-access.ts). */
export async function listApiClients(db: Queryable, actor: StaffActor, accountId: string, now: Date) {
  const account = await requireKeyReader(db, actor, accountId);
  const cutoff = await cutoffForUnit(db, account.unitId);
  const rows = await db
    .select({ key: apiClients, creator: accounts.username })
    .from(apiClients)
    .leftJoin(accounts, eq(accounts.id, apiClients.createdBy))
    .where(eq(apiClients.accountId, account.id))
    .orderBy(desc(apiClients.createdAt));
  const keys: ApiKeyRow[] = rows.map(({ key, creator }) => ({
    id: key.id,
    name: key.name,
    createdAt: key.createdAt,
    createdBy: creator,
    expiresAt: key.expiresAt,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
    state: key.revokedAt
      ? 'revoked'
      : key.expiresAt.getTime() <= now.getTime()
        ? 'expired'
        : keyActs(key, account, cutoff, now)
          ? 'active'
          : 'cutoff',
    provedHolder: key.provedPersonId !== null && key.provedPersonId === account.personId,
    stopsOn: key.provedPersonId !== null && key.provedPersonId === account.personId ? null : cutoff,
  }));
  return { account, keys };
}
