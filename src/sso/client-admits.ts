/**
 * Whether an application admits a subject of an existing provider session: an official only from a unit inside one
 * of the units it is open to (none = all), a citizen only where it was registered with the citizen scope. The login
 * step (finish-login.ts) checks this when a login is made; provider.ts's loadExistingGrant asks it when a session
 * already exists, so a session opened at one application (or before the registry changed) does not reach another
 * that would refuse it — the authorization then goes through the login step, which refuses it and audits why.
 */
import type { Db } from '../db/client.js';
import { subtreeIds } from '../org/tree.js';
import { ssoSubject } from './account-claims.js';

export async function clientAdmits(db: Db, client: { unitIds: string[]; scopes: string[] }, accountId: string): Promise<boolean> {
  const subject = await ssoSubject(db, accountId);
  if (!subject) return false;
  if (subject.kind === 'citizen') return client.scopes.includes('citizen');
  return client.unitIds.length === 0 || (await subtreeIds(db, client.unitIds)).includes(subject.unitId);
}
