import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';

/** Lĩnh vực. */
export const sectors = pgTable('sectors', {
  id: uuid('id').primaryKey().defaultRandom(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
});

/**
 * A required or optional document of a procedure (thành phần hồ sơ). `template`: the id of its mẫu đơn / tờ
 * khai in procedure_templates, if it has one.
 */
export type ProcedureDocument = { name: string; required: boolean; copies?: number; template?: string | null };

/** One step of the internal process: who is responsible, their share of the time, what they may do. */
export type ProcessStep = {
  name: string;
  /** The unit responsible for the step; null = the receiving agency itself. */
  unitId: string | null;
  role: 'reception' | 'processing' | 'approval' | 'result';
  /** Working days (or hours for same-day procedures) of the total limit given to this step. */
  share: number;
  actions: string[];
};

/** The kinds of a tờ khai's field: one line of text, several lines, a date, a number, one of options, có/không. */
export type DeclarationFieldType = 'text' | 'multiline' | 'date' | 'number' | 'choice' | 'yesno';

/**
 * One field of a procedure's tờ khai (declaration form), answered on the portal's Nộp hồ sơ
 * (src/procedures/declaration-form.ts). `maxLength` for text and multiline; `options` for choice; `notAfterToday` for a
 * date that cannot lie ahead (a birth date, "không sau hôm nay"), judged on the day in Vietnam.
 */
export type DeclarationField = {
  key: string;
  label: string;
  type: DeclarationFieldType;
  required: boolean;
  maxLength?: number;
  options?: string[];
  notAfterToday?: true;
};

/**
 * Thủ tục hành chính: the stable identity; its content lives in versions. The code is stored in capitals
 * (procedures/procedure-input.ts) and is one procedure whatever its case: unique on upper(code) (migration 0064).
 */
export const procedures = pgTable(
  'procedures',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('procedures_code_upper_idx').on(sql`upper(${t.code})`)],
);

/** A version of a procedure; a dossier keeps the version it was received under. */
export const procedureVersions = pgTable(
  'procedure_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    procedureId: uuid('procedure_id')
      .notNull()
      .references(() => procedures.id),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    nameFolded: text('name_folded').notNull(),
    sectorId: uuid('sector_id')
      .notNull()
      .references(() => sectors.id),
    /** Units that carry out the procedure (receive its dossiers). */
    unitIds: jsonb('unit_ids').$type<string[]>().notNull(),
    workingDays: integer('working_days'),
    workingHours: numeric('working_hours', { mode: 'number' }),
    after1500NextDay: boolean('after_1500_next_day').notNull().default(false),
    /** Fee in đồng (lệ phí); 0 when free. */
    fee: integer('fee').notNull().default(0),
    feeNote: text('fee_note'),
    /** toan_trinh (fully online) or mot_phan (partly online). */
    onlineLevel: text('online_level').$type<'toan_trinh' | 'mot_phan'>().notNull(),
    documents: jsonb('documents').$type<ProcedureDocument[]>().notNull(),
    steps: jsonb('steps').$type<ProcessStep[]>().notNull(),
    /** The tờ khai the citizen fills in on the portal, in order; empty when the procedure has none. */
    declaration: jsonb('declaration').$type<DeclarationField[]>().notNull().default([]),
    /** What the procedure results in: the short name of its document ("Giấy phép bán lẻ sản phẩm rượu"); '' = not stated. */
    resultName: text('result_name').notNull().default(''),
    /**
     * When the result may be no document at all (an entry in a register…), in the procedure's words; null = the
     * result is a document (src/dossiers/record-result.ts).
     */
    resultWithoutDocument: text('result_without_document'),
    current: boolean('current').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: uuid('created_by').references(() => accounts.id),
  },
  (t) => [
    uniqueIndex('procedure_versions_key').on(t.procedureId, t.version),
    uniqueIndex('procedure_versions_current').on(t.procedureId).where(sql`${t.current}`),
    index('procedure_versions_sector_idx').on(t.sectorId),
    // The public catalog (src/catalog, docs/decisions/0015): current versions only, in the catalog's order
    // (folded name, id) for keyset pages, by sector, by implementing unit, and by the words of the name.
    index('procedure_versions_catalog_name_idx').on(t.nameFolded, t.procedureId).where(sql`${t.current}`),
    index('procedure_versions_catalog_sector_idx').on(t.sectorId, t.nameFolded, t.procedureId).where(sql`${t.current}`),
    index('procedure_versions_catalog_units_idx').using('gin', t.unitIds.op('jsonb_path_ops')).where(sql`${t.current}`),
    index('procedure_versions_catalog_words_idx')
      .using('gin', sql`to_tsvector('simple'::regconfig, ${t.nameFolded})`)
      .where(sql`${t.current}`),
  ],
);
