/**
 * Dữ liệu của tôi: everything the system holds about a citizen (Nghị định 13/2023/NĐ-CP, the data subject's right to
 * see and obtain their data), read once for the page and for the ZIP (my-data-export.ts).
 *
 * What is theirs is decided where it always is: their dossiers by the one rule (citizen-dossiers.ts), each dossier's
 * history and files as the applicant sees them on the dossier's page (my-dossiers.ts: no official's name, no internal
 * hand-over, a result only once returned); drafts, payments, ratings, personal files and sessions by their citizen id;
 * audit rows by actor (kind 'citizen', id = theirs). Never a session's token hash, a payment's merchant code or
 * signature, an audit row's chain hashes.
 */
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import type { PaymentStatus } from '../db/schema/payments.js';
import {
  auditLog,
  dossierDrafts,
  dossierEvents,
  dossierFiles,
  dossierRatings,
  dossiers,
  payments,
  personalFiles,
  procedureVersions,
  sessions,
  units,
  type Applicant,
  type DeclarationAnswer,
} from '../db/schema/index.js';
import { STATUS_LABELS, type DossierStatus } from '../dossiers/transitions.js';
import type { Citizen } from './citizen-context.js';
import { citizenDossiersWhere } from './citizen-dossiers.js';
import { applicantHistory, applicantMaySeeFile, wasAccepted } from './my-dossiers.js';
import { typedDraftFields } from './submit-dossier.js';
import { type MyNotification, type MyNotificationPreference, readMyNotifications } from '../notify/my-notifications.js';

/** A file the ZIP carries: where it goes in the archive and which stored blob holds its bytes (never shown). */
export type BlobEntry = { path: string; sha256: string; size: number; at: Date };

/** A file as data.json describes it: `path` is where its bytes are in the ZIP (null: described only). */
type FileRef = { name: string; mime: string; size: number; path: string | null };

/**
 * The shape of data.json (and of the page). Instants are ISO 8601 in UTC, calendar dates YYYY-MM-DD, amounts in đồng.
 * Version the `format` string when a field changes meaning or goes away; adding a field keeps it.
 */
export type MyData = {
  format: 'motcua/du-lieu-cua-toi/1';
  /** When the data were read. */
  readAt: Date;
  /** From VNeID at the last login (`lastClaims`: the claims as the provider sent them). */
  identity: {
    id: string;
    accountType: 'person' | 'organisation';
    fullName: string;
    cccd: string | null;
    dateOfBirth: string | null;
    gender: 'male' | 'female' | null;
    address: string | null;
    phone: string | null;
    email: string | null;
    taxCode: string | null;
    businessName: string | null;
    loa: number;
    issuer: string;
    subject: string;
    lastClaims: Record<string, unknown> | null;
    createdAt: Date;
    updatedAt: Date;
    lastLoginAt: Date | null;
  };
  /** Their portal sessions still kept (ended ones are purged): when, how, from which address and browser. */
  sessions: Array<{
    createdAt: Date;
    lastSeenAt: Date;
    expiresAt: Date;
    method: string;
    loa: number | null;
    ip: string | null;
    userAgent: string | null;
  }>;
  dossiers: Array<{
    id: string;
    code: string;
    /** Given to the applicant once the agency accepted the dossier. */
    lookupCode: string | null;
    procedure: string;
    agency: string;
    channel: 1 | 2 | 3;
    status: DossierStatus;
    statusLabel: string;
    /** true: submitted by this citizen on the portal; false: naming the number their VNeID login proved. */
    submittedByMe: boolean;
    createdAt: Date;
    receivedAt: Date | null;
    dueAt: Date | null;
    finishedAt: Date | null;
    returnedAt: Date | null;
    applicant: Applicant;
    /** The tờ khai as answered on the portal (null: none). */
    declaration: DeclarationAnswer[] | null;
    history: Array<{ at: Date; action: string; label: string; by: string; note: string | null; items: string[] }>;
    files: Array<
      FileRef & { id: string; kind: 'submitted' | 'supplement' | 'result' | 'scan'; documentLabel: string | null; uploadedAt: Date }
    >;
  }>;
  /** Nộp hồ sơ in progress: what was typed and the files already uploaded. */
  drafts: Array<{ procedure: string; fields: Record<string, string>; files: FileRef[]; updatedAt: Date }>;
  payments: Array<{
    id: string;
    dossierCode: string | null;
    amount: number;
    status: PaymentStatus;
    transactionId: string | null;
    createdAt: Date;
    paidAt: Date | null;
    closedAt: Date | null;
    refundedAt: Date | null;
  }>;
  ratings: Array<{ dossierCode: string | null; score: number; comment: string | null; at: Date }>;
  /** Quản lý tập tin cá nhân; a deleted file is described with its deletion time, its bytes are not exported. */
  personalFiles: Array<
    FileRef & { id: string; source: 'upload' | 'issued'; issuedBy: string | null; createdAt: Date; deletedAt: Date | null }
  >;
  /** Every message sent to them (in-app, Zalo, SMS, e-mail) and about their dossiers to the applicant (src/notify). */
  notifications: MyNotification[];
  /** Cài đặt thông báo: the channels they switched on or off (no row: on). */
  notificationPreferences: MyNotificationPreference[];
  /** What the audit log records them doing (their internal id is the actor). */
  activity: Array<{
    at: Date;
    action: string;
    targetType: string | null;
    targetId: string | null;
    ip: string | null;
    data: Record<string, unknown>;
  }>;
};

