import { and, asc, count, eq, gte, inArray, lt } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { dossiers, procedureVersions, STATUS_LABELS, units } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { StaffActor } from '../shared/context.js';
import { todayInVietnam } from '../shared/dates.js';
import { AppError, errors } from '../shared/errors.js';
import { withDocumentBuild } from '../shared/slots.js';
import { TIMELINESS_LABELS, timeliness } from '../calendar/deadlines.js';
import { ancestorIds } from '../org/tree.js';
import { mayReadRegister, registerDossierIds } from './access.js';
import { registerPdf } from './forms/index.js';
import { isId } from '../shared/validate.js';

/** The longest period of one register: a year, a leap year's included. */
const REGISTER_MAX_DAYS = 366;
/**
 * The most dossiers one register lists: the statistics exports' cap (statistics/situation-report.ts), whose PDF
 * takes about 6 s at it. The PDF is built synchronously, holding the process; a busier period is refused (never
 * cut short: a register missing rows would read as complete) and the official asked for a shorter one.
 */
const REGISTER_MAX_ROWS = 5_000;

const DAY_MS = 86_400_000;
const number = new Intl.NumberFormat('vi-VN');

/** A period the register refuses, said at đến ngày (`to`), as the form names it. */
const periodRefused = (code: string, message: string) => new AppError(code, message, 400, { to: message });

/**
 * Mẫu 07 — Sổ theo dõi hồ sơ: the dossiers a receiving agency received in [from, to), for the officials
 * dossiers/access.ts lets read it — of those, the ones the reader sees (registerDossierIds): every row opens.
 * Bounded: at most REGISTER_MAX_DAYS days and `maxRows` dossiers (a larger register is refused, 400 at `to`), and
 * one of the process's document builds (shared/slots.ts; 503 busy beyond them). Each register handed out is audited
 * (dossier_register.download), filed under the agency so its administrators see it in Nhật ký hệ thống: it lists
 * the applicants' names.
 */
export async function dossierRegisterPdf(
  db: Queryable,
  actor: StaffActor,
  agencyUnitId: string,
  from: Date,
  to: Date,
  maxRows = REGISTER_MAX_ROWS,
): Promise<{ pdf: Buffer; fileName: string }> {
  await requireRegisterReader(db, actor, agencyUnitId);
  if (to.getTime() <= from.getTime()) throw periodRefused('invalid_period', 'Đến ngày phải cùng ngày hoặc sau từ ngày.');
  if (to.getTime() - from.getTime() > REGISTER_MAX_DAYS * DAY_MS)
    throw periodRefused(
      'register_period_too_long',
      `Mỗi lần lập sổ theo dõi cho tối đa ${REGISTER_MAX_DAYS} ngày. Vui lòng chọn khoảng thời gian ngắn hơn.`,
    );
  const tooMany = (n: string) =>
    periodRefused(
      'register_too_large',
      `Khoảng thời gian đã chọn có ${n} hồ sơ, quá ${number.format(maxRows)} hồ sơ của một lần lập sổ. ` +
        'Vui lòng chọn khoảng thời gian ngắn hơn (ví dụ từng tháng hoặc từng quý).',
    );
  const [counted] = await db
    .select({ n: count() })
    .from(dossiers)
    .where(registerWhere(actor, agencyUnitId, from, to));
  if (counted!.n > maxRows) throw tooMany(number.format(counted!.n));

  return withDocumentBuild(async () => {
    const rows = await readRows(db, actor, agencyUnitId, from, to, maxRows + 1);
    // Received since the count: refused all the same, never cut short.
    if (rows.length > maxRows) throw tooMany(`hơn ${number.format(maxRows)}`);
    const { pdf, agency } = await buildPdf(db, agencyUnitId, from, to, rows);
    await recordAudit(db, {
      action: 'dossier_register.download',
      actor,
      targetType: 'unit',
      targetId: agencyUnitId,
      unitId: agencyUnitId,
      data: { periodFrom: todayInVietnam(from), periodTo: todayInVietnam(new Date(to.getTime() - 1)), dossiers: rows.length },
    });
    return { pdf, fileName: registerFileName(agency, from, to) };
  });
}

