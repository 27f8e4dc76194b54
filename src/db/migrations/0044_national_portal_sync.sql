CREATE TABLE "national_intake" (
	"national_id" text PRIMARY KEY NOT NULL,
	"procedure_code" text NOT NULL,
	"outcome" text NOT NULL,
	"reason" text,
	"dossier_id" uuid,
	"submitted_at" timestamp with time zone,
	"pulled_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "national_push_leases" (
	"dossier_id" uuid PRIMARY KEY NOT NULL,
	"holder" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "national_status_outbox" (
	"dossier_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"status" text NOT NULL,
	"code" integer NOT NULL,
	"channel" integer NOT NULL,
	"payload" jsonb NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"reason" text DEFAULT 'change' NOT NULL,
	"pushed_at" timestamp with time zone,
	"national_id" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"last_error" text,
	CONSTRAINT "national_status_outbox_dossier_id_seq_pk" PRIMARY KEY("dossier_id","seq")
);
--> statement-breakpoint
CREATE TABLE "national_sync_state" (
	"name" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "national_intake" ADD CONSTRAINT "national_intake_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "national_status_outbox" ADD CONSTRAINT "national_status_outbox_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "national_intake_outcome_idx" ON "national_intake" USING btree ("outcome","pulled_at");--> statement-breakpoint
CREATE INDEX "national_status_outbox_unpushed_idx" ON "national_status_outbox" USING btree ("dossier_id","seq") WHERE "national_status_outbox"."pushed_at" is null;--> statement-breakpoint
CREATE INDEX "national_status_outbox_changed_idx" ON "national_status_outbox" USING btree ("changed_at");--> statement-breakpoint
-- The national portal's status outbox is written here, by triggers on dossiers, in the changing transaction: no code
-- path that changes a dossier (the workflow, reception, a script, a recompute of due dates) can forget it
-- (docs/decisions/0024-national-portal-sync.md). TrangThaiHoSo of each status, as src/dossiers/transitions.ts says;
-- tests/national-portal-outbox.test.ts fails when a status is added there and not here.
CREATE FUNCTION national_status_code(status text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE status
    WHEN 'submitted' THEN 1
    WHEN 'received' THEN 2
    WHEN 'refused' THEN 3
    WHEN 'processing' THEN 4
    WHEN 'supplement' THEN 5
    WHEN 'payment' THEN 6
    WHEN 'withdrawn' THEN 7
    WHEN 'stopped' THEN 8
    WHEN 'done' THEN 9
    WHEN 'returned' THEN 10
    WHEN 'rejected' THEN 8
  END
$$;--> statement-breakpoint
-- The national portal's dates: yyyyMMddHHmmss in Vietnam time (UTC+7 all year, no summer time).
CREATE FUNCTION national_portal_time(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char((t AT TIME ZONE 'UTC') + interval '7 hours', 'YYYYMMDDHH24MISS')
$$;--> statement-breakpoint
-- One row per change: seq = the dossier's last + 1 (the changing statement holds the dossier's row lock, so two
-- writers of one dossier take turns). The time is the application's clock as written into the row (received_at for
-- a new dossier, updated_at when the change set it), else the transaction's. `SET LOCAL motcua.national_outbox =
-- 'off'` skips it: for bulk loads of history (scripts/seed-large.ts), never for the application.
CREATE FUNCTION national_status_outbox_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  status_code integer;
  next_seq integer;
  changed timestamptz;
BEGIN
  IF current_setting('motcua.national_outbox', true) = 'off' THEN
    RETURN NULL;
  END IF;
  status_code := national_status_code(NEW.status);
  IF status_code IS NULL THEN
    RAISE EXCEPTION 'no TrangThaiHoSo for dossier status %: add it to national_status_code()', NEW.status;
  END IF;
  IF TG_OP = 'INSERT' THEN
    changed := NEW.received_at;
  ELSIF NEW.updated_at IS DISTINCT FROM OLD.updated_at THEN
    changed := NEW.updated_at;
  ELSE
    changed := now();
  END IF;
  SELECT coalesce(max(seq), 0) + 1 INTO next_seq FROM national_status_outbox WHERE dossier_id = NEW.id;
  INSERT INTO national_status_outbox (dossier_id, seq, status, code, channel, payload, changed_at)
  SELECT NEW.id, next_seq, NEW.status, status_code, NEW.channel,
    jsonb_build_object(
      'MaHoSo', NEW.code,
      'MaTTHC', (SELECT p.code FROM procedures p JOIN procedure_versions v ON v.procedure_id = p.id WHERE v.id = NEW.procedure_version_id),
      'MaDonVi', (SELECT u.agency_code FROM units u WHERE u.id = NEW.agency_unit_id),
      'TrangThaiHoSo', status_code,
      'KenhThucHien', NEW.channel,
      'ThoiDiem', national_portal_time(changed),
      'NgayTiepNhan', national_portal_time(NEW.received_at),
      'NgayHenTra', national_portal_time(NEW.due_at),
      'NgayKetThucXuLy', national_portal_time(NEW.finished_at),
      'NgayTraKetQua', national_portal_time(NEW.returned_at),
      'HoSoCoThanhPhanSoHoa', NEW.digitised
    ),
    changed;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER dossiers_national_outbox_insert AFTER INSERT ON dossiers
  FOR EACH ROW EXECUTE FUNCTION national_status_outbox_record();--> statement-breakpoint
-- What the national portal holds of a dossier: its status, channel, promised date and end of processing.
CREATE TRIGGER dossiers_national_outbox_update AFTER UPDATE OF status, channel, due_at, finished_at ON dossiers
  FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.channel IS DISTINCT FROM NEW.channel
        OR OLD.due_at IS DISTINCT FROM NEW.due_at OR OLD.finished_at IS DISTINCT FROM NEW.finished_at)
  EXECUTE FUNCTION national_status_outbox_record();
