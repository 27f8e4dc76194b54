/**
 * The `cccd` claim the provincial SSO gives an application about a citizen is the number the portal trusts
 * (citizen-dossiers.ts provenIdentity): an individual's, identified at level 2. An organisation's VNeID account
 * carries its owner's number (and a household business's tax code is that number): found by an attacker review,
 * the claim made the business's staff indistinguishable from the owner in an application keyed on `cccd`.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { citizens } from '../src/db/schema/index.js';
import { ssoAccount } from '../src/sso/account-claims.js';
import { useDemoApp } from './support/fixtures.js';

const t = useDemoApp();
const OWNER_CCCD = '001190012345';

async function citizen(values: Partial<typeof citizens.$inferInsert>) {
  const [row] = await t.database.db
    .insert(citizens)
    .values({ issuer: 'https://vneid.test', subject: crypto.randomUUID(), fullName: 'Trần Thị Mai Anh', loa: 2, ...values })
    .returning({ id: citizens.id });
  return row!.id;
}

const claimsOf = async (id: string) =>
  (await (await ssoAccount(t.database.db, id, { withToken: true }))!.claims()) as Record<string, unknown>;

describe('the cccd claim of a citizen’s login', () => {
  it('the organisation’s login does not carry its owner’s CCCD as the `cccd` claim, the owner’s own login does', async () => {
    const person = await citizen({ cccd: OWNER_CCCD, accountType: 1 });
    // A household business since 7/2025: its tax code is its owner's CCCD; VNeID also sends the owner's number.
    const business = await citizen({ cccd: OWNER_CCCD, accountType: 2, taxCode: OWNER_CCCD, businessName: 'Hộ kinh doanh Mai Anh' });
    expect((await claimsOf(person)).cccd).toBe(OWNER_CCCD);
    // An application granted `openid profile cccd` (not `citizen`) cannot tell these two logins apart by `cccd`: the
    // organisation's staff would be the owner in it.
    expect((await claimsOf(business)).cccd).toBeUndefined();
  });

  it('a level-1 login (number not verified in person) is not given `cccd` as if proven', async () => {
    const unverified = await citizen({ cccd: OWNER_CCCD, accountType: 1, loa: 1 });
    expect((await claimsOf(unverified)).cccd).toBeUndefined();
  });
});
