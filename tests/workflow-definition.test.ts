/**
 * The workflow's definition (src/dossiers/transitions.ts) is what the system does: applying each action
 * does what its entry says; the SQL that follows the statuses (inbox index, inbox_counts triggers) is
 * what the data gives, committed; the API's TrangThaiHoSo codes are the data's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { accountByUsername, actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { procedures } from '../src/db/schema/index.js';
import { MIGRATIONS_DIR, queryRows } from '../src/db/client.js';
import { readMigrations } from '../src/db/migrate.js';
import { inboxCountsMigration, inboxIndexPredicate, latestWorkflowMigration } from '../src/db/workflow-sql.js';
import { completeChecklist, receiveAtCounter } from './support/reception.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { viewDossier } from '../src/dossiers/view-dossier.js';
import { dossierFormPdf } from '../src/dossiers/dossier-forms.js';
import { INBOX_TABS, InboxQuery } from '../src/dossiers/inbox.js';
import { issueApiClient } from '../src/api/issue-api-client.js';
import { recordSignedResult } from './support/results.js';
import {
  ACTION_DEFS,
  ACTIONS,
  actionAt,
  actionDef,
  OPEN_STATUSES,
  OPEN_STATUSES_SQL,
  STATUS_KEYS,
  STATUSES,
  statusAfter,
  type DossierAction,
  type DossierStatus,
} from '../src/dossiers/transitions.js';
import type { AppError } from '../src/shared/errors.js';

const t = useDemoApp();
const vn = (s: string) => new Date(`${s}+07:00`);
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;

describe('the SQL that follows STATUSES is committed as the data gives it', () => {
  it('the latest db:workflow migration is what inboxCountsMigration writes now (else: npm run db:workflow)', () => {
    expect(latestWorkflowMigration(MIGRATIONS_DIR)).toBe(inboxCountsMigration());
  });

  it("the inbox index's predicate in the latest schema snapshot is the open statuses (else: npm run db:workflow)", () => {
    const last = readMigrations(MIGRATIONS_DIR).at(-1)!;
    const snapshot = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, 'meta', `${last.tag.slice(0, 4)}_snapshot.json`), 'utf8')) as {
      tables: Record<string, { indexes: Record<string, { where?: string }> }>;
    };
    expect(snapshot.tables['public.dossiers']!.indexes.dossiers_inbox_open_idx!.where).toBe(inboxIndexPredicate());
  });

  it('the migrated database has that index and those triggers', async () => {
    const [idx] = await queryRows<{ def: string }>(t.database.db, sql`select pg_get_indexdef('dossiers_inbox_open_idx'::regclass) as def`);
    for (const s of STATUS_KEYS) expect(idx!.def.includes(`'${s}'`)).toBe(OPEN_STATUSES.includes(s));
    const fns = await queryRows<{ src: string }>(
      t.database.db,
      sql`select prosrc as src from pg_proc where proname like 'inbox_counts_after_%' and proname <> 'inbox_counts_after_truncate'`,
    );
    expect(fns).toHaveLength(3);
    for (const f of fns) expect(f.src).toContain(`status IN ${OPEN_STATUSES_SQL}`);
  });

  it('the tabs show exactly the open statuses, each in one tab', () => {
    const tabbed = Object.values(INBOX_TABS).flatMap((tab) => tab.statuses);
    expect([...tabbed].sort()).toEqual([...OPEN_STATUSES].sort());
    expect(new Set(tabbed).size).toBe(tabbed.length);
    expect(InboxQuery.safeParse({ tab: 'khong-co' }).error?.issues[0]?.message).toBe(
      `tab phải là một trong: ${Object.keys(INBOX_TABS).join(', ')}.`,
    );
  });

  it('TrangThaiHoSo codes are 1–10, each used, distinct but for a refusal after reception (8, decision 0018)', () => {
    const codes = STATUS_KEYS.filter((s) => s !== 'rejected').map((s) => STATUSES[s].code);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(STATUSES.rejected.code).toBe(STATUSES.stopped.code);
  });
});

type Who = 'clerk' | 'expert' | 'director';
/** A step on the way: an action, or 'record_result' — Ghi nhận kết quả with its file, which approval requires. */
type Step = [Who, DossierAction | 'record_result', Record<string, string>?];

