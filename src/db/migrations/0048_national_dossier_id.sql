-- A dossier submitted on the national portal and pulled (national_intake) is known there by the national id
-- (MaHoSoQG): every status record of it carries that id, and the push's idempotency key is built from it
-- (docs/decisions/0024-national-portal-sync.md, "The national id"). A registered intake row is that dossier's national
-- identity, so: one national id per dossier, a link only on a registered row, the link made only while nothing of the
-- dossier has been sent, and never changed.
CREATE UNIQUE INDEX "national_intake_dossier_idx" ON "national_intake" USING btree ("dossier_id");--> statement-breakpoint
ALTER TABLE "national_intake" ADD CONSTRAINT "national_intake_link_check" CHECK (("national_intake"."outcome" = 'registered') = ("national_intake"."dossier_id" is not null));--> statement-breakpoint
-- As in 0044, with the national id: looked up for a change (the index above: at most one); a new dossier has none
-- yet — the pull links it after inserting it (its intake row references the dossier), and the link's trigger below
-- then stamps that first record.
CREATE OR REPLACE FUNCTION national_status_outbox_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  status_code integer;
  next_seq integer;
  changed timestamptz;
  national text;
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
  ELSE
    national := (SELECT i.national_id FROM national_intake i WHERE i.dossier_id = NEW.id);
    IF NEW.updated_at IS DISTINCT FROM OLD.updated_at THEN
      changed := NEW.updated_at;
    ELSE
      changed := now();
    END IF;
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
    ) || CASE WHEN national IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('MaHoSoQG', national) END,
    changed;
  RETURN NULL;
END
$$;--> statement-breakpoint
-- The link of a national id to a dossier. Made once, when the pull creates the dossier: it must be an online dossier
-- still Mới đăng ký of which nothing was sent or tried (else the national side already knows it by our code, and a
-- wrong or late link would write another national dossier's statuses); its records so far — the creation's, written
-- a moment before in the same transaction — are given the id. Never moved to another dossier or another id.
CREATE FUNCTION national_intake_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d record;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.dossier_id IS NOT NULL AND (NEW.dossier_id IS DISTINCT FROM OLD.dossier_id OR NEW.national_id <> OLD.national_id) THEN
      RAISE EXCEPTION 'national dossier % is linked to dossier %: the link does not change', OLD.national_id, OLD.dossier_id;
    END IF;
    IF NEW.dossier_id IS NOT DISTINCT FROM OLD.dossier_id THEN
      RETURN NULL;
    END IF;
  END IF;
  IF NEW.dossier_id IS NULL THEN
    RETURN NULL;
  END IF;
  -- The dossier's row lock: the outbox trigger's writers of this dossier wait for the link, and see it.
  SELECT channel, status INTO d FROM dossiers WHERE id = NEW.dossier_id FOR UPDATE;
  IF d.channel IS DISTINCT FROM 2 OR d.status IS DISTINCT FROM 'submitted' THEN
    RAISE EXCEPTION 'national dossier %: dossier % is not a new online dossier', NEW.national_id, NEW.dossier_id;
  END IF;
  IF EXISTS (SELECT 1 FROM national_status_outbox o WHERE o.dossier_id = NEW.dossier_id AND (o.pushed_at IS NOT NULL OR o.attempts > 0)) THEN
    RAISE EXCEPTION 'national dossier %: dossier % was already sent under its own code', NEW.national_id, NEW.dossier_id;
  END IF;
  UPDATE national_status_outbox SET payload = payload || jsonb_build_object('MaHoSoQG', NEW.national_id)
    WHERE dossier_id = NEW.dossier_id;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER national_intake_link AFTER INSERT OR UPDATE ON national_intake
  FOR EACH ROW EXECUTE FUNCTION national_intake_link();--> statement-breakpoint
-- Records of pulled dossiers written before this migration and not sent yet: under the national id from now on. (Sent
-- ones went under our code; the daily reconciliation finds the national dossier without them and re-sends the latest.)
UPDATE national_status_outbox o SET payload = o.payload || jsonb_build_object('MaHoSoQG', i.national_id)
  FROM national_intake i
  WHERE i.dossier_id = o.dossier_id AND o.pushed_at IS NULL;
