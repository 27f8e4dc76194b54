/**
 * TRANG CÁ NHÂN: the citizen's dossiers by group with live counts, a group's list, and one dossier as its applicant
 * sees it. Every query goes through citizen-dossiers.ts (the one rule), so what is counted is what is listed and
 * what opens.
 */
import crypto from 'node:crypto';
import { and, asc, count, desc, eq, inArray, sql, type SQL, ne } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { afterKeysetCursor, cursorInstant, keysetCursor, parseKeysetCursor } from '../db/keyset-cursor.js';
import { citizens, dossierEvents, dossierFiles, dossierRatings, dossiers, procedureVersions, units } from '../db/schema/index.js';
import type { CitizenActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import { isId } from '../shared/validate.js';
import { ACTION_DEFS, STATUS_LABELS, allowedForApplicant, eventLabel, type DossierStatus } from '../dossiers/transitions.js';
import { paidPaymentOf, unpaidCondition } from '../payments/queries.js';
import { citizenDossiersWherePrepared, citizenValues, provenNumber, requireCitizenDossier } from './citizen-dossiers.js';

/** The groups of TRANG CÁ NHÂN (seed 000 §2), in the order shown, with the statuses each holds. */
export const GROUPS = {
  'cho-thanh-toan': { label: 'Hồ sơ chờ thanh toán lệ phí', statuses: null },
  'da-nop': { label: 'Hồ sơ đã nộp', statuses: [] },
  'cho-bo-sung': { label: 'Hồ sơ chờ bổ sung', statuses: ['supplement'] },
  'cho-xac-nhan': { label: 'Hồ sơ chờ xác nhận', statuses: ['submitted'] },
  'khong-du-dieu-kien': { label: 'Hồ sơ không đủ điều kiện giải quyết', statuses: ['refused', 'rejected', 'stopped'] },
  'da-huy': { label: 'Hồ sơ đã hủy', statuses: ['withdrawn'] },
} as const satisfies Record<string, { label: string; statuses: readonly DossierStatus[] | null }>;
export type Group = keyof typeof GROUPS;
export const GROUP_KEYS = Object.keys(GROUPS) as [Group, ...Group[]];

/** What the one rule needs of a citizen (citizen-dossiers.ts). A page has it from the session already. */
type CitizenFacts = Pick<typeof citizens.$inferSelect, 'id' | 'accountType' | 'cccd' | 'taxCode' | 'loa'>;

/** The citizen's facts: as given (the row the session lookup read for this request), or read for an actor. */
function factsOf(db: Queryable, who: CitizenActor | CitizenFacts): Promise<CitizenFacts> {
  return 'kind' in who ? citizenOf(db, who) : Promise.resolve(who);
}

async function citizenOf(db: Queryable, actor: CitizenActor) {
  const [c] = await db.select().from(citizens).where(eq(citizens.id, actor.citizenId));
  if (!c) throw errors.unauthenticated();
  return c;
}

function groupWhere(group: Group): SQL | undefined {
  if (group === 'cho-thanh-toan') return unpaidCondition();
  const statuses: readonly DossierStatus[] = GROUPS[group].statuses;
  return statuses.length ? inArray(dossiers.status, [...statuses]) : undefined;
}

type PreparedQuery<T> = { execute(values: Record<string, unknown>): Promise<T> };
const preparedQueries = new WeakMap<object, Map<string, PreparedQuery<unknown>>>();

/**
 * A query of these pages built once per database and shape (what changes its text: with or without a proven
 * number, the group, a cursor), its values as placeholders, run as a named prepared statement named after its text:
 * each connection plans it once — planning the list cost more than running it — and the query and its SQL are not
 * built again on every page view (a tenth of the page's CPU in a profile of bench/portal.ts). PGlite runs it unnamed.
 */
function preparedOnce<T>(
  db: Queryable,
  shape: string,
  build: () => { toSQL(): { sql: string }; prepare(name: string): PreparedQuery<T> },
): PreparedQuery<T> {
  let byShape = preparedQueries.get(db);
  if (!byShape) {
    byShape = new Map();
    preparedQueries.set(db, byShape);
  }
  let query = byShape.get(shape) as PreparedQuery<T> | undefined;
  if (!query) {
    const built = build();
    query = built.prepare(`mc_${crypto.createHash('sha1').update(built.toSQL().sql).digest('base64url').slice(0, 22)}`);
    byShape.set(shape, query as PreparedQuery<unknown>);
  }
  return query;
}

/** Each group's count: one statement over the citizen's dossiers, by status, with how many of each still owe their fee. */
export async function dossierCounts(db: Queryable, who: CitizenActor | CitizenFacts): Promise<Record<Group, number>> {
  const citizen = await factsOf(db, who);
  const withNumber = provenNumber(citizen) !== null;
  const byStatus = await preparedOnce(db, `counts:${withNumber}`, () =>
    db
      .select({
        status: dossiers.status,
        n: count(),
        unpaid: sql<number>`count(*) filter (where ${unpaidCondition()})`.mapWith(Number),
      })
      .from(dossiers)
      .where(citizenDossiersWherePrepared(withNumber))
      .groupBy(dossiers.status),
  ).execute(citizenValues(citizen));
  const n = (statuses: readonly DossierStatus[]) => byStatus.filter((r) => statuses.includes(r.status)).reduce((a, r) => a + r.n, 0);
  const out = {} as Record<Group, number>;
  for (const g of GROUP_KEYS) {
    const statuses: readonly DossierStatus[] | null = GROUPS[g].statuses;
    out[g] =
      statuses === null
        ? byStatus.reduce((a, r) => a + r.unpaid, 0)
        : statuses.length
          ? n(statuses)
          : byStatus.reduce((a, r) => a + r.n, 0);
  }
  return out;
}

const PAGE_SIZE = 20;

/**
 * A group's dossiers, newest first, by keyset (created_at, id) pages. `after`: the cursor of the address as typed
 * (db/keyset-cursor.ts: to the microsecond, as the notices'); a malformed one is read as the first page. `next`: the
 * cursor of the page that follows, or null.
 */
export async function listMyDossiers(db: Queryable, who: CitizenActor | CitizenFacts, group: Group, after: string | null | undefined) {
  const citizen = await factsOf(db, who);
  const withNumber = provenNumber(citizen) !== null;
  const cursor = parseKeysetCursor(after ?? undefined);
  const page = cursor
    ? afterKeysetCursor(dossiers.createdAt, dossiers.id, sql.placeholder('afterAt'), sql.placeholder('afterId'))
    : undefined;
  const rows = await preparedOnce(db, `list:${withNumber}:${group}:${cursor !== null}`, () =>
    db
      .select({
        id: dossiers.id,
        code: dossiers.code,
        status: dossiers.status,
        createdAt: dossiers.createdAt,
        receivedAt: dossiers.receivedAt,
        dueAt: dossiers.dueAt,
        procedureName: procedureVersions.name,
        agencyName: units.name,
        cursorAt: cursorInstant(dossiers.createdAt),
      })
      .from(dossiers)
      .innerJoin(procedureVersions, eq(procedureVersions.id, dossiers.procedureVersionId))
      .innerJoin(units, eq(units.id, dossiers.agencyUnitId))
      .where(and(citizenDossiersWherePrepared(withNumber), groupWhere(group), page))
      .orderBy(desc(dossiers.createdAt), desc(dossiers.id))
      .limit(PAGE_SIZE + 1),
  ).execute({ ...citizenValues(citizen), afterAt: cursor?.at, afterId: cursor?.id });
  const shown = rows.slice(0, PAGE_SIZE);
  const last = shown.at(-1);
  return {
    rows: shown.map(({ cursorAt: _, ...r }) => ({ ...r, statusLabel: STATUS_LABELS[r.status] })),
    next: rows.length > PAGE_SIZE && last ? keysetCursor(last.cursorAt, last.id) : null,
  };
}

/** History rows that concern the applicant; internal hand-overs between officials are not theirs to follow. */
const APPLICANT_EVENTS = new Set([
  'submit',
  'receive',
  'accept',
  'request_supplement',
  'supplement_received',
  'refuse',
  'stop',
  'extend',
  'approve',
  'return_result',
  'withdraw',
]);

/**
 * A Phê duyệt below the last approval level (transitions.ts actionAt): the dossier went on to the next level, still
 * being processed — an internal hand-over, not the decision the applicant waits for (which leaves it Đã xử lý xong).
 */
const handsOnApproval = (e: typeof dossierEvents.$inferSelect) => e.action === 'approve' && e.toStatus !== ACTION_DEFS.approve.to;

/**
 * The history of a dossier as its applicant sees it: only the events that concern them, each told as done by the
 * applicant or by the agency — never an official's name, never an internal hand-over. Dữ liệu của tôi tells it the same.
 */
export function applicantHistory(events: ReadonlyArray<typeof dossierEvents.$inferSelect>, agencyName: string) {
  return events
    .filter((e) => APPLICANT_EVENTS.has(e.action) && !handsOnApproval(e))
    .map((e) => ({
      at: e.at,
      action: e.action,
      label: eventLabel(e.action),
      by: e.actorKind === 'citizen' ? 'Người nộp' : agencyName,
      note: e.action === 'request_supplement' || e.action === 'refuse' || e.action === 'stop' || e.action === 'extend' ? e.note : null,
      items: Array.isArray(e.data.items) ? e.data.items.filter((x): x is string => typeof x === 'string') : [],
    }));
}

/** Whether the agency accepted the dossier: only then does the applicant have its lookup code and due date. */
export function wasAccepted(status: DossierStatus, events: ReadonlyArray<{ action: string }>): boolean {
  return status !== 'submitted' && status !== 'refused' ? true : events.some((e) => e.action === 'accept' || e.action === 'receive');
}

/** One dossier as its applicant sees it: no official's name, no internal step. */
export async function viewMyDossier(db: Queryable, actor: CitizenActor, dossierId: string) {
  const d = await requireCitizenDossier(db, actor, dossierId);
  const [version] = await db.select().from(procedureVersions).where(eq(procedureVersions.id, d.procedureVersionId));
  const [agency] = await db.select({ name: units.name }).from(units).where(eq(units.id, d.agencyUnitId));
  const [events, files, [rating], payment] = await Promise.all([
    db.select().from(dossierEvents).where(eq(dossierEvents.dossierId, d.id)).orderBy(asc(dossierEvents.id)),
    db
      .select({
        id: dossierFiles.id,
        kind: dossierFiles.kind,
        name: dossierFiles.name,
        size: dossierFiles.size,
        label: dossierFiles.documentLabel,
      })
      .from(dossierFiles)
      .where(and(eq(dossierFiles.dossierId, d.id), applicantMaySee(d.status)))
      .orderBy(asc(dossierFiles.uploadedAt)),
    db.select().from(dossierRatings).where(eq(dossierRatings.dossierId, d.id)),
    paidPaymentOf(db, d.id),
  ]);
  if (!version || !agency) throw errors.notFound('Hồ sơ');
  const history = applicantHistory(events, agency.name);
  const accepted = wasAccepted(d.status, events);
  return {
    dossier: d,
    procedureName: version.name,
    fee: version.fee,
    feeNote: version.feeNote,
    paid: payment !== null,
    /**
     * The fee paid online: amount, time, transaction. `receipt`: whether this citizen may download its Biên lai — the
     * receipt is the payer's (payments/receipt.ts), and a dossier is also seen by the applicant another citizen paid for.
     */
    payment: payment
      ? {
          id: payment.id,
          amount: payment.amount,
          paidAt: payment.paidAt,
          transactionId: payment.transactionId,
          receipt: payment.citizenId === actor.citizenId,
        }
      : null,
    agencyName: agency.name,
    statusLabel: STATUS_LABELS[d.status],
    accepted,
    history,
    files,
    rating: rating ?? null,
    canWithdraw: allowedForApplicant('withdraw', d.status),
    canSupply: allowedForApplicant('supplement_received', d.status),
    canRate: d.status === 'returned' && !rating,
  };
}

/**
 * The files of their dossier an applicant may see: what was sent, always; the result only once it was returned (a
 * result attached while the dossier is still being processed or approved is the agency's draft, not yet issued).
 */
function applicantMaySee(status: DossierStatus): SQL | undefined {
  return resultIssued(status) ? undefined : ne(dossierFiles.kind, 'result');
}

/** The same rule for a file already read (Dữ liệu của tôi reads the files of all the citizen's dossiers at once). */
export function applicantMaySeeFile(status: DossierStatus, kind: (typeof dossierFiles.$inferSelect)['kind']): boolean {
  return kind !== 'result' || resultIssued(status);
}

const resultIssued = (status: DossierStatus) => status === 'returned';

/** A file of the citizen's dossier (what they sent, or a result issued to them), for download. */
export async function myDossierFile(db: Queryable, actor: CitizenActor, dossierId: string, fileId: string) {
  const d = await requireCitizenDossier(db, actor, dossierId);
  if (!isId(fileId)) throw errors.notFound('Tệp');
  const [f] = await db
    .select()
    .from(dossierFiles)
    .where(and(eq(dossierFiles.id, fileId), eq(dossierFiles.dossierId, d.id), applicantMaySee(d.status)));
  if (!f) throw errors.notFound('Tệp');
  return f;
}
