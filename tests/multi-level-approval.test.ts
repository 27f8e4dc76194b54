/**
 * Two approval levels (Lãnh đạo phòng xem xét, trình Lãnh đạo Sở phê duyệt), decision 0006: each level's Phê duyệt
 * below the last hands the dossier to the next step — recorded as that level's approval — and only the last level's
 * settles it. The catalog refuses a step after the last approval other than the result step. (Review of the one-stop
 * cycle: the department head's Phê duyệt finalised the dossier and the director's step was skipped.)
 */
import { describe, expect, it } from 'vitest';
import { and, asc, eq } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { auditLog, dossierEvents, dossierResults, notifications, procedureVersions } from '../src/db/schema/index.js';
import { saveProcedure } from '../src/procedures/save-procedure.js';
import { receiveAtCounter } from './support/reception.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { viewDossier } from '../src/dossiers/view-dossier.js';
import { assignmentChoices } from '../src/dossiers/assign-dossier.js';
import { applicantHistory } from '../src/portal/my-dossiers.js';
import { DOSSIER_STATUSES, eventLabel } from '../src/dossiers/transitions.js';
import { AppError } from '../src/shared/errors.js';
import { recordSignedResult } from './support/results.js';

const t = useDemoApp();
const vn = (s: string) => new Date(`${s}+07:00`);
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;
type Row = { name: string; unitKey: string; role: string };

/** A new version of 2.000633 (Sở Công Thương) with these steps, one day each. */
async function processOf(rows: Row[]) {
  const { p, v } = await currentProcedure(t.database, '2.000633');
  const admin = await actorFor(t.database, 'admin.sct');
  const save = () =>
    saveProcedure(t.database.db, admin, p.id, {
      code: p.code,
      name: v.name,
      sectorId: v.sectorId,
      unitId: v.unitIds[0],
      limitKind: 'days',
      limit: '10',
      fee: String(v.fee),
      onlineLevel: v.onlineLevel,
      documents: v.documents.map((d) => d.name).join('\n'),
      steps: rows.map((r) => ({ name: r.name, unitId: t.unitIds[r.unitKey], role: r.role, share: '1' })),
    });
  return { p, save };
}

