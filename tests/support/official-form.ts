/**
 * An official's form (Quản lý người dùng → THÔNG TIN CÁN BỘ + THÔNG TIN XÁC THỰC) as the page fills it, and what
 * anyone can read off a person's card: the tests that type card data, verify it or re-bind an account share them.
 */
import { eq } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import { accountIdentities } from '../../src/db/schema/index.js';
import { formatDate } from '../../src/shared/dates.js';
import type { SimPerson } from '../../sim/population-types.js';
import { accountByUsername } from './fixtures.js';

/** What is printed on a person's card, typed as THÔNG TIN XÁC THỰC. */
export const cardOf = (p: SimPerson) => ({
  cardName: p.hoVaTen,
  dateOfBirth: formatDate(p.ngaySinh),
  gender: p.gioiTinh,
  cccd: p.soDinhDanh,
  issueDate: formatDate(p.ngayCap),
  issuePlace: p.noiCap,
});

/** The account, its stored claim, and the administrator's form of it as the page fills it, `over` typed on top. */
export async function officialFormOf(database: Database, username: string, over: Record<string, string> = {}) {
  const acc = (await accountByUsername(database, username))!;
  const [claim] = await database.db.select().from(accountIdentities).where(eq(accountIdentities.accountId, acc.id));
  return {
    acc,
    claim,
    form: {
      username: acc.username,
      middleName: acc.middleName,
      givenName: acc.givenName,
      unitId: acc.unitId,
      mobile: acc.mobile ?? '',
      emails: acc.emails ?? '',
      position: acc.position ?? '',
      cardName: claim?.fullName ?? '',
      dateOfBirth: formatDate(claim?.dateOfBirth),
      gender: claim?.gender ?? '',
      cccd: claim?.cccd ?? '',
      issueDate: formatDate(claim?.issueDate),
      issuePlace: claim?.issuePlace ?? '',
      ...over,
    },
  };
}
