/**
 * A break-glass account ready to log in after the cutoff: named by the province administrator (setBreakGlass, the real
 * use case) and its code set up as its owner does on Mã xác thực khẩn cấp in a VNeID session — written here directly,
 * for tests about logging in; the set-up itself is tested through its page (tests/break-glass-enrolment.test.ts).
 * Returns the TOTP secret the owner's app holds.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';
import { accounts } from '../../src/db/schema/index.js';
import { setBreakGlass } from '../../src/cutover/set-break-glass.js';
import { newTotpSecret } from '../../src/auth/totp.js';
import type { StaffActor } from '../../src/shared/context.js';

export async function readyBreakGlass(db: Db, provinceAdmin: StaffActor, accountId: string, now = new Date()): Promise<string> {
  await setBreakGlass(db, provinceAdmin, accountId, true, now);
  const secret = newTotpSecret();
  const [acc] = await db.select({ personId: accounts.personId }).from(accounts).where(eq(accounts.id, accountId));
  // Set up by the account's own person, as the page requires (auth/totp.ts breakGlassCodeOpens).
  await db
    .update(accounts)
    .set({ totpSecret: secret, totpPersonId: acc?.personId ?? null, totpLastStep: null })
    .where(eq(accounts.id, accountId));
  return secret;
}
