-- The session lookup (auth/sessions.ts) reads the VNeID-only cutoff that applies to a password session: the nearest
-- unit up the tree with a date of its own (units.password_cutoff, through parent_id), else the province's
-- (settings 'password_cutoff'). A cached answer carries that date (0032), so a change of it must empty every
-- process's session cache at commit, like the lookup's other tables (0052): otherwise a cutoff brought forward to
-- today reached another instance's cached sessions only when their entry expired.
CREATE TRIGGER units_cutoff_changed AFTER UPDATE OF password_cutoff, parent_id OR DELETE OR TRUNCATE ON units
  FOR EACH STATEMENT EXECUTE FUNCTION motcua_sessions_changed();--> statement-breakpoint
CREATE TRIGGER settings_cutoff_added AFTER INSERT ON settings
  FOR EACH ROW WHEN (NEW.key = 'password_cutoff') EXECUTE FUNCTION motcua_sessions_changed();--> statement-breakpoint
CREATE TRIGGER settings_cutoff_changed AFTER UPDATE ON settings
  FOR EACH ROW WHEN (NEW.key = 'password_cutoff' OR OLD.key = 'password_cutoff') EXECUTE FUNCTION motcua_sessions_changed();--> statement-breakpoint
CREATE TRIGGER settings_cutoff_removed AFTER DELETE ON settings
  FOR EACH ROW WHEN (OLD.key = 'password_cutoff') EXECUTE FUNCTION motcua_sessions_changed();--> statement-breakpoint
CREATE TRIGGER settings_truncated_sessions AFTER TRUNCATE ON settings
  FOR EACH STATEMENT EXECUTE FUNCTION motcua_sessions_changed();
