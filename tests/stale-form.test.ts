import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { dossierEvents, dossiers } from '../src/db/schema/index.js';
import { receiveAtCounter } from './support/reception.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { viewDossier } from '../src/dossiers/view-dossier.js';
import { setRoles } from '../src/accounts/set-roles.js';
import { issueApiClient } from '../src/api/issue-api-client.js';
import { AppError } from '../src/shared/errors.js';

const t = useDemoApp();
const vn = (s: string) => new Date(`${s}+07:00`);
const AT = vn('2026-11-23T09:00');
const LATER = vn('2026-11-23T10:30');
const demo = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!;
/** A (Chuyên viên) and B (Trưởng phòng) both process at Quản lý Thương mại. */
const A = demo('sct-qltm', 'Chuyên viên');
const B = demo('sct-qltm', 'Trưởng phòng');
const fullName = (o: { middleName: string; givenName: string }) => `${o.middleName} ${o.givenName}`;

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

/** A dossier of 2.000633 (Sở Công Thương) waiting at Quản lý Thương mại's processing step (step 2 of 4). */
async function atProcessing() {
  const { p } = await currentProcedure(t.database, '2.000633');
  const clerk = await actorFor(t.database, sctClerkUsername());
  const d = await receiveAtCounter(
    t.database.db,
    clerk,
    { procedureId: p.id, channel: '1', fullName: 'Trần Thị Thử', phone: '0912000111' },
    AT,
  );
  await actOnDossier(t.database.db, clerk, d.id, { action: 'handover' }, AT);
  return d;
}

/** The latest history row the page showed, as its forms carry it. */
async function seenBy(username: string, id: string) {
  const view = await viewDossier(t.database.db, await actorFor(t.database, username), id, AT);
  return view.history.at(-1)!.id;
}

const eventsOf = (id: string, action: string) =>
  t.database.db
    .select()
    .from(dossierEvents)
    .where(and(eq(dossierEvents.dossierId, id), eq(dossierEvents.action, action)));
const dbRow = async (id: string) => (await t.database.db.select().from(dossiers).where(eq(dossiers.id, id)))[0];

