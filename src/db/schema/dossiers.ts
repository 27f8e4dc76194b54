import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

import { bytea } from './columns.js';
import { accounts } from './accounts.js';
import { citizens } from './identity.js';
import { units } from './org.js';
import { procedureVersions, type DeclarationFieldType } from './procedures.js';
import { OPEN_STATUSES_SQL, type DossierStatus } from '../../dossiers/transitions.js';

/** Statuses (TrangThaiHoSo code, label, open or closed) are data: src/dossiers/transitions.ts. */
export { DOSSIER_STATUSES, STATUS_LABELS, type DossierStatus } from '../../dossiers/transitions.js';

/** The kind of number a dossier's applicant_id_number is: a person's CCCD or an organisation's tax code. */
export type ApplicantIdKind = 'cccd' | 'tax_code';

/** Reception channel: 1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích. */
export const CHANNELS = { 1: 'Trực tiếp', 2: 'Trực tuyến', 3: 'Bưu chính công ích' } as const;

export type Applicant = {
  fullName: string;
  cccd: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
  organisation?: string | null;
  /** Online: the applicant's date of birth and gender as VNeID gave them (or as the representative typed them). */
  dateOfBirth?: string | null;
  gender?: 'male' | 'female' | null;
  taxCode?: string | null;
  /** Người được ủy quyền: who submitted for the applicant (their VNeID identity), when not the applicant. */
  representative?: { fullName: string; cccd: string | null; phone: string | null; email: string | null } | null;
};

/**
 * One answer of the tờ khai as the citizen gave it, with the field's label and type copied from the version they
 * answered: a later edit of the procedure never changes how an old dossier's answers read. Dates are ISO, yes/no a
 * boolean, null when an optional field was left empty.
 */
export type DeclarationAnswer = { key: string; label: string; type: DeclarationFieldType; value: string | number | boolean | null };