/** How to bring a fresh dossier to where each action is allowed, who then does it, and with what. */
/** Officials' actions; the applicant's own (withdraw) are tested in tests/citizen-dossiers.test.ts. */
type StaffAction = Exclude<DossierAction, 'withdraw'>;
const STAFF_ACTIONS = ACTIONS.filter((a): a is StaffAction => a !== 'withdraw');
const CASES: Record<StaffAction, { online?: true; before: Step[]; by: Who; input?: Record<string, string> }> = {
  accept: { online: true, before: [], by: 'clerk' },
  handover: { before: [], by: 'clerk' },
  return: {
    before: [
      ['clerk', 'handover'],
      ['expert', 'handover'],
    ],
    by: 'director',
    input: { note: 'Xem lại' },
  },
  request_supplement: { before: [['clerk', 'handover']], by: 'expert', input: { note: 'Thiếu giấy tờ', items: 'Bản sao hợp đồng' } },
  supplement_received: {
    before: [
      ['clerk', 'handover'],
      ['expert', 'request_supplement', { note: 'Thiếu', items: 'Bản sao' }],
    ],
    by: 'expert',
  },
  refuse: { before: [], by: 'clerk', input: { note: 'Không thuộc thẩm quyền' } },
  stop: { before: [['clerk', 'handover']], by: 'expert', input: { note: 'Người nộp đề nghị dừng' } },
  extend: { before: [['clerk', 'handover']], by: 'expert', input: { note: 'Cần xác minh', newDueDate: '30/12/2026' } },
  approve: {
    before: [
      ['clerk', 'handover'],
      ['expert', 'handover'],
      ['director', 'record_result'],
    ],
    by: 'director',
  },
  return_result: {
    before: [
      ['clerk', 'handover'],
      ['expert', 'handover'],
      ['director', 'record_result'],
      ['director', 'approve'],
    ],
    by: 'clerk',
    input: { returnChannel: '3' },
  },
};

const issuesOrNot = (p: Promise<unknown>) =>
  p.then(
    () => 'issued',
    (e: AppError) => e.code,
  );