const RECEPTION: Row = { name: 'Tiếp nhận hồ sơ', unitKey: 'sct-vp', role: 'reception' };
const EXAMINE: Row = { name: 'Thẩm định', unitKey: 'sct-qltm', role: 'processing' };
const HEAD_APPROVES: Row = { name: 'Lãnh đạo phòng duyệt', unitKey: 'sct-qltm', role: 'approval' };
const DIRECTOR_APPROVES: Row = { name: 'Giám đốc Sở phê duyệt', unitKey: 'sct-ld', role: 'approval' };
const RESULT: Row = { name: 'Trả kết quả', unitKey: 'sct-vp', role: 'result' };

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('a process with two approval levels', () => {
  it('the department head’s Phê duyệt hands the dossier to the director’s step; only the director’s settles it', async () => {
    const { p, save } = await processOf([RECEPTION, EXAMINE, HEAD_APPROVES, DIRECTOR_APPROVES, RESULT]);
    expect((await save()).steps.map((s) => s.role)).toEqual(['reception', 'processing', 'approval', 'approval', 'result']);
    const clerk = await actorFor(t.database, sctClerkUsername());
    const expert = await actorFor(t.database, who('sct-qltm', 'Chuyên viên'));
    const head = await actorFor(t.database, who('sct-qltm', 'Trưởng phòng'));
    const director = await actorFor(t.database, who('sct-ld', 'Giám đốc'));
    const d = await receiveAtCounter(
      t.database.db,
      clerk,
      { procedureId: p.id, channel: '1', fullName: 'Trần Thị Thử', phone: '0912000111' },
      vn('2026-11-23T09:00'),
    );
    await actOnDossier(t.database.db, clerk, d.id, { action: 'handover' }, vn('2026-11-23T10:00'));
    await recordSignedResult(t.database.db, expert, d.id, vn('2026-11-24T09:00'));
    await actOnDossier(t.database.db, expert, d.id, { action: 'handover' }, vn('2026-11-24T10:00'));

    // At the first level Phê duyệt is offered (Chuyển bước tiếp theo is not: approving is how it goes on), with the
    // choice of who takes the next level — the director's unit's own leaders proposed.
    const view = await viewDossier(t.database.db, head, d.id, vn('2026-11-24T11:00'));
    expect(view.step.name).toBe('Lãnh đạo phòng duyệt');
    expect(view.actions).toContain('approve');
    expect(view.actions).not.toContain('handover');
    const choices = await assignmentChoices(t.database.db, head, view.dossier, view.version.steps, true);
    expect(choices.next!.proposed).toBe(director.accountId);

    // The page's Phê duyệt form offers the next level's holders, the director proposed.
    const headPage = new Client(t.app);
    await headPage.login(who('sct-qltm', 'Trưởng phòng'), TEST_PASSWORD);
    const form = /<form[^>]*data-action="approve"[\s\S]*?<\/form>/.exec((await headPage.get(`/tiepnhan/ho-so/${d.id}`)).text)![0];
    expect(form).toContain('Người xử lý bước tiếp theo');
    expect(form).toContain(`<option value="${director.accountId}" selected="">`);

    const first = await actOnDossier(
      t.database.db,
      head,
      d.id,
      { action: 'approve', note: 'Đồng ý, trình Giám đốc', assignee: director.accountId },
      vn('2026-11-24T14:00'),
    );
    expect(first).toMatchObject({ status: 'processing', currentStep: 3, finishedAt: null, assignedTo: director.accountId });
    // The national portal and the statistics read the status: still Đang xử lý (4), not settled.
    expect(DOSSIER_STATUSES[first.status]).toBe(4);
    // Recorded as the first level's approval, in the history and the audit log; the result is not frozen yet.
    const [ev] = await t.database.db
      .select()
      .from(dossierEvents)
      .where(and(eq(dossierEvents.dossierId, d.id), eq(dossierEvents.action, 'approve')));
    expect(ev).toMatchObject({ fromStatus: 'processing', toStatus: 'processing', step: 3 });
    expect(ev!.data).toMatchObject({ approvalLevel: 1, approvalLevels: 2, fromStep: 2, toStep: 3, assignedTo: director.accountId });
    const [audit] = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'dossier.approve'), eq(auditLog.targetId, d.id)));
    expect(audit!.data).toMatchObject({ approvalLevel: 1, approvalLevels: 2, new: { status: 'processing', step: 3 } });
    expect(eventLabel(ev!.action, ev!.data)).toBe('Phê duyệt (cấp 1/2)');
    expect((await headPage.get(`/tiepnhan/ho-so/${d.id}`)).text).toContain('<td>Phê duyệt (cấp 1/2)</td>');
    const result = async () => (await t.database.db.select().from(dossierResults).where(eq(dossierResults.dossierId, d.id)))[0]!;
    expect((await result()).approvedAt).toBeNull();
    // The applicant is told nothing yet: no "kết quả đã có", and their history shows no internal hand-over.
    const ready = () =>
      t.database.db
        .select()
        .from(notifications)
        .where(and(eq(notifications.dossierId, d.id), eq(notifications.event, 'dossier.result_ready')));
    expect(await ready()).toHaveLength(0);
    const events = () => t.database.db.select().from(dossierEvents).where(eq(dossierEvents.dossierId, d.id)).orderBy(asc(dossierEvents.id));
    expect(applicantHistory(await events(), 'Sở Công Thương').map((e) => e.action)).not.toContain('approve');

    // The director's Phê duyệt is the decision: Đã xử lý xong at the result step, the result frozen, the applicant told.
    const last = await actOnDossier(t.database.db, director, d.id, { action: 'approve' }, vn('2026-11-25T09:00'));
    expect(last).toMatchObject({ status: 'done', currentStep: 4 });
    expect(last.finishedAt).not.toBeNull();
    expect((await result()).approvedAt).not.toBeNull();
    expect((await ready()).length).toBeGreaterThan(0);
    const approvals = (await events()).filter((e) => e.action === 'approve');
    expect(approvals.map((e) => [e.data.approvalLevel, e.toStatus])).toEqual([
      [1, 'processing'],
      [2, 'done'],
    ]);
    expect(applicantHistory(await events(), 'Sở Công Thương').filter((e) => e.action === 'approve')).toHaveLength(1);
  });

  it('a processing step between the two levels is reached, not skipped', async () => {
    const { p, save } = await processOf([RECEPTION, HEAD_APPROVES, EXAMINE, DIRECTOR_APPROVES, RESULT]);
    await save();
    const clerk = await actorFor(t.database, sctClerkUsername());
    const head = await actorFor(t.database, who('sct-qltm', 'Trưởng phòng'));
    const d = await receiveAtCounter(
      t.database.db,
      clerk,
      { procedureId: p.id, channel: '1', fullName: 'Lê Văn Thử' },
      vn('2026-11-23T09:00'),
    );
    await actOnDossier(t.database.db, clerk, d.id, { action: 'handover' }, vn('2026-11-23T10:00'));
    const after = await actOnDossier(t.database.db, head, d.id, { action: 'approve' }, vn('2026-11-23T11:00'));
    expect(after).toMatchObject({ status: 'processing', currentStep: 2, finishedAt: null });
  });

  it('the catalog refuses a step after the last approval other than the result step, and a result step elsewhere', async () => {
    const after = await refusal((await processOf([RECEPTION, DIRECTOR_APPROVES, EXAMINE, RESULT])).save());
    expect(after.code).toBe('validation_failed');
    const said = Object.values(after.fields ?? {}).join(' ');
    expect(said).toContain('Bước 3 (Thẩm định) nằm sau bước phê duyệt cuối cùng');
    expect(said.normalize('NFC')).toBe(said);
    const early = await refusal((await processOf([RECEPTION, RESULT, EXAMINE, DIRECTOR_APPROVES, RESULT])).save());
    expect(Object.values(early.fields ?? {}).join(' ')).toContain('Bước 2 (Trả kết quả): bước trả kết quả chỉ đặt ở cuối quy trình');
  });

  it('every demo procedure’s process is valid as it stands: after its last approval only the result step', async () => {
    const versions = await t.database.db.select({ steps: procedureVersions.steps }).from(procedureVersions);
    expect(versions.length).toBeGreaterThan(0);
    for (const { steps } of versions) {
      const roles = steps.map((s) => s.role);
      expect(roles.slice(roles.lastIndexOf('approval') + 1)).toEqual(['result']);
    }
  });
});
