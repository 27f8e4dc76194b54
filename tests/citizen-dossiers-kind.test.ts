/**
 * A number is a CCCD or a tax code (src/portal/citizen-dossiers.ts): since 7/2025 a household business's tax code is
 * its owner's CCCD, the same 12 digits. An organisation's account (used by its staff) whose tax code is a person's CCCD
 * must not list or open that person's dossiers, nor the person the organisation's; each still sees its own. And
 * migration 0060 marks the dossiers an organisation submitted before it as 'tax_code'.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { Client } from './support/app.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { receiveAtCounter } from './support/reception.js';
import { citizens, dossiers } from '../src/db/schema/index.js';
import { MIGRATIONS_DIR } from '../src/db/client.js';
import { readMigrations } from '../src/db/migrate.js';
import { createCitizenSession } from '../src/auth/sessions.js';
import { PORTAL_COOKIE } from '../src/portal/citizen-context.js';
import { citizenActor } from '../src/shared/context.js';
import { uploadPersonalFile } from '../src/personal-files/upload-personal-file.js';
import { citizenDossiersWhere, requireCitizenDossier } from '../src/portal/citizen-dossiers.js';
import { dossierCounts, listMyDossiers } from '../src/portal/my-dossiers.js';
import { readMyData } from '../src/portal/my-data.js';
import { sendSubmission } from './support/portal-citizen.js';

const t = useDemoApp();
const QUOTA = { quotaBytes: 50 * 1024 * 1024, quotaFiles: 200, uploadDailyBytes: 100 * 1024 * 1024 };
const POLICY = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };

/** The owner's CCCD, and since 7/2025 the tax code of their household business. */
const NUMBER = '001190012345';

type Account = { id: string; client: Client; csrf?: string };

/** A level-2 VNeID account with a portal session: a person (their CCCD) or an organisation (its tax code). */
async function account(kind: 'person' | 'organisation'): Promise<Account> {
  const [row] = await t.database.db
    .insert(citizens)
    .values({
      issuer: 'https://vneid.test',
      subject: crypto.randomUUID(),
      loa: 2,
      ...(kind === 'person'
        ? { accountType: 1, cccd: NUMBER, fullName: 'Trần Thị Mai Anh', dateOfBirth: '1990-04-12', gender: 'female' as const }
        : // The staff member logged in for the business: their own CCCD is another one.
          { accountType: 2, cccd: '079088001122', fullName: 'Phạm Văn Bình', taxCode: NUMBER, businessName: 'Hộ kinh doanh Mai Anh' }),
    })
    .returning({ id: citizens.id });
  const client = new Client(t.app);
  client.cookies.set(PORTAL_COOKIE, await createCitizenSession(t.database.db, row!.id, POLICY, new Date()));
  return { id: row!.id, client };
}