export const dossiers = pgTable(
  'dossiers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** <agency code>-<YYMMDD>-<XXXX> (Thông tư 01/2018/TT-VPCP, Art. 19). */
    code: text('code').notNull().unique(),
    /** Short code printed on the receipt for the public lookup. */
    lookupCode: text('lookup_code').notNull().unique(),
    agencyUnitId: uuid('agency_unit_id')
      .notNull()
      .references(() => units.id),
    procedureVersionId: uuid('procedure_version_id')
      .notNull()
      .references(() => procedureVersions.id),
    channel: integer('channel').$type<1 | 2 | 3>().notNull(),
    status: text('status').$type<DossierStatus>().notNull(),
    applicant: jsonb('applicant').$type<Applicant>().notNull(),
    applicantFolded: text('applicant_folded').notNull(),
    /** The tờ khai answered online (null: the procedure had none, or the dossier was received at the counter). */
    declaration: jsonb('declaration').$type<DeclarationAnswer[]>(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    currentStep: integer('current_step').notNull().default(0),
    /** Denormalised from the procedure's current step, so the inbox is one indexed query. */
    currentUnitId: uuid('current_unit_id').references(() => units.id),
    currentRole: text('current_role'),
    sectorId: uuid('sector_id'),
    procedureId: uuid('procedure_id'),
    stepStartedAt: timestamp('step_started_at', { withTimezone: true }),
    stepDueAt: timestamp('step_due_at', { withTimezone: true }),
    /** Set while the clock is stopped (waiting for the applicant's supplement). */
    clockStoppedAt: timestamp('clock_stopped_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    returnedAt: timestamp('returned_at', { withTimezone: true }),
    returnChannel: integer('return_channel'),
    receivedBy: uuid('received_by').references(() => accounts.id),
    /**
     * Who handles the current step, as the sender or a leader chose (Chuyển bước tiếp theo, Phân công lại:
     * src/dossiers/assign-dossier.ts); null: the step's unit assigns it (the pool). Cleared when the step changes.
     * While set, only the assignee, their delegate and the unit's leaders act at the step (docs/decisions/0018).
     */
    assignedTo: uuid('assigned_to').references(() => accounts.id),
    /** The citizen or organisation who submitted it on the portal (null: received at the counter or by post). */
    citizenId: uuid('citizen_id').references(() => citizens.id),
    /**
     * The applicant's số định danh (CCCD) or, for an organisation, its tax code: a citizen whose VNeID login proves
     * that number sees the dossier (src/portal/citizen-dossiers.ts). Typed at the counter, so it names, never proves.
     */
    applicantIdNumber: text('applicant_id_number'),
    /**
     * Which number applicant_id_number is: 'cccd' (a person's; the counter only takes a CCCD) or 'tax_code' (an
     * organisation's, proved by its own VNeID login). Since 7/2025 a household business's tax code is its owner's
     * CCCD: the same digits, two applicants, told apart only by this (migration 0060).
     */
    applicantIdKind: text('applicant_id_kind').$type<ApplicantIdKind>().notNull().default('cccd'),
    /** The portal form's one-time key: a double click or a retry of Nộp hồ sơ makes one dossier. */
    submissionKey: text('submission_key').unique(),
    /** Số hóa (Thông tư 01/2023/TT-VPCP): every component received has its scan (src/db/schema/dossier-components.ts). */
    digitised: boolean('digitised').notNull().default(false),
    /**
     * The dossier was accepted (tiếp nhận): received at the counter, or an online dossier the desk accepted. An online
     * dossier waiting, asked to supplement before acceptance, refused at the desk or withdrawn before it never was.
     * Kept by the trigger dossiers_stats_flags (migration 0047) from the statuses; the application never writes it.
     */
    accepted: boolean('accepted').notNull().default(false),
    /** Requests to supplement (Mẫu 02) so far; more than one makes the dossier late for the national index. Trigger-kept. */
    supplementRequests: integer('supplement_requests').notNull().default(0),
    /** An electronic result (a result file) is attached. Kept by a trigger on dossier_files (migration 0047). */
    eResult: boolean('e_result').notNull().default(false),
    /** The fee was paid online (a paid payment). Kept by a trigger on payments (migration 0047). */
    paidOnline: boolean('paid_online').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // A citizen's dossiers: submitted by them, or naming their number; newest first.
    index('dossiers_citizen_idx').on(t.citizenId, t.createdAt).where(sql`${t.citizenId} is not null`),
    // The kind is not in it: a residual filter on the few rows of one number (src/portal/citizen-dossiers.ts).
    index('dossiers_applicant_number_idx').on(t.applicantIdNumber, t.createdAt).where(sql`${t.applicantIdNumber} is not null`),
    check('dossiers_applicant_id_kind_check', sql`${t.applicantIdKind} in ('cccd', 'tax_code')`),
    index('dossiers_agency_due_idx').on(t.agencyUnitId, t.status, t.dueAt),
    index('dossiers_received_idx').on(t.receivedAt),
    // Hồ sơ đã tiếp nhận, Theo dõi, Tất cả hồ sơ (src/dossiers/tracking.ts): newest first from each source — the
    // receiver, the receiving agency, the process version (its steps' units) — as ranges in (received_at, id). The
    // trailing columns are the lists' filters (and, for the receiver, the view rule's): a filtered page reads the
    // index alone, like the inbox's (docs/decisions/0008). (Drizzle has no INCLUDE.)
    index('dossiers_received_by_idx').on(
      t.receivedBy,
      t.receivedAt,
      t.id,
      t.status,
      t.dueAt,
      t.sectorId,
      t.procedureId,
      t.code,
      t.applicantFolded,
      t.agencyUnitId,
      t.procedureVersionId,
    ),
    index('dossiers_agency_received_idx').on(
      t.agencyUnitId,
      t.receivedAt,
      t.id,
      t.status,
      t.dueAt,
      t.sectorId,
      t.procedureId,
      t.code,
      t.applicantFolded,
    ),
    index('dossiers_version_received_idx').on(
      t.procedureVersionId,
      t.receivedAt,
      t.id,
      t.status,
      t.dueAt,
      t.sectorId,
      t.procedureId,
      t.code,
      t.applicantFolded,
    ),
    // A text search in the lists beside the inbox: runs of the code and the folded applicant and their suffixes
    // (src/dossiers/search-words.ts; the function is migration 0039's), narrowing what LIKE then checks.
    index('dossiers_search_words_idx').using('gin', sql`dossier_search_words(${t.code}, ${t.applicantFolded})`),
    // "Giao cho tôi": the open dossiers assigned to an official, by due date.
    index('dossiers_assigned_idx')
      .on(t.assignedTo, t.dueAt)
      .where(sql`${t.assignedTo} is not null and ${t.status} in ${sql.raw(OPEN_STATUSES_SQL)}`),
    // The inbox: dossiers waiting at a (unit, role) position in a status, by due date. Finished dossiers
    // stay at their last step forever, so only open ones are indexed. The included columns let every
    // inbox filter and count run on the index alone (listInbox reads the table only for the page shown);
    // they trail (due_at, id), which is unique, so they cost no ordering. (Drizzle has no INCLUDE.)
    // The open statuses come from STATUSES (src/dossiers/transitions.ts), the same text as the inbox
    // statement's literal; after a change, `npm run db:workflow` writes the migrations.
    index('dossiers_inbox_open_idx')
      .on(t.currentUnitId, t.currentRole, t.status, t.dueAt, t.id, t.sectorId, t.procedureId, t.receivedAt, t.code, t.applicantFolded)
      .where(sql`${t.status} in ${sql.raw(OPEN_STATUSES_SQL)}`),
  ],
);

/** Gapless per-agency, per-day sequence for dossier codes: incremented inside the reception transaction. */
export const dossierCodeCounters = pgTable(
  'dossier_code_counters',
  {
    agencyCode: text('agency_code').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    last: integer('last').notNull(),
  },
  (t) => [primaryKey({ columns: [t.agencyCode, t.day] })],
);

/**
 * How many open dossiers wait at each (unit, role) position in each status: the inbox's tab counts
 * without filters, read in O(positions) instead of counting the dossiers. Kept by statement triggers
 * on dossiers (migration 0012; their status list is written from STATUSES by `npm run db:workflow`),
 * never written by the application.
 */
export const inboxCounts = pgTable(
  'inbox_counts',
  {
    unitId: uuid('unit_id').notNull(),
    role: text('role').notNull(),
    status: text('status').$type<DossierStatus>().notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.role, t.status] })],
);

