import { sql } from 'drizzle-orm';
import { boolean, date, index, integer, pgTable, text, timestamp, uuid, type AnyPgColumn, uniqueIndex } from 'drizzle-orm/pg-core';

/** Kinds of unit in the organisation tree (after 2025 there is no district level, but history keeps it). */
export const UNIT_KINDS = ['province', 'department', 'district', 'commune', 'division', 'centre'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export const units = pgTable(
  'units',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    parentId: uuid('parent_id').references((): AnyPgColumn => units.id),
    name: text('name').notNull(),
    shortName: text('short_name'),
    /** Mã định danh điện tử of the agency (e.g. 000.00.13.H10), used in dossier codes. */
    agencyCode: text('agency_code'),
    kind: text('kind').$type<UnitKind>().notNull(),
    active: boolean('active').notNull().default(true),
    /** Set when this unit was merged into another; accounts and history moved there. */
    mergedIntoId: uuid('merged_into_id').references((): AnyPgColumn => units.id),
    sortOrder: integer('sort_order').notNull().default(0),
    /** After this date officials of the unit (and below, unless overridden) log in with VNeID only. */
    passwordCutoff: date('password_cutoff', { mode: 'string' }),
    /** Lower-case, diacritics-free name for search. */
    nameFolded: text('name_folded').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('units_parent_idx').on(t.parentId),
    uniqueIndex('units_agency_code_key').on(t.agencyCode).where(sql`${t.agencyCode} is not null and ${t.active}`),
  ],
);
