import { citizenActor } from '../shared/context.js';
import type { Db } from '../db/client.js';
import { citizens } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { ExternalIdentity } from '../auth/oidc/claims.js';
import type { SessionPolicy } from '../auth/sessions.js';
import type { RequestMeta } from '../shared/context.js';
import { createCitizenSession } from '../auth/sessions.js';
import { storableObject } from '../shared/text.js';

/**
 * A citizen or organisation logs in on the portal: their profile is created from the claims at the
 * first login and kept up to date after; it is found by (issuer, subject) — never by name or e-mail.
 */
export async function loginCitizen(
  db: Db,
  policy: SessionPolicy,
  issuer: string,
  id: ExternalIdentity,
  claims: Record<string, unknown>,
  meta: RequestMeta,
  now: Date,
) {
  return db.transaction(async (tx) => {
    const values = {
      issuer,
      subject: id.subject,
      techId: id.techId,
      accountType: id.accountType,
      cccd: id.cccd,
      fullName: id.fullName || id.businessName || id.subject,
      dateOfBirth: id.dateOfBirth,
      gender: id.gender,
      address: id.address,
      phone: id.phone,
      email: id.email,
      taxCode: id.taxCode,
      businessName: id.businessName,
      loa: id.loa,
      lastClaims: storableObject(claims),
      lastLoginAt: now,
    };
    const [citizen] = await tx
      .insert(citizens)
      .values(values)
      .onConflictDoUpdate({ target: [citizens.issuer, citizens.subject], set: { ...values, updatedAt: now } })
      .returning();
    const token = await createCitizenSession(tx, citizen!.id, policy, now, id.loa || null);
    await recordAudit(tx, {
      action: 'portal.login',
      actor: citizenActor(citizen!.id, meta),
      targetType: 'citizen',
      targetId: citizen!.id,
      data: {
        issuer,
        subject: id.subject,
        loa: id.loa,
        accountType: id.accountType,
        firstLogin: citizen!.createdAt.getTime() === citizen!.updatedAt.getTime(),
      },
    });
    return { token, citizen: citizen! };
  });
}
