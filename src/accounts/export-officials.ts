import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { accounts, accountIdentities, units } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { StaffActor } from '../shared/context.js';
import { formatDate } from '../shared/dates.js';
import { ancestorIds, subtreeIds } from '../org/tree.js';
import { OFFICIAL_COLUMNS, genderLabel } from './official-columns.js';
import { listOfficials } from './list-officials.js';
import { adminRootUnitIds, administeredUnitIds, requireAdministerUnit } from './policies.js';

/** Rows of the officials the actor administers (a unit's subtree, optionally filtered by search), as column → text. */
async function exportRows(db: Db, actor: StaffActor, unitId: string | undefined, q: string | undefined) {
  let ids: string[];
  if (q) {
    ids = (await listOfficials(db, actor, { unitId, q, limit: 100_000 })).rows.map((r) => r.id);
  } else if (unitId) {
    await requireAdministerUnit(db, actor, unitId);
    const unitIds = await subtreeIds(db, [unitId]);
    ids = (
      await db
        .select({ id: accounts.id })
        .from(accounts)
        .where(and(inArray(accounts.unitId, unitIds), isNull(accounts.deletedAt)))
    ).map((r) => r.id);
  } else {
    const unitIds = await administeredUnitIds(db, actor);
    ids = unitIds.length
      ? (
          await db
            .select({ id: accounts.id })
            .from(accounts)
            .where(and(inArray(accounts.unitId, unitIds), isNull(accounts.deletedAt)))
        ).map((r) => r.id)
      : [];
  }
  if (ids.length === 0) return [];
  const rows = await db
    .select({ a: accounts, p: accountIdentities, unitName: units.name })
    .from(accounts)
    .innerJoin(units, eq(units.id, accounts.unitId))
    .leftJoin(accountIdentities, eq(accountIdentities.accountId, accounts.id))
    .where(inArray(accounts.id, ids))
    .orderBy(asc(units.name), asc(accounts.givenName), asc(accounts.username));
  const yes = (b: boolean) => (b ? 'x' : '');
  return rows.map(({ a, p, unitName }) => ({
    username: a.username,
    middleName: a.middleName,
    givenName: a.givenName,
    phone: a.phone ?? '',
    mobile: a.mobile ?? '',
    emails: a.emails ?? '',
    unit: unitName,
    position: a.position ?? '',
    receptionPlace: a.receptionPlace ?? '',
    returnAddress: a.returnAddress ?? '',
    beneficiaryAccount: a.beneficiaryAccount ?? '',
    bankCode: a.bankCode ?? '',
    taxCode: a.taxCode ?? '',
    cardName: p?.fullName ?? '',
    dateOfBirth: formatDate(p?.dateOfBirth),
    gender: genderLabel(p?.gender),
    cccd: p?.cccd ?? '',
    issueDate: formatDate(p?.issueDate),
    issuePlace: p?.issuePlace ?? '',
    address: p?.address ?? '',
    receivingUnitPhone: a.receivingUnitPhone ?? '',
    agencyAddress: a.agencyAddress ?? '',
    suspended: yes(a.suspended),
    unitRepresentative: yes(a.unitRepresentative),
    divisionRepresentative: yes(a.divisionRepresentative),
  }));
}

function csvCell(v: string): string {
  // Quote everything; neutralise spreadsheet formulas in exported text.
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return `"${safe.replace(/"/g, '""')}"`;
}

async function encode(rows: Array<Record<string, string>>, format: 'xlsx' | 'csv'): Promise<Uint8Array> {
  if (format === 'csv') {
    const lines = [OFFICIAL_COLUMNS.map(([, label]) => csvCell(label)).join(',')];
    for (const r of rows) lines.push(OFFICIAL_COLUMNS.map(([key]) => csvCell(r[key] ?? '')).join(','));
    return new TextEncoder().encode(`\uFEFF${lines.join('\r\n')}\r\n`);
  }
  // Loaded on first use: exceljs costs start time and memory (docs/decisions/0029).
  const { Workbook } = (await import('exceljs')).default;
  const wb = new Workbook();
  const ws = wb.addWorksheet('Cán bộ');
  ws.columns = OFFICIAL_COLUMNS.map(([key, label]) => ({ header: label, key, width: Math.max(12, label.length + 2) }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(r);
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

/** An empty file with the column headers, to fill in and import. */
export function officialsTemplate(format: 'xlsx' | 'csv'): Promise<Uint8Array> {
  return encode([], format);
}

/**
 * The units an export covers, as the audit rows are filed under them: the unit chosen, else every unit the actor
 * administers at its top (a root nested in another root of theirs is covered by it). Nhật ký hệ thống shows a row
 * to whoever administers its unit (audit/list.ts), so the administrators of every exported unit see who took
 * their officials' CCCD, birth dates and addresses — the actor's own scope and the province above it.
 */
async function exportedRoots(db: Db, actor: StaffActor, unitId: string | undefined): Promise<string[]> {
  if (unitId) return [unitId];
  const roots = [...new Set(await adminRootUnitIds(db, actor))];
  const top: string[] = [];
  for (const id of roots) {
    const above = (await ancestorIds(db, id)).slice(1);
    if (!above.some((a) => roots.includes(a))) top.push(id);
  }
  return top;
}

/** The list as XLSX or CSV (UTF-8 with BOM so Excel shows Vietnamese correctly). Audited: one row per exported root. */
export async function exportOfficials(
  db: Db,
  actor: StaffActor,
  opts: { unitId?: string | undefined; q?: string | undefined; format: 'xlsx' | 'csv' },
): Promise<{ body: Uint8Array; count: number }> {
  const rows = await exportRows(db, actor, opts.unitId, opts.q);
  const body = await encode(rows, opts.format);
  const roots = await exportedRoots(db, actor, opts.unitId);
  await db.transaction(async (tx) => {
    // No unit administered (nothing exported): the row is kept all the same, under no unit.
    for (const unitId of roots.length ? roots : [null]) {
      await recordAudit(tx, {
        action: 'account.export',
        actor,
        unitId,
        data: { format: opts.format, count: rows.length, q: opts.q ?? null, units: roots },
      });
    }
  });
  return { body, count: rows.length };
}
