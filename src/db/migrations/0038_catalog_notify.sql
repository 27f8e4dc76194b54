-- Every write to what the public catalog shows (procedures, their versions, sectors, units) announces itself on
-- the channel motcua_changes, in the writing transaction: PostgreSQL delivers it to every listening process at
-- commit, and never for a rolled-back write. Each process keeps the catalog in memory and reloads it then
-- (src/catalog/catalog-index.ts, src/db/changes.ts; docs/decisions/0015-catalog-search.md).
CREATE FUNCTION motcua_catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('motcua_changes', 'catalog');
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER procedures_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON procedures
  FOR EACH STATEMENT EXECUTE FUNCTION motcua_catalog_changed();--> statement-breakpoint
CREATE TRIGGER procedure_versions_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON procedure_versions
  FOR EACH STATEMENT EXECUTE FUNCTION motcua_catalog_changed();--> statement-breakpoint
CREATE TRIGGER sectors_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sectors
  FOR EACH STATEMENT EXECUTE FUNCTION motcua_catalog_changed();--> statement-breakpoint
CREATE TRIGGER units_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units
  FOR EACH STATEMENT EXECUTE FUNCTION motcua_catalog_changed();