const pdf = (text: string) => new File([Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`)], `${text}.pdf`, { type: 'application/pdf' });

/** Nộp hồ sơ on the portal, as the browser posts it; `onBehalf`: for another person, who is then the applicant. */
async function submitOnline(a: Account, onBehalf = false) {
  const proc = await currentProcedure(t.database, '2.000633');
  const picked = await uploadPersonalFile(
    t.database.db,
    citizenActor(a.id, { ip: null, requestId: null }),
    { file: { name: 'dang-ky.pdf', bytes: new Uint8Array(Buffer.from(`%PDF-1.4\n% ${crypto.randomUUID()}\n%%EOF\n`)) } },
    QUOTA,
    new Date(),
  );
  const form = new FormData();
  a.csrf ??= await a.client.csrf(`/ca-nhan/nop-ho-so?thutuc=${proc.p.id}`);
  form.set('_csrf', a.csrf);
  form.set('procedureId', proc.p.id);
  form.set('submissionKey', crypto.randomUUID());
  // again: a second dossier of the same procedure is meant (the form asks otherwise).
  const fields: Record<string, string> = {
    do: 'submit',
    again: '1',
    phone: '0912 345 678',
    address: 'Số 1 đường Thử, phường Tân Phú',
    pick1: picked.id,
  };
  if (onBehalf) {
    Object.assign(fields, {
      onBehalf: '1',
      principalName: 'Lê Văn Phúc',
      principalCccd: NUMBER,
      principalDateOfBirth: '1985-02-03',
      principalGender: 'male',
    });
  }
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('doc0', pdf('don-de-nghi'));
  form.set('doc2', pdf('hop-dong'));
  const res = await sendSubmission(a.client, proc.p.id, form);
  expect(res.status, res.text.slice(0, 2000)).toBe(303);
  const [d] = await t.database.db
    .select()
    .from(dossiers)
    .where(eq(dossiers.citizenId, a.id))
    .orderBy(sql`${dossiers.createdAt} desc`)
    .limit(1);
  return d!;
}

async function atCounter() {
  const clerk = await actorFor(t.database, sctClerkUsername());
  const proc = await currentProcedure(t.database, '2.000633');
  return receiveAtCounter(t.database.db, clerk, { procedureId: proc.p.id, channel: '1', fullName: 'Trần Thị Mai Anh', cccd: NUMBER });
}

const citizenRow = async (a: Account) => (await t.database.db.select().from(citizens).where(eq(citizens.id, a.id)))[0]!;

/** What the account's pages say: the ids listed under Hồ sơ đã nộp, its count, and which of `ids` open. */
async function seen(a: Account, ids: string[]) {
  const listHtml = (await a.client.request('GET', '/ca-nhan/ho-so?loai=da-nop')).text;
  const listed = [...listHtml.matchAll(/href="\/ca-nhan\/ho-so\/([0-9a-f-]{36})"/g)].map((m) => m[1]!);
  const home = (await a.client.request('GET', '/ca-nhan')).text;
  const counted = Number(/Hồ sơ đã nộp \((\d+)\)/.exec(home)?.[1]);
  const opens: string[] = [];
  for (const id of ids) {
    const res = await a.client.request('GET', `/ca-nhan/ho-so/${id}`);
    expect([200, 404], id).toContain(res.status);
    if (res.status === 200) opens.push(id);
  }
  return { listed: [...new Set(listed)].sort(), counted, opens: opens.sort() };
}

/** The same through the use cases: the prepared list and counts (my-dossiers.ts), the plain condition, the open check. */
async function seenByUseCases(a: Account, ids: string[]) {
  const row = await citizenRow(a);
  const actor = citizenActor(a.id, { ip: null, requestId: null });
  const list = (await listMyDossiers(t.database.db, actor, 'da-nop', null)).rows.map((r) => r.id).sort();
  const counts = await dossierCounts(t.database.db, actor);
  const where = (await t.database.db.select({ id: dossiers.id }).from(dossiers).where(citizenDossiersWhere(row))).map((r) => r.id).sort();
  const exported = (await readMyData(t.database.db, row, new Date())).data.dossiers.map((d) => d.code);
  const opens: string[] = [];
  for (const id of ids) {
    try {
      await requireCitizenDossier(t.database.db, actor, id);
      opens.push(id);
    } catch (err) {
      expect((err as { status?: number }).status).toBe(404);
    }
  }
  return { list, count: counts['da-nop'], where, exported: exported.length, opens: opens.sort() };
}

describe('a tax code that is a CCCD: the organisation and the person each see only their own', () => {
  it('the organisation neither lists nor opens the person’s dossiers, nor the person the organisation’s; each sees its own', async () => {
    const person = await account('person');
    const org = await account('organisation');
    const counter = await atCounter();
    const personOnline = await submitOnline(person);
    const orgOnline = await submitOnline(org);
    // What each writer recorded: the number and its kind.
    expect(counter).toMatchObject({ applicantIdNumber: NUMBER, applicantIdKind: 'cccd' });
    expect(personOnline).toMatchObject({ applicantIdNumber: NUMBER, applicantIdKind: 'cccd' });
    expect(orgOnline).toMatchObject({ applicantIdNumber: NUMBER, applicantIdKind: 'tax_code' });

    const all = [counter.id, personOnline.id, orgOnline.id];
    const personSees = [counter.id, personOnline.id].sort();

    // The person: the counter dossier filed with their CCCD and their own online one; not the organisation's.
    expect(await seen(person, all)).toEqual({ listed: personSees, counted: 2, opens: personSees });
    expect(await seenByUseCases(person, all)).toEqual({ list: personSees, count: 2, where: personSees, exported: 2, opens: personSees });

    // The organisation: its own online dossier only.
    expect(await seen(org, all)).toEqual({ listed: [orgOnline.id], counted: 1, opens: [orgOnline.id] });
    expect(await seenByUseCases(org, all)).toEqual({
      list: [orgOnline.id],
      count: 1,
      where: [orgOnline.id],
      exported: 1,
      opens: [orgOnline.id],
    });

    // Another's dossier answers exactly as a missing one.
    const missing = await org.client.request('GET', `/ca-nhan/ho-so/${crypto.randomUUID()}`);
    for (const id of [counter.id, personOnline.id]) {
      const res = await org.client.request('GET', `/ca-nhan/ho-so/${id}`);
      expect(res.status).toBe(missing.status);
      expect(res.text).toBe(missing.text);
    }
  });

  it('on behalf of someone, the organisation’s dossier names the person but is in neither’s portal by the number', async () => {
    const person = await account('person');
    const org = await account('organisation');
    const d = await submitOnline(org, true);
    expect(d.applicantIdNumber).toBeNull();
    expect(await seen(person, [d.id])).toEqual({ listed: [], counted: 0, opens: [] });
    expect(await seen(org, [d.id])).toEqual({ listed: [d.id], counted: 1, opens: [d.id] });
  });

  it('migration 0060 marks the dossiers an organisation submitted itself as its tax code, nothing else', async () => {
    const person = await account('person');
    const org = await account('organisation');
    const counter = await atCounter();
    const personOnline = await submitOnline(person);
    const orgOnline = await submitOnline(org);
    const onBehalf = await submitOnline(org, true);
    // The table as it was before 0060: no kind. The migration's statements then run on it as they are in the file.
    const migration = readMigrations(MIGRATIONS_DIR).find((m) => m.tag === '0060_applicant_id_kind');
    expect(migration).toBeDefined();
    await t.database.db.execute(sql`alter table dossiers drop column applicant_id_kind`);
    for (const statement of migration!.statements) await t.database.db.execute(sql.raw(statement));

    const kinds = Object.fromEntries(
      (await t.database.db.select({ id: dossiers.id, kind: dossiers.applicantIdKind }).from(dossiers)).map((r) => [r.id, r.kind]),
    );
    expect(kinds).toEqual({
      [counter.id]: 'cccd',
      [personOnline.id]: 'cccd',
      [orgOnline.id]: 'tax_code',
      [onBehalf.id]: 'cccd',
    });
    const personSees = [counter.id, personOnline.id].sort();
    expect(await seen(person, Object.keys(kinds))).toEqual({ listed: personSees, counted: 2, opens: personSees });
    expect(await seen(org, Object.keys(kinds))).toEqual({
      listed: [orgOnline.id, onBehalf.id].sort(),
      counted: 2,
      opens: [orgOnline.id, onBehalf.id].sort(),
    });
    // The check holds after it, for every write.
    await expect(t.database.db.execute(sql`update dossiers set applicant_id_kind = 'mst' where id = ${counter.id}`)).rejects.toThrow();
  });
});
