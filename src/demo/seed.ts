import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { accountIdentities, roleGrants, units } from '../db/schema/index.js';
import { createOfficial } from '../accounts/create-official.js';
import { hashPassword } from '../auth/passwords.js';
import { recordAudit } from '../audit/record.js';
import { systemActor } from '../shared/context.js';
import { formatDate } from '../shared/dates.js';
import { foldVietnamese } from '../shared/text.js';
import { DEMO_TREE, type DemoUnit } from './units.js';
import { demoOfficials } from './officials.js';
import { seedProcedures } from './procedures.js';

export type SeedResult = { seeded: boolean; unitIds: Record<string, string>; usernames: string[] };

/**
 * Load the demo tree and officials into an empty database (no units yet). Every demo account
 * gets `password`. Returns the unit ids by key (tests use them).
 */
export async function seedDemo(db: Db, password: string): Promise<SeedResult> {
  const passwordHash = await hashPassword(password);
  // All or nothing: a failure leaves an empty database, so the next start tries again.
  return db.transaction((tx) => seedInside(tx as unknown as Db, password, passwordHash));
}

/** Transaction-level advisory lock of the demo seed: instances starting together seed once (the migrations' is 7411002). */
const SEED_LOCK_KEY = 7411003;

async function seedInside(db: Db, password: string, passwordHash: string): Promise<SeedResult> {
  // Two instances starting on an empty database: the second waits here, then finds the units and stops.
  await db.execute(sql`select pg_advisory_xact_lock(${SEED_LOCK_KEY})`);
  const [{ n } = { n: 0 }] = await db.select({ n: sql<number>`count(*)::int` }).from(units);
  if (n > 0) return { seeded: false, unitIds: {}, usernames: [] };
  const actor = systemActor('demo-seed');
  const unitIds: Record<string, string> = {};
  await db.transaction(async (tx) => {
    const insert = async (u: DemoUnit, parentId: string | null, order: number) => {
      const [row] = await tx
        .insert(units)
        .values({
          parentId,
          name: u.name,
          shortName: u.shortName ?? null,
          agencyCode: u.agencyCode ?? null,
          kind: u.kind,
          sortOrder: order,
          nameFolded: foldVietnamese(u.name),
        })
        .returning({ id: units.id });
      unitIds[u.key] = row!.id;
      for (const [i, child] of (u.children ?? []).entries()) await insert(child, row!.id, i);
    };
    await insert(DEMO_TREE, null, 0);
    await seedProcedures(tx as unknown as Db, unitIds);
    await recordAudit(tx, {
      action: 'demo.seed_units',
      actor,
      unitId: unitIds.tinh!,
      data: { units: Object.keys(unitIds).length },
    });
  });
  const usernames: string[] = [];
  // One person holds two accounts (seed 000 Bước 7): the Đồng Xoài vice-chairman also works the one-stop desk.
  const officials = demoOfficials().flatMap((o) =>
    o.unitKey === 'dx-vp' && o.position === 'Phó Chủ tịch'
      ? [
          o,
          { ...o, username: `${o.username}.motcua`, position: 'Cán bộ một cửa', roles: [{ unitKey: 'dx-vp', role: 'reception' as const }] },
        ]
      : [o],
  );
  for (const o of officials) {
    const { account } = await createOfficial(
      db,
      actor,
      {
        username: o.username,
        middleName: o.middleName,
        givenName: o.givenName,
        unitId: unitIds[o.unitKey],
        position: o.position,
        mobile: o.mobile,
        emails: o.email,
        gender: o.gender,
        cardName: o.cccd ? `${o.middleName} ${o.givenName}` : null,
        dateOfBirth: formatDate(o.dateOfBirth),
        cccd: o.cccd,
        issueDate: o.cccd ? formatDate(o.issueDate) : null,
        issuePlace: o.cccd ? 'Cục Cảnh sát quản lý hành chính về trật tự xã hội' : null,
      },
      new Date(),
      { password, passwordHash },
    );
    // Demo officials marked verified are as if their unit's administrator had pressed Xác thực tài khoản VNEID.
    if (o.verified) {
      await db
        .update(accountIdentities)
        .set({ verifiedAt: new Date(), verifiedByAdmin: true })
        .where(eq(accountIdentities.accountId, account.id));
    }
    if (o.roles.length) {
      await db.insert(roleGrants).values(o.roles.map((r) => ({ accountId: account.id, unitId: unitIds[r.unitKey]!, role: r.role })));
    }
    usernames.push(o.username);
  }
  await db.transaction((tx) =>
    recordAudit(tx, {
      action: 'demo.seed_officials',
      actor,
      unitId: unitIds.tinh!,
      data: { accounts: usernames.length, grants: officials.reduce((n, o) => n + o.roles.length, 0) },
    }),
  );
  return { seeded: true, unitIds, usernames };
}
