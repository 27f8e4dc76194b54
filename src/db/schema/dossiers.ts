import { sql } from 'drizzle-orm';
import { bigserial, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

import { bytea } from './columns.js';
import { accounts } from './accounts.js';
import { units } from './org.js';
import { procedureVersions } from './procedures.js';
import { OPEN_STATUSES_SQL, type DossierStatus } from '../../dossiers/transitions.js';

/** Statuses (TrangThaiHoSo code, label, open or closed) are data: src/dossiers/transitions.ts. */
export { DOSSIER_STATUSES, STATUS_LABELS, type DossierStatus } from '../../dossiers/transitions.js';

/** Reception channel: 1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích. */
export const CHANNELS = { 1: 'Trực tiếp', 2: 'Trực tuyến', 3: 'Bưu chính công ích' } as const;

export type Applicant = {
  fullName: string;
  cccd: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
  organisation?: string | null;
};

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
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('dossiers_agency_due_idx').on(t.agencyUnitId, t.status, t.dueAt),
    index('dossiers_received_idx').on(t.receivedAt),
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
    kind: text('kind').$type<'result'>().notNull(),
    name: text('name').notNull(),
    mime: text('mime').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    content: bytea('content'),
    uploadedBy: uuid('uploaded_by').references(() => accounts.id),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('dossier_files_dossier_idx').on(t.dossierId)],
);
