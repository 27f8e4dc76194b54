import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { dossiers } from './dossiers.js';

/**
 * What the national portal (Cổng DVC quốc gia) receives per status record: the dossier's facts at that change, in the
 * portal's field names (MISSION §4). Written by the trigger of migration 0044 (its function replaced by 0048) — the
 * one writer — so the keys are those of its jsonb_build_object.
 */
export type NationalStatusPayload = {
  /** Our dossier code (dossiers.code). */
  MaHoSo: string;
  /**
   * The national portal's own id of a dossier submitted there and pulled (national_intake): present on every record
   * of such a dossier, absent on ours. It is what the national side knows the dossier by, so it names the record and
   * its idempotency key (nationalDossierKey, client.ts).
   */
  MaHoSoQG?: string;
  MaTTHC: string | null;
  MaDonVi: string | null;
  TrangThaiHoSo: number;
  KenhThucHien: 1 | 2 | 3;
  /** yyyyMMddHHmmss, Vietnam time, like every date below. */
  ThoiDiem: string;
  NgayTiepNhan: string;
  NgayHenTra: string;
  NgayKetThucXuLy: string | null;
  NgayTraKetQua: string | null;
  HoSoCoThanhPhanSoHoa: boolean;
};

/**
 * The outbox of the national portal's status synchronisation (src/national-portal, docs/decisions/0024): one row
 * per change of what the portal holds about a dossier — its creation, every status change, a new promised date or
 * end of processing — written by a trigger on dossiers in the changing transaction, so it exists exactly when the
 * change commits. `seq` counts from 1 per dossier (the dossier's row lock orders the writers); the push sends a
 * dossier's unpushed rows in seq order, each under the idempotency key `<MaHoSoQG or MaHoSo>:<seq>`.
 */
export const nationalStatusOutbox = pgTable(
  'national_status_outbox',
  {
    dossierId: uuid('dossier_id')
      .notNull()
      .references(() => dossiers.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    /** Our status key (transitions.ts) and its TrangThaiHoSo code at the time. */
    status: text('status').notNull(),
    code: integer('code').notNull(),
    /** KenhThucHien: 1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích. */
    channel: integer('channel').notNull(),
    payload: jsonb('payload').$type<NationalStatusPayload>().notNull(),
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull(),
    /** Why the row exists besides a change: 'reconcile' = a re-send of the latest state (reconcile.ts). */
    reason: text('reason').notNull().default('change'),
    pushedAt: timestamp('pushed_at', { withTimezone: true }),
    /** The national side's id of this status record (its receipt), as it answered — not the dossier's MaHoSoQG. */
    nationalId: text('national_id'),
    attempts: integer('attempts').notNull().default(0),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
    lastError: text('last_error'),
  },
  (t) => [
    primaryKey({ columns: [t.dossierId, t.seq] }),
    // The push's and the sweep's work: the unpushed rows only (a few, however many dossiers were ever synchronised).
    index('national_status_outbox_unpushed_idx').on(t.dossierId, t.seq).where(sql`${t.pushedAt} is null`),
    index('national_status_outbox_changed_idx').on(t.changedAt),
  ],
);

/**
 * Who is pushing a dossier's rows right now: a lease, so two push jobs of one dossier (two workers, a sweep's job
 * beside a change's) never send out of order; it lapses by itself when a worker dies mid-push.
 */
export const nationalPushLeases = pgTable('national_push_leases', {
  dossierId: uuid('dossier_id').primaryKey(),
  holder: uuid('holder').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

/**
 * Dossiers submitted on the national portal, as pulled (pull.ts): the national id is the primary key, so a dossier
 * is registered once however often it is fetched or by how many workers at once — its row is inserted in the
 * transaction that creates our dossier. `skipped`: not registered (a procedure we do not have…), with the reason.
 * A registered row is the dossier's national identity: every status record of that dossier carries its national id
 * (MaHoSoQG). So one national id per dossier (the unique index), a link only on a registered row (the check), and
 * the link made only while nothing of the dossier was sent and never changed (migration 0048's trigger).
 */
export const nationalIntake = pgTable(
  'national_intake',
  {
    nationalId: text('national_id').primaryKey(),
    procedureCode: text('procedure_code').notNull(),
    outcome: text('outcome').$type<'registered' | 'skipped'>().notNull(),
    reason: text('reason'),
    dossierId: uuid('dossier_id').references(() => dossiers.id),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    pulledAt: timestamp('pulled_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('national_intake_outcome_idx').on(t.outcome, t.pulledAt),
    uniqueIndex('national_intake_dossier_idx').on(t.dossierId),
    check('national_intake_link_check', sql`(${t.outcome} = 'registered') = (${t.dossierId} is not null)`),
  ],
);

/** Small named values of the synchronisation: the pull's cursor ('pull_cursor'). */
export const nationalSyncState = pgTable('national_sync_state', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});