describe('every action does what its definition says', () => {
  it.each(STAFF_ACTIONS)('%s', async (action) => {
    const def = actionDef(action);
    const actors: Record<Who, Awaited<ReturnType<typeof actorFor>>> = {
      clerk: await actorFor(t.database, sctClerkUsername()),
      expert: await actorFor(t.database, who('sct-qltm', 'Chuyên viên')),
      director: await actorFor(t.database, who('sct-ld', 'Giám đốc')),
    };
    const c = CASES[action];
    const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
    const d = await receiveAtCounter(
      t.database.db,
      actors.clerk,
      { procedureId: p!.id, channel: c.online ? '2' : '1', fullName: 'Đinh Thị Bảng' },
      vn('2026-11-23T08:00'),
    );
    let minute = 0;
    const at = () => vn(`2026-11-23T09:${String(minute++).padStart(2, '0')}`);
    for (const [by, a, input] of c.before) {
      if (a === 'record_result') await recordSignedResult(t.database.db, actors[by], d.id, at());
      else await actOnDossier(t.database.db, actors[by], d.id, { action: a, ...input }, at());
    }

    // Offered on the dossier page to the one who does it, and only then.
    const view = await viewDossier(t.database.db, actors[c.by], d.id, at());
    expect(view.actions).toContain(action);
    const before = view.dossier;
    const form = def.form;
    if (form && form !== '01')
      expect(await issuesOrNot(dossierFormPdf(t.database.db, actors[c.by], d.id, form, 'http://x', at()))).toBe('form_not_issued');

    const now = at();
    const after = await actOnDossier(t.database.db, actors[c.by], d.id, { action, ...c.input }, now);

    // Status.
    const resumed = (
      await queryRows<{ s: DossierStatus }>(
        t.database.db,
        sql`select data->>'resumeStatus' as s from dossier_events where dossier_id = ${d.id} and action = 'request_supplement' order by id desc limit 1`,
      )
    )[0]?.s;
    // The definition as it works at the dossier's step (Phê duyệt below the last approval level hands on: actionAt).
    const here = actionAt(action, view.version.steps, before.currentStep);
    const to = statusAfter(here, before.status);
    expect(after.status).toBe(to === 'resume' ? resumed : to);
    // Step.
    const steps = view.version.steps;
    const expectedStep = {
      same: before.currentStep,
      next: before.currentStep + 1,
      previous: before.currentStep - 1,
      result: steps.findIndex((s) => s.role === 'result'),
    }[here.step];
    expect(after.currentStep).toBe(expectedStep);
    if (after.currentStep !== before.currentStep) expect(after.stepStartedAt).toEqual(now);
    // Clock.
    if (def.clock === 'stop') expect(after.clockStoppedAt).toEqual(now);
    else if (def.clock === 'resume') {
      expect(before.clockStoppedAt).not.toBeNull();
      expect(after.clockStoppedAt).toBeNull();
      // Never earlier; here (a pause on the reception day, before the clock starts) not later either: the amounts are
      // tested in supplement-wait.test.ts and src/calendar/deadlines.test.ts.
      expect(after.dueAt.getTime()).toBeGreaterThanOrEqual(before.dueAt.getTime());
    } else if (def.clock === 'start') {
      expect(after.receivedAt).toEqual(now);
      expect(after.dueAt.getTime()).toBeGreaterThan(now.getTime());
    } else if (def.clock === 'reschedule') expect(after.dueAt).toEqual(vn('2026-12-30T17:00'));
    else {
      expect(after.dueAt).toEqual(before.dueAt);
      expect(after.clockStoppedAt).toEqual(before.clockStoppedAt);
    }
    // Settled or not.
    expect(after.finishedAt).toEqual(def.finishes ? now : before.finishedAt);
    // The form it issues can now be printed.
    if (form) expect(await issuesOrNot(dossierFormPdf(t.database.db, actors[c.by], d.id, form, 'http://x', at()))).toBe('issued');
  });

  it('an action that needs a reason is refused without one; the input list matches the definitions', async () => {
    const clerk = await actorFor(t.database, sctClerkUsername());
    const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
    const d = await receiveAtCounter(
      t.database.db,
      clerk,
      { procedureId: p!.id, channel: '1', fullName: 'Đinh Thị Lý Do' },
      vn('2026-11-23T08:00'),
    );
    for (const a of ACTIONS.filter((x) => ACTION_DEFS[x].inputs.note === 'required')) {
      const e = (await actOnDossier(t.database.db, clerk, d.id, { action: a }).catch((x: AppError) => x)) as AppError;
      expect(e.fields?.note, a).toBeTruthy();
    }
  });
});

describe('the API reads the same data', () => {
  it('statusCode and statusLabel are the TrangThaiHoSo code and the label of STATUSES', async () => {
    const admin = await actorFor(t.database, 'admin.sct');
    const clerkRow = (await accountByUsername(t.database, sctClerkUsername()))!;
    const { token } = await issueApiClient(t.database.db, admin, clerkRow.id, { name: 'Kiểm tra trạng thái' });
    const call = async (method: string, p: string, body?: unknown) => {
      const res = await t.app.request(`http://localhost/api/v1${p}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : null,
      });
      return (await res.json()) as {
        status: DossierStatus;
        statusCode: number;
        statusLabel: string;
        id: string;
        items?: Array<{ status: DossierStatus; statusCode: number }>;
      };
    };
    const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
    // Channel 2 is the portals' (an official's key is refused it): the online dossier comes in as the portal does.
    const clerk = await actorFor(t.database, sctClerkUsername());
    const online = await receiveAtCounter(
      t.database.db,
      clerk,
      { procedureId: p!.id, channel: '2', fullName: 'Phan Văn Mạng' },
      new Date(),
    );
    const { v } = await currentProcedure(t.database, '2.000633');
    const made = await call('POST', '/dossiers', {
      procedureId: p!.id,
      channel: 1,
      fullName: 'Phan Văn Mã',
      documents: completeChecklist(v.documents),
    });
    for (const x of [made, await call('GET', `/dossiers/${made.id}`), await call('GET', `/dossiers/${online.id}`)]) {
      expect(x.statusCode).toBe(STATUSES[x.status].code);
      expect(x.statusLabel).toBe(STATUSES[x.status].label);
    }
    const list = await call('GET', '/dossiers?tab=cho-tiep-nhan');
    expect(list.items!.length).toBeGreaterThan(0);
    for (const r of list.items!) expect(r.statusCode).toBe(STATUSES[r.status].code);
  });
});