/** A name safe as one path segment inside a ZIP: no separators, no control characters, no leading dots. */
function zipSegment(name: string): string {
  const clean = name
    .normalize('NFC')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(0, 120);
  return clean || 'tep';
}

/** Everything held about the citizen, and the files the ZIP carries. `citizen` is the session's row. */
export async function readMyData(db: Queryable, citizen: Citizen, now: Date): Promise<{ data: MyData; blobs: BlobEntry[] }> {
  const blobs: BlobEntry[] = [];
  const place = (folder: string, name: string, f: { sha256: string; size: number }, at: Date): string => {
    const path = `${folder}/${String(blobs.length + 1).padStart(3, '0')}-${zipSegment(name)}`;
    blobs.push({ path, sha256: f.sha256, size: f.size, at });
    return path;
  };

  const [sessionRows, dossierRows, draftRows, paymentRows, ratingRows, personalRows, auditRows] = await Promise.all([
    db
      .select({
        createdAt: sessions.createdAt,
        lastSeenAt: sessions.lastSeenAt,
        expiresAt: sessions.expiresAt,
        method: sessions.method,
        loa: sessions.loa,
        ip: sessions.ip,
        userAgent: sessions.userAgent,
      })
      .from(sessions)
      .where(eq(sessions.citizenId, citizen.id))
      .orderBy(desc(sessions.createdAt)),
    db
      .select({ d: dossiers, procedure: procedureVersions.name, agency: units.name })
      .from(dossiers)
      .innerJoin(procedureVersions, eq(procedureVersions.id, dossiers.procedureVersionId))
      .innerJoin(units, eq(units.id, dossiers.agencyUnitId))
      .where(citizenDossiersWhere(citizen))
      .orderBy(desc(dossiers.createdAt), desc(dossiers.id)),
    db
      .select({ draft: dossierDrafts, procedure: procedureVersions.name })
      .from(dossierDrafts)
      .leftJoin(procedureVersions, and(eq(procedureVersions.procedureId, dossierDrafts.procedureId), eq(procedureVersions.current, true)))
      .where(eq(dossierDrafts.citizenId, citizen.id))
      .orderBy(desc(dossierDrafts.updatedAt)),
    db
      .select({ p: payments, code: dossiers.code })
      .from(payments)
      .leftJoin(dossiers, eq(dossiers.id, payments.dossierId))
      .where(eq(payments.citizenId, citizen.id))
      .orderBy(desc(payments.createdAt)),
    db
      .select({ r: dossierRatings, code: dossiers.code })
      .from(dossierRatings)
      .leftJoin(dossiers, eq(dossiers.id, dossierRatings.dossierId))
      .where(eq(dossierRatings.citizenId, citizen.id))
      .orderBy(desc(dossierRatings.at)),
    db
      .select({ f: personalFiles, issuedBy: units.name })
      .from(personalFiles)
      .leftJoin(units, eq(units.id, personalFiles.issuedByUnitId))
      .where(eq(personalFiles.citizenId, citizen.id))
      .orderBy(desc(personalFiles.createdAt), desc(personalFiles.id)),
    db
      .select({
        at: auditLog.at,
        action: auditLog.action,
        targetType: auditLog.targetType,
        targetId: auditLog.targetId,
        ip: auditLog.ip,
        data: auditLog.data,
      })
      .from(auditLog)
      // audit_log_citizen_actor_idx
      .where(and(eq(auditLog.actorKind, 'citizen'), eq(auditLog.actorId, citizen.id)))
      .orderBy(desc(auditLog.id)),
  ]);

  const ids = dossierRows.map((r) => r.d.id);
  const [[events, files], notices] = await Promise.all([
    ids.length
      ? Promise.all([
          db.select().from(dossierEvents).where(inArray(dossierEvents.dossierId, ids)).orderBy(asc(dossierEvents.id)),
          db
            .select()
            .from(dossierFiles)
            .where(inArray(dossierFiles.dossierId, ids))
            .orderBy(asc(dossierFiles.uploadedAt), asc(dossierFiles.id)),
        ])
      : ([[], []] as const),
    readMyNotifications(db, citizen.id, ids),
  ]);
  const eventsOf = groupBy(events, (e) => e.dossierId);
  const filesOf = groupBy(files, (f) => f.dossierId);

  const dossierData = dossierRows.map(({ d, procedure, agency }) => {
    const dossierEventsRows = eventsOf.get(d.id) ?? [];
    const accepted = wasAccepted(d.status, dossierEventsRows);
    return {
      id: d.id,
      code: d.code,
      lookupCode: accepted ? d.lookupCode : null,
      procedure,
      agency,
      channel: d.channel,
      status: d.status,
      statusLabel: STATUS_LABELS[d.status],
      submittedByMe: d.citizenId === citizen.id,
      createdAt: d.createdAt,
      receivedAt: accepted ? d.receivedAt : null,
      dueAt: accepted ? d.dueAt : null,
      finishedAt: d.finishedAt,
      returnedAt: d.returnedAt,
      applicant: d.applicant,
      declaration: d.declaration,
      history: applicantHistory(dossierEventsRows, agency),
      files: (filesOf.get(d.id) ?? [])
        .filter((f) => applicantMaySeeFile(d.status, f.kind))
        .map((f) => ({
          id: f.id,
          kind: f.kind,
          documentLabel: f.documentLabel,
          name: f.name,
          mime: f.mime,
          size: f.size,
          uploadedAt: f.uploadedAt,
          path: place(`ho-so/${zipSegment(d.code)}`, f.name, f, f.uploadedAt),
        })),
    };
  });

  const data: MyData = {
    format: 'motcua/du-lieu-cua-toi/1',
    readAt: now,
    identity: {
      id: citizen.id,
      accountType: citizen.accountType === 2 ? 'organisation' : 'person',
      fullName: citizen.fullName,
      cccd: citizen.cccd,
      dateOfBirth: citizen.dateOfBirth,
      gender: citizen.gender,
      address: citizen.address,
      phone: citizen.phone,
      email: citizen.email,
      taxCode: citizen.taxCode,
      businessName: citizen.businessName,
      loa: citizen.loa,
      issuer: citizen.issuer,
      subject: citizen.subject,
      lastClaims: citizen.lastClaims ? withoutProtocolFields(citizen.lastClaims) : null,
      createdAt: citizen.createdAt,
      updatedAt: citizen.updatedAt,
      lastLoginAt: citizen.lastLoginAt,
    },
    sessions: sessionRows,
    dossiers: dossierData,
    drafts: draftRows.map(({ draft, procedure }, i) => ({
      procedure: procedure ?? '',
      fields: typedDraftFields(draft.fields),
      updatedAt: draft.updatedAt,
      files: Object.values(draft.files).map((f) => ({
        name: f.name,
        mime: f.mime,
        size: f.size,
        path: place(`ban-nhap/${i + 1}`, f.name, f, draft.updatedAt),
      })),
    })),
    payments: paymentRows.map(({ p, code }) => ({
      id: p.id,
      dossierCode: code,
      amount: p.amount,
      status: p.status,
      transactionId: p.providerTransactionId,
      createdAt: p.createdAt,
      paidAt: p.paidAt,
      closedAt: p.closedAt,
      refundedAt: p.refundedAt,
    })),
    ratings: ratingRows.map(({ r, code }) => ({ dossierCode: code, score: r.score, comment: r.comment, at: r.at })),
    personalFiles: personalRows.map(({ f, issuedBy }) => ({
      id: f.id,
      name: f.name,
      mime: f.mime,
      size: f.size,
      source: f.source,
      issuedBy,
      createdAt: f.createdAt,
      deletedAt: f.deletedAt,
      path: f.deletedAt ? null : place('tap-tin-ca-nhan', f.name, f, f.createdAt),
    })),
    notifications: notices.notifications,
    notificationPreferences: notices.notificationPreferences,
    activity: auditRows,
  };
  return { data, blobs };
}

/** The claims without what only served that login's protocol (the nonce, the access token's and code's hashes). */
function withoutProtocolFields(claims: Record<string, unknown>): Record<string, unknown> {
  const { nonce: _n, at_hash: _a, c_hash: _c, ...about } = claims;
  return about;
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}
