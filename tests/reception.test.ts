import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { dossierEvents, dossiers, procedures, procedureVersions, sectors } from '../src/db/schema/index.js';
import { completeChecklist, receiveAtCounter } from './support/reception.js';
import { loadCalendar } from '../src/calendar/load.js';
import { dueAt } from '../src/calendar/deadlines.js';
import type { AppError } from '../src/shared/errors.js';
import { receiveDossier } from '../src/dossiers/receive-dossier.js';
import { systemActor } from '../src/shared/context.js';

const t = useDemoApp();
const vn = (s: string) => new Date(`${s}+07:00`);

async function procedureId(code: string) {
  const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, code));
  return p!.id;
}

const applicant = { fullName: 'Lê Văn Thử', cccd: '070085000999', phone: '0912000999', email: 'thu@example.invalid', address: 'Đồng Xoài' };

describe('the demo catalog', () => {
  it('has at least 20 procedures across at least 5 sectors, each with documents and a process', async () => {
    const versions = await t.database.db.select().from(procedureVersions);
    expect(versions.length).toBeGreaterThanOrEqual(20);
    expect(new Set(versions.map((v) => v.sectorId)).size).toBeGreaterThanOrEqual(5);
    expect((await t.database.db.select().from(sectors)).length).toBeGreaterThanOrEqual(5);
    for (const v of versions) {
      expect(v.documents.length).toBeGreaterThan(0);
      expect(v.steps.map((s) => s.role)).toEqual(['reception', 'processing', 'approval', 'result']);
      // One kind of limit: days (0 = trong ngày làm việc) or hours.
      expect((v.workingDays !== null) !== (v.workingHours !== null)).toBe(true);
    }
  });
});

describe('TIẾP NHẬN HỒ SƠ', () => {
  it('receives a direct dossier: code <agency>-<YYMMDD>-<XXXX>, due date on the calendar, history', async () => {
    const clerk = await actorFor(t.database, sctClerkUsername());
    const now = vn('2026-11-23T09:15');
    const d = await receiveAtCounter(t.database.db, clerk, { procedureId: await procedureId('2.000633'), channel: '1', ...applicant }, now);
    expect(d.code).toBe('000.00.13.H10-261123-0001');
    expect(d.lookupCode).toMatch(/^[A-Z2-9]{10}$/);
    expect(d.status).toBe('received');
    const cal = await loadCalendar(t.database.db, now);
    expect(d.dueAt.toISOString()).toBe(dueAt(cal, now, { workingDays: 10 }).toISOString());
    expect(d.dueAt.toISOString()).toBe(vn('2026-12-07T17:00').toISOString());
    const history = await t.database.db.select().from(dossierEvents).where(eq(dossierEvents.dossierId, d.id));
    expect(history).toMatchObject([{ action: 'receive', toStatus: 'received', actorLabel: sctClerkUsername() }]);
    const second = await receiveAtCounter(
      t.database.db,
      clerk,
      { procedureId: await procedureId('2.000190'), channel: '3', ...applicant },
      now,
    );
    expect(second.code).toBe('000.00.13.H10-261123-0002');
    const nextDay = await receiveAtCounter(
      t.database.db,
      clerk,
      { procedureId: await procedureId('2.000190'), channel: '1', ...applicant },
      vn('2026-11-24T08:00'),
    );
    expect(nextDay.code).toBe('000.00.13.H10-261124-0001');
  });

  it('refuses an official outside the reception step', async () => {
    const other = await actorFor(t.database, 'admin.snv');
    const err = await receiveAtCounter(t.database.db, other, {
      procedureId: await procedureId('2.000633'),
      channel: '1',
      ...applicant,
    }).catch((e: AppError) => e);
    expect((err as AppError).code).toBe('not_your_step');
    expect(await t.database.db.select().from(dossiers)).toHaveLength(0);
  });

  it('never registers an online dossier for an official, however channel 2 is written; the system actor registers it', async () => {
    const clerk = await actorFor(t.database, sctClerkUsername());
    const procedure = await procedureId('2.000633');
    for (const channel of [2, '2', ' 2 ', '2.0']) {
      const err = await receiveDossier(t.database.db, clerk, { procedureId: procedure, channel, ...applicant }).catch((e: AppError) => e);
      expect((err as AppError).code, JSON.stringify(channel)).toBe('online_channel_reserved');
      expect((err as AppError).fields?.channel).toContain('Cổng Dịch vụ công');
    }
    for (const channel of [[2], ['2'], { value: 2 }, false, '']) {
      const err = await receiveDossier(t.database.db, clerk, { procedureId: procedure, channel, ...applicant }).catch((e: AppError) => e);
      expect((err as AppError).fields?.channel, JSON.stringify(channel)).toContain('hình thức tiếp nhận');
    }
    expect(await t.database.db.select().from(dossiers)).toHaveLength(0);
    // The use: the national portal's pull (the system actor) registers it, Mới đăng ký, received by nobody.
    const online = await receiveDossier(t.database.db, systemActor('national-portal:test'), {
      procedureId: procedure,
      channel: 2,
      ...applicant,
    });
    expect(online).toMatchObject({ channel: 2, status: 'submitted', receivedBy: null });
  });

  it('explains bad input and writes nothing', async () => {
    const clerk = await actorFor(t.database, sctClerkUsername());
    const err = await receiveAtCounter(t.database.db, clerk, {
      procedureId: await procedureId('2.000633'),
      channel: '9',
      fullName: '',
      cccd: '12345',
    }).catch((e: AppError) => e);
    expect((err as AppError).fields).toMatchObject({
      channel: expect.stringContaining('trực tiếp'),
      fullName: expect.stringContaining('họ tên'),
      cccd: expect.stringContaining('12 chữ số'),
    });
    expect(await t.database.db.select().from(dossiers)).toHaveLength(0);
  });

  it('200 concurrent receptions in one agency and day get 200 distinct consecutive codes', async () => {
    const clerk = await actorFor(t.database, sctClerkUsername());
    const { p, v } = await currentProcedure(t.database, '2.000633');
    const documents = completeChecklist(v.documents);
    const now = vn('2026-11-25T10:00');
    const made = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        receiveAtCounter(
          t.database.db,
          clerk,
          { procedureId: p.id, channel: '1', ...applicant, fullName: `Người nộp ${i}`, documents },
          now,
        ),
      ),
    );
    const seqs = made.map((d) => Number(d.code.slice(-4))).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(new Set(made.map((d) => d.lookupCode)).size).toBe(200);
  });
});

describe('public lookup', () => {
  it('needs both the dossier code and the lookup code, and shows no personal data', async () => {
    const { Client } = await import('./support/app.js');
    const clerk = await actorFor(t.database, sctClerkUsername());
    const d = await receiveAtCounter(t.database.db, clerk, { procedureId: await procedureId('2.000633'), channel: '1', ...applicant });
    const c = new Client(t.app);
    const ok = await c.get(`/tra-cuu?ma=${encodeURIComponent(d.code)}&matracuu=${d.lookupCode.toLowerCase()}`);
    expect(ok.text).toContain('Được tiếp nhận');
    expect(ok.text).toContain('Lê V. T.');
    expect(ok.text).not.toContain(applicant.cccd);
    expect(ok.text).not.toContain(applicant.phone);
    const wrong = await c.get(`/tra-cuu?ma=${encodeURIComponent(d.code)}&matracuu=AAAAAAAAAA`);
    expect(wrong.text).toContain('Không tìm thấy hồ sơ');
  });
});