describe('a stale form tells what happened', () => {
  it("A's Từ chối after B handed the dossier on: 409 naming B, their position, the step and the time; nothing changes", async () => {
    const d = await atProcessing();
    const seen = await seenBy(A.username, d.id);
    await actOnDossier(t.database.db, await actorFor(t.database, B.username), d.id, { action: 'handover', seen: String(seen) }, LATER);

    const err = await failure(
      actOnDossier(
        t.database.db,
        await actorFor(t.database, A.username),
        d.id,
        { action: 'refuse', note: 'Thiếu giấy tờ', seen: String(seen) },
        LATER,
      ),
    );
    expect(err.status).toBe(409);
    expect(err.code).toBe('dossier_moved');
    expect(err.message).toContain(`Hồ sơ đã được ${fullName(B)} (Trưởng phòng) chuyển sang bước 3/4`);
    expect(err.message).toContain('lúc 23/11/2026 10:30');
    expect(err.message).toContain('Đang xử lý (mã 4)');
    const [row] = await t.database.db.select().from(dossiers).where(eq(dossiers.id, d.id));
    expect(row!.status).toBe('processing');
    expect(row!.currentStep).toBe(2);
    expect(await eventsOf(d.id, 'refuse')).toHaveLength(0);
  });

  it('a double submit does one transition and one history row; the second is told what happened', async () => {
    const d = await atProcessing();
    const seen = String(await seenBy(A.username, d.id));
    const a = await actorFor(t.database, A.username);
    const results = await Promise.allSettled([
      actOnDossier(t.database.db, a, d.id, { action: 'handover', seen }, LATER),
      actOnDossier(t.database.db, a, d.id, { action: 'handover', seen }, LATER),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((refused.reason as AppError).code).toBe('dossier_moved');
    expect((refused.reason as AppError).message).toContain(`${fullName(A)} (Chuyên viên) chuyển sang bước 3/4`);
    // Two hand-overs: the clerk's to step 2 and A's one to step 3.
    expect(await eventsOf(d.id, 'handover')).toHaveLength(2);
    const [row] = await t.database.db.select().from(dossiers).where(eq(dossiers.id, d.id));
    expect(row!.currentStep).toBe(2);
  });

  it('a stranger with a guessed id gets the 404 of a dossier that does not exist, stale form or not', async () => {
    const d = await atProcessing();
    const stranger = await actorFor(t.database, demo('skhdt', 'Chuyên viên').username);
    const seen = await seenBy(A.username, d.id);
    for (const input of [
      { action: 'refuse', note: 'x' },
      { action: 'refuse', note: 'x', seen: String(seen - 1) },
    ]) {
      const err = await failure(actOnDossier(t.database.db, stranger, d.id, input, LATER));
      expect(err.status).toBe(404);
      expect(err.message).toBe('Hồ sơ không tồn tại hoặc bạn không có quyền xem.');
    }
  });

  it('an official who handled the dossier but may no longer see it is told what happened (409), not more', async () => {
    const d = await atProcessing();
    const seen = await seenBy(A.username, d.id);
    const a = await actorFor(t.database, A.username);
    await actOnDossier(t.database.db, a, d.id, { action: 'handover', seen: String(seen) }, LATER);
    // A leaves the department: no position any more.
    const root = await actorFor(t.database, 'quantri1');
    await setRoles(t.database.db, root, a.accountId, []);
    await expect(viewDossier(t.database.db, a, d.id, LATER)).rejects.toMatchObject({ status: 404 });
    const err = await failure(actOnDossier(t.database.db, a, d.id, { action: 'refuse', note: 'x', seen: String(seen) }, LATER));
    expect(err.status).toBe(409);
    expect(err.message).toContain('chuyển sang bước 3/4');
  });

  it('over HTTP: the page is shown again with what happened and the current state, answered 409', async () => {
    const d = await atProcessing();
    const c = new Client(t.app);
    expect((await c.login(A.username, TEST_PASSWORD)).status).toBe(303);
    const page = await c.get(`/tiepnhan/ho-so/${d.id}`);
    const seen = /name="seen" value="(\d+)"/.exec(page.text)![1]!;
    await actOnDossier(t.database.db, await actorFor(t.database, B.username), d.id, { action: 'handover' }, LATER);
    const res = await c.post(
      `/tiepnhan/ho-so/${d.id}/xu-ly`,
      { action: 'refuse', note: 'Thiếu giấy tờ', seen },
      { csrfFrom: `/tiepnhan/ho-so/${d.id}` },
    );
    expect(res.status).toBe(409);
    expect(res.text).toContain(`${fullName(B)} (Trưởng phòng) chuyển sang bước 3/4`);
    expect(res.text).toMatch(/Bước hiện tại<\/dt>\s*<dd>\s*3\/4/);
    // A may no longer act at step 3: no forms offered, the page still opens.
    expect(res.text).not.toContain('data-action="refuse"');

    // A stranger posting to a guessed id: the same 404 as for no dossier at all.
    const s = new Client(t.app, '192.0.2.11');
    await s.login(demo('skhdt', 'Chuyên viên').username, TEST_PASSWORD);
    const guessed = await s.post(`/tiepnhan/ho-so/${d.id}/xu-ly`, { action: 'refuse', note: 'x', seen }, { csrfFrom: '/tiepnhan/ho-so' });
    expect(guessed.status).toBe(404);
  });

  it("the API's action endpoint answers 409 with the typed code dossier_moved", async () => {
    const d = await atProcessing();
    const seen = await seenBy(A.username, d.id);
    const admin = await actorFor(t.database, 'admin.sct');
    const { token } = await issueApiClient(t.database.db, admin, (await accountByUsername(t.database, A.username))!.id, {
      name: 'Phần mềm xử lý',
    });
    await actOnDossier(t.database.db, await actorFor(t.database, B.username), d.id, { action: 'handover' }, LATER);
    const res = await t.app.request(`http://localhost/api/v1/dossiers/${d.id}/transitions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'refuse', note: 'Thiếu giấy tờ', seen }),
    });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('dossier_moved');
    expect(body.error.message).toContain('chuyển sang bước 3/4');
  });

  it('the API requires `seen`: a handover retried after a lost answer moves the dossier once', async () => {
    // Sở KH&ĐT's Chuyên viên holds every step's position but the approval: a second handover would skip processing.
    const { p } = await currentProcedure(t.database, '1.001612');
    const username = demo('skhdt', 'Chuyên viên').username;
    const official = await actorFor(t.database, username);
    const d = await receiveAtCounter(t.database.db, official, { procedureId: p.id, channel: '1', fullName: 'Lê Văn Thử' });
    const { token } = await issueApiClient(t.database.db, official, official.accountId, { name: 'Phần mềm một cửa' });
    const request = (path: string, body?: Record<string, unknown>) =>
      t.app.request(`http://localhost/api/v1${path}`, {
        method: body ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const current = async () => (await dbRow(d.id))!;

    // Without `seen`: 400 naming the field, and nothing moves.
    const unseen = await request(`/dossiers/${d.id}/transitions`, { action: 'handover' });
    expect(unseen.status).toBe(400);
    const refusal = (await unseen.json()) as { error: { code: string; message: string; fields: Record<string, string> } };
    expect(refusal.error.code).toBe('seen_required');
    expect(Object.keys(refusal.error.fields)).toEqual(['seen']);
    expect(refusal.error.message.normalize('NFC')).toBe(refusal.error.message);
    expect((await current()).currentStep).toBe(0);
    // Null, empty or blank (numberField trims it to nothing, and a missing `seen` checks nothing): the same.
    for (const seen of [null, '', ' ', '\t']) {
      const blank = await request(`/dossiers/${d.id}/transitions`, { action: 'handover', seen });
      expect(blank.status, JSON.stringify(seen)).toBe(400);
      expect(((await blank.json()) as { error: { code: string } }).error.code).toBe('seen_required');
    }
    expect((await current()).currentStep).toBe(0);

    // The client reads the dossier's `seen`, sends the handover, loses the answer and sends it again.
    const detail = (await (await request(`/dossiers/${d.id}`)).json()) as { seen: number; history: { id: number }[] };
    expect(detail.seen).toBe(detail.history.at(-1)!.id);
    const first = await request(`/dossiers/${d.id}/transitions`, { action: 'handover', seen: detail.seen });
    expect(first.status).toBe(200);
    const retry = await request(`/dossiers/${d.id}/transitions`, { action: 'handover', seen: detail.seen });
    expect(retry.status).toBe(409);
    expect(((await retry.json()) as { error: { code: string } }).error.code).toBe('dossier_moved');
    expect((await current()).currentStep).toBe(1);
    expect(await eventsOf(d.id, 'handover')).toHaveLength(1);
  });
});