/** The dossier's history: every change with actor, time and note. */
export const dossierEvents = pgTable(
  'dossier_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    dossierId: uuid('dossier_id')
      .notNull()
      .references(() => dossiers.id),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    /** Who acted (src/shared/context.ts Actor): official, api, citizen or system; the id is of an account or a citizen by kind. */
    actorKind: text('actor_kind').$type<'official' | 'api' | 'citizen' | 'system'>().notNull().default('official'),
    actorId: uuid('actor_id'),
    actorLabel: text('actor_label'),
    /** The official the actor stood in for (delegation). */
    onBehalfOf: uuid('on_behalf_of'),
    /** The delegation (#n) under which the actor stood in for on_behalf_of, and that official's username then. */
    delegationId: integer('delegation_id'),
    onBehalfLabel: text('on_behalf_label'),
    action: text('action').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    step: integer('step'),
    note: text('note'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('dossier_events_dossier_idx').on(t.dossierId, t.id)],
);

/**
 * The dossiers that passed through an account's hands (Theo dõi): one row per account and dossier it acted on, or
 * someone acted on on its behalf, with the dossier's received_at, so that an account's newest are one range of the
 * primary key read backwards, however long its history (a busy desk has half a million history rows). Kept by
 * triggers on dossier_events and dossiers in the same transaction (migration 0033); never written by the application.
 */