/**
 * The register's file name: the agency (its electronic agency code, or its short name, else its name) and the
 * period's two days, so that registers saved side by side — a month each, several agencies — tell themselves apart:
 * so-theo-doi-ho-so-000.00.12.H40-01.11.2026-30.11.2026.pdf. `to` is the end of the period (exclusive).
 */
function registerFileName(agency: { name: string; shortName: string | null; agencyCode: string | null }, from: Date, to: Date) {
  const day = (d: Date) => todayInVietnam(d).split('-').reverse().join('.');
  const who = (agency.agencyCode || agency.shortName || agency.name).replace(/[\\/:*?"<>|\s]+/g, '-');
  return `so-theo-doi-ho-so-${who}-${day(from)}-${day(new Date(to.getTime() - 1))}.pdf`;
}

/** The register's rows: of the agency's dossiers received in [from, to), those the reader sees; 404 for an agency they may not read. */
export async function dossierRegisterRows(db: Queryable, actor: StaffActor, agencyUnitId: string, from: Date, to: Date) {
  await requireRegisterReader(db, actor, agencyUnitId);
  return readRows(db, actor, agencyUnitId, from, to, REGISTER_MAX_ROWS + 1);
}

async function requireRegisterReader(db: Queryable, actor: StaffActor, agencyUnitId: string) {
  if (!isId(agencyUnitId)) throw errors.notFound('Đơn vị');
  if (!(await mayReadRegister(db, actor, agencyUnitId))) throw errors.notFound('Đơn vị');
}

const registerWhere = (actor: StaffActor, agencyUnitId: string, from: Date, to: Date) =>
  and(
    eq(dossiers.agencyUnitId, agencyUnitId),
    gte(dossiers.receivedAt, from),
    lt(dossiers.receivedAt, to),
    inArray(dossiers.id, registerDossierIds(actor, agencyUnitId)),
  );

function readRows(db: Queryable, actor: StaffActor, agencyUnitId: string, from: Date, to: Date, limit: number) {
  return db
    .select({ d: dossiers, procedureName: procedureVersions.name })
    .from(dossiers)
    .innerJoin(procedureVersions, eq(procedureVersions.id, dossiers.procedureVersionId))
    .where(registerWhere(actor, agencyUnitId, from, to))
    .orderBy(asc(dossiers.receivedAt))
    .limit(limit);
}

async function buildPdf(db: Queryable, agencyUnitId: string, from: Date, to: Date, rows: Awaited<ReturnType<typeof readRows>>) {
  const chain = await ancestorIds(db, agencyUnitId);
  const [agency] = await db.select().from(units).where(eq(units.id, agencyUnitId));
  const [root] = chain.length
    ? await db
        .select()
        .from(units)
        .where(eq(units.id, chain[chain.length - 1]!))
    : [];
  const parent = chain[1] ? (await db.select().from(units).where(eq(units.id, chain[1])))[0] : undefined;
  const pdf = await registerPdf({
    agency: { name: agency!.name, parentName: parent?.name ?? null, place: (root?.name ?? '').replace(/^(Tỉnh|Thành phố)\s+/i, '') },
    from,
    to: new Date(to.getTime() - 1),
    rows: rows.map(({ d, procedureName }) => ({
      code: d.code,
      procedureName,
      applicant: d.applicant.fullName,
      receivedAt: d.receivedAt,
      dueAt: d.dueAt,
      finishedAt: d.finishedAt,
      returnedAt: d.returnedAt,
      status: STATUS_LABELS[d.status],
      timeliness: d.finishedAt ? TIMELINESS_LABELS[timeliness(d.dueAt, d.finishedAt)] : '',
    })),
  });
  return { pdf, agency: agency! };
}
