/**
 * POST /api/v1/dossiers with an Idempotency-Key header (draft-ietf-httpapi-idempotency-key-header): a retry of the
 * same request answers the dossier the first one received (201, the same dossier, one row, one notification); the
 * key is the caller's own (another API key or another account with the same value neither gets nor learns of that
 * dossier); the same key with another request is 422; a malformed key is 400; without the header nothing changes.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { accountByUsername, actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { completeChecklist } from './support/reception.js';
import { issueApiClient } from '../src/api/issue-api-client.js';
import { scopedSubmissionKey } from '../src/api/receive-through-api.js';
import { receiveDossier } from '../src/dossiers/receive-dossier.js';
import { submitOnline } from '../src/portal/submit-dossier.js';
import { loggedInCitizen } from './support/portal-citizen.js';
import { roleGrants } from '../src/db/schema/index.js';
import { dossiers, notifications } from '../src/db/schema/index.js';

const t = useDemoApp();

type Answer = { status: number; text: string; json: Record<string, unknown> };

async function post(token: string, body: unknown, key?: string): Promise<Answer> {
  const res = await t.app.request('http://localhost/api/v1/dossiers', {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body instanceof FormData ? {} : { 'content-type': 'application/json' }),
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    body: body instanceof FormData ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as Record<string, unknown> };
}

async function clerkTokens() {
  const admin = await actorFor(t.database, 'admin.sct');
  const clerk = (await accountByUsername(t.database, sctClerkUsername()))!;
  const first = await issueApiClient(t.database.db, admin, clerk.id, { name: 'Phần mềm một cửa cũ' });
  const second = await issueApiClient(t.database.db, admin, clerk.id, { name: 'Kiosk tiếp nhận' });
  const snv = (await accountByUsername(t.database, 'admin.snv'))!;
  const other = await issueApiClient(t.database.db, await actorFor(t.database, 'quantri1'), snv.id, { name: 'Sở Nội vụ' });
  return { token: first.token, sameAccountOtherKey: second.token, otherAccount: other.token };
}

async function receptionBody(fullName: string) {
  const { p, v } = await currentProcedure(t.database, '2.000633');
  return { procedureId: p.id, channel: 1, fullName, phone: '0912345678', documents: completeChecklist(v.documents) };
}

const rowsNamed = async (fullName: string) =>
  t.database.db.select({ id: dossiers.id }).from(dossiers).where(sql`${dossiers.applicant}->>'fullName' = ${fullName}`);

const notificationsOf = async (dossierId: string) =>
  (await t.database.db.select({ id: notifications.id }).from(notifications).where(eq(notifications.dossierId, dossierId))).length;

const pdf = (text: string) => new File([Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`)], 'don.pdf', { type: 'application/pdf' });

describe('POST /api/v1/dossiers with Idempotency-Key', () => {
  it('a retry with the same key answers the same dossier (201), and only one was received', async () => {
    const { token } = await clerkTokens();
    const body = await receptionBody('Đinh Văn Thử Lại');
    const key = crypto.randomUUID();
    const first = await post(token, body, key);
    expect(first.status, first.text).toBe(201);
    const again = await post(token, body, key);
    expect(again.status, again.text).toBe(201);
    expect(again.json).toEqual(first.json);
    // The key as the draft writes it (a Structured Field string, in quotes) and in capitals is the same key.
    const quoted = await post(token, { ...body, channel: '1' }, `"${key.toUpperCase()}"`);
    expect(quoted.status, quoted.text).toBe(201);
    expect(quoted.json.id).toBe(first.json.id);
    expect(await rowsNamed('Đinh Văn Thử Lại')).toHaveLength(1);
    // The applicant is told once.
    const told = await notificationsOf(String(first.json.id));
    expect(told).toBeGreaterThan(0);
    await post(token, body, key);
    expect(await notificationsOf(String(first.json.id))).toBe(told);
  });

  it('retries racing the first request make one dossier: each answers it', async () => {
    const { token } = await clerkTokens();
    const body = await receptionBody('Đinh Văn Đồng Thời');
    const key = crypto.randomUUID();
    const answers = await Promise.all([post(token, body, key), post(token, body, key), post(token, body, key)]);
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(new Set(answers.map((a) => a.json.id)).size).toBe(1);
    expect(await rowsNamed('Đinh Văn Đồng Thời')).toHaveLength(1);
  });

  it('the same key with another request is 422, never the first dossier', async () => {
    const { token } = await clerkTokens();
    const body = await receptionBody('Đinh Văn Một Khóa');
    const key = crypto.randomUUID();
    const first = await post(token, body, key);
    expect(first.status, first.text).toBe(201);
    for (const changed of [
      { ...body, fullName: 'Đinh Văn Hai Khóa' },
      { ...body, phone: '0987654321' },
      { ...body, channel: 3 },
      { ...body, note: 'Bổ sung' },
      { ...body, documents: body.documents.map((d) => ({ ...d, copies: 2 })) },
    ]) {
      const reused = await post(token, changed, key);
      expect(reused.status, reused.text).toBe(422);
      expect(reused.json).toMatchObject({ error: { code: 'idempotency_key_reused' } });
      expect(reused.text).not.toContain(String(first.json.id));
      expect(reused.text).not.toContain(String(first.json.code));
    }
    expect(await rowsNamed('Đinh Văn Hai Khóa')).toHaveLength(0);
    expect(await rowsNamed('Đinh Văn Một Khóa')).toHaveLength(1);
  });

  it('multipart: the same scans again are the same request; another scan under the same key is 422', async () => {
    const { token } = await clerkTokens();
    const body = await receptionBody('Đinh Thị Số Hóa Lại');
    const form = (scan: string) => {
      const f = new FormData();
      f.set('dossier', JSON.stringify(body));
      f.set('scan-0', pdf(scan));
      return f;
    };
    const key = crypto.randomUUID();
    const first = await post(token, form('bản quét'), key);
    expect(first.status, first.text).toBe(201);
    const again = await post(token, form('bản quét'), key);
    expect(again.status, again.text).toBe(201);
    expect(again.json.id).toBe(first.json.id);
    const other = await post(token, form('bản quét khác'), key);
    expect(other.status, other.text).toBe(422);
    expect(other.json).toMatchObject({ error: { code: 'idempotency_key_reused' } });
    expect(await rowsNamed('Đinh Thị Số Hóa Lại')).toHaveLength(1);
  });

  it('another API key or another account with the same key neither gets nor learns of the first dossier', async () => {
    const { token, sameAccountOtherKey, otherAccount } = await clerkTokens();
    const body = await receptionBody('Đinh Văn Chủ Khóa');
    const key = crypto.randomUUID();
    const first = await post(token, body, key);
    expect(first.status, first.text).toBe(201);
    // Another client of the same account: its own key space, so its own dossier.
    const otherKey = await post(sameAccountOtherKey, body, key);
    expect(otherKey.status, otherKey.text).toBe(201);
    expect(otherKey.json.id).not.toBe(first.json.id);
    expect(otherKey.json.code).not.toBe(first.json.code);
    // Another account (not a reception official of this procedure): answered exactly as without the key.
    const withKey = await post(otherAccount, body, key);
    const withoutKey = await post(otherAccount, body);
    expect(withKey.status).toBe(withoutKey.status);
    expect((withKey.json.error as { code: string }).code).toBe((withoutKey.json.error as { code: string }).code);
    expect(withKey.text).not.toContain(String(first.json.id));
    expect(withKey.text).not.toContain(String(first.json.code));
    expect(await rowsNamed('Đinh Văn Chủ Khóa')).toHaveLength(2);
  });

  it("no form — an official's at the counter, a citizen's on the portal — can take an API client's key first", async () => {
    const admin = await actorFor(t.database, 'admin.sct');
    const clerk = (await accountByUsername(t.database, sctClerkUsername()))!;
    const issued = await issueApiClient(t.database.db, admin, clerk.id, { name: 'Phần mềm tích hợp' });
    const { p, v } = await currentProcedure(t.database, '2.000633');
    // The integration's next key, predictable (its own record number), and how this code derives what it stores.
    const key = crypto.randomUUID();
    const apiActor = {
      kind: 'api' as const,
      accountId: clerk.id,
      clientId: issued.clientId,
      label: 'x',
      meta: { ip: null, requestId: null },
    };
    const stored = scopedSubmissionKey(apiActor, key);
    // An insider with a reception position sends the counter form with that value as its one-time key.
    await t.database.db.insert(roleGrants).values({ accountId: admin.accountId, unitId: clerk.unitId, role: 'reception' });
    const counter = receiveDossier(
      t.database.db,
      admin,
      { procedureId: p.id, channel: 1, fullName: 'Hồ Sơ Chặn Trước', documents: completeChecklist(v.documents) },
      new Date(),
      undefined,
      { submissionKey: stored },
    );
    await expect(counter).rejects.toMatchObject({ code: 'stale_form' });
    // A citizen's Nộp hồ sơ with it is a stale form too.
    const citizen = await loggedInCitizen(t.database.db, t.app);
    const online = submitOnline(
      t.database.db,
      { kind: 'citizen', citizenId: citizen.id, label: 'x', meta: { ip: null, requestId: null } },
      p.id,
      stored,
      new Date(),
    );
    await expect(online).rejects.toMatchObject({ status: 400 });
    // The integration's request is received under its key.
    const res = await post(
      issued.token,
      { procedureId: p.id, channel: 1, fullName: 'Nguyễn Văn Tích Hợp', documents: completeChecklist(v.documents) },
      key,
    );
    expect(res.status, res.text).toBe(201);
  });

  it('a malformed key is 400 with its own code, before anything is received', async () => {
    const { token } = await clerkTokens();
    const body = await receptionBody('Đinh Văn Khóa Hỏng');
    for (const bad of [
      '',
      'abc',
      '12345',
      `${crypto.randomUUID()}x`,
      `${crypto.randomUUID()}, ${crypto.randomUUID()}`,
      `"${crypto.randomUUID()}`,
    ]) {
      const answer = await post(token, body, bad);
      expect(answer.status, `${JSON.stringify(bad)}: ${answer.text}`).toBe(400);
      expect(answer.json).toMatchObject({
        error: { code: 'invalid_idempotency_key', fields: { 'Idempotency-Key': expect.stringContaining('UUID') } },
      });
    }
    expect(await rowsNamed('Đinh Văn Khóa Hỏng')).toHaveLength(0);
  });

  it('without the header nothing changes: each request receives a dossier', async () => {
    const { token } = await clerkTokens();
    const body = await receptionBody('Đinh Văn Không Khóa');
    const a = await post(token, body);
    const b = await post(token, body);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.json.id).not.toBe(b.json.id);
    expect(await rowsNamed('Đinh Văn Không Khóa')).toHaveLength(2);
  });

  it('identical retries with a scan racing the first request all answer the one dossier (no 500, no second dossier)', async () => {
    const { token } = await clerkTokens();
    const body = await receptionBody('Đinh Văn Đua Quét');
    // A scan large enough that every request is still storing it when another commits (an attacker review: the
    // losers had read their scans to store them, and comparing them again answered 500).
    const big = () =>
      new File([Buffer.from(`%PDF-1.4\n% bản quét\n${'x'.repeat(200_000)}\n%%EOF\n`)], 'don.pdf', { type: 'application/pdf' });
    const form = () => {
      const f = new FormData();
      f.set('dossier', JSON.stringify(body));
      f.set('scan-0', big());
      return f;
    };
    const key = crypto.randomUUID();
    const answers = await Promise.all([0, 1, 2, 3].map(() => post(token, form(), key)));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    const rows = await rowsNamed('Đinh Văn Đua Quét');
    expect(rows).toHaveLength(1);
    expect(new Set(answers.map((a) => a.json.id))).toEqual(new Set([rows[0]!.id]));
  });
});