export const dossierHandlers = pgTable(
  'dossier_handlers',
  {
    accountId: uuid('account_id').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    dossierId: uuid('dossier_id')
      .notNull()
      .references(() => dossiers.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.receivedAt, t.dossierId] }), index('dossier_handlers_dossier_idx').on(t.dossierId)],
);

/**
 * Files of a dossier (result documents). The bytes are in file storage (src/storage) under `sha256`; `content` is
 * where they were kept before (docs/decisions/0012): null once moved, dropped by a later migration.
 */
export const dossierFiles = pgTable(
  'dossier_files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    dossierId: uuid('dossier_id')
      .notNull()
      .references(() => dossiers.id),
    /**
     * result: issued by the agency; submitted: a document of the online dossier; supplement: sent in answer to Mẫu 02;
     * scan: the scan of a document received at the counter (dossier_components.file_id).
     */
    kind: text('kind').$type<'result' | 'submitted' | 'supplement' | 'scan'>().notNull(),
    /** Which of the procedure's documents (thành phần hồ sơ) it is, as the procedure names it. */
    documentLabel: text('document_label'),
    name: text('name').notNull(),
    mime: text('mime').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    content: bytea('content'),
    uploadedBy: uuid('uploaded_by').references(() => accounts.id),
    /** The citizen who uploaded it on the portal. */
    uploadedByCitizen: uuid('uploaded_by_citizen').references(() => citizens.id),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('dossier_files_dossier_idx').on(t.dossierId)],
);

/**
 * The result of a dossier as the official preparing or approving it recorded it (src/dossiers/record-result.ts): the
 * document's số/ký hiệu, ngày ký, trích yếu and signer, or no document with a reason where the procedure allows it.
 * Approval requires it and stamps approvedAt; from then on it is frozen, and Trả kết quả requires it approved.
 */
export const dossierResults = pgTable('dossier_results', {
  dossierId: uuid('dossier_id')
    .primaryKey()
    .references(() => dossiers.id),
  kind: text('kind').$type<'document' | 'none'>().notNull(),
  number: text('number'),
  signedOn: date('signed_on', { mode: 'string' }),
  summary: text('summary'),
  signer: text('signer'),
  noDocumentReason: text('no_document_reason'),
  recordedBy: uuid('recorded_by')
    .notNull()
    .references(() => accounts.id),
  recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  approvedAt: timestamp('approved_at', { withTimezone: true }),
});

/**
 * A citizen's Nộp hồ sơ in progress: what was typed and the files already stored (by content hash), kept on every
 * step and on a validation error, so nothing is lost to a refusal or an expired session. One per procedure.
 */
export const dossierDrafts = pgTable(
  'dossier_drafts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    citizenId: uuid('citizen_id')
      .notNull()
      .references(() => citizens.id),
    procedureId: uuid('procedure_id').notNull(),
    /**
     * The version whose documents the files are indexed by (its form was the one filled): a draft kept across a new
     * version is not submitted as it is (submit-dossier.ts). Null only for a procedure without a current version at
     * migration 0059.
     */
    procedureVersionId: uuid('procedure_version_id').references(() => procedureVersions.id),
    fields: jsonb('fields').$type<Record<string, string>>().notNull().default({}),
    /** Per document index: the stored file (sha256, name, mime, size). */
    files: jsonb('files').$type<Record<string, { sha256: string; name: string; mime: string; size: number }>>().notNull().default({}),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('dossier_drafts_citizen_procedure_key').on(t.citizenId, t.procedureId)],
);

/** Đánh giá mức độ hài lòng: once per dossier, by the citizen who sees it, after the result is returned. */
export const dossierRatings = pgTable('dossier_ratings', {
  dossierId: uuid('dossier_id')
    .primaryKey()
    .references(() => dossiers.id),
  citizenId: uuid('citizen_id')
    .notNull()
    .references(() => citizens.id),
  score: integer('score').notNull(),
  comment: text('comment'),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
});
