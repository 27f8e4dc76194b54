/**
 * What a database holds, read the same way from PGlite and from a PostgreSQL server, for the operator's commands
 * (db:move, backup, restore; docs/decisions/0027): its tables and their columns, its sequences, the migrations it
 * records, and whether it is empty enough to receive a copy.
 */

/** One statement with $n parameters on either driver (a PGlite instance or transaction, a pg client). */
export type Sql = <T>(text: string, params?: unknown[]) => Promise<T[]>;

/** Schemas of PostgreSQL itself, never copied or counted. */
const SYSTEM_SCHEMAS = `n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'`;

export type TableInfo = {
  schema: string;
  name: string;
  /** The columns a copy writes: every live column but the generated ones (PostgreSQL computes those). */
  columns: string[];
};

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
export const qualified = (t: { schema: string; name: string }) => `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;

/**
 * Every table that holds rows: ordinary tables and the partitions of partitioned ones (pg-boss's jobs), never
 * the partitioned parents themselves (their rows are their partitions'). Ordered by schema and name.
 */
export async function listTables(sql: Sql): Promise<TableInfo[]> {
  const rows = await sql<{ schema: string; name: string; columns: string[] | string | null }>(
    `select n.nspname as schema, c.relname as name,
            array(select a.attname::text from pg_attribute a
                  where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
                  order by a.attnum) as columns
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'r' and ${SYSTEM_SCHEMAS}
      order by n.nspname, c.relname`,
  );
  return rows.map((r) => ({ schema: r.schema, name: r.name, columns: textArray(r.columns) }));
}

/** node-postgres parses text[] into an array; keep to one shape whatever the driver answered. */
function textArray(v: string[] | string | null): string[] {
  if (v == null) return [];
  if (Array.isArray(v)) return v;
  return v
    .replace(/^\{|\}$/g, '')
    .split(',')
    .filter(Boolean)
    .map((s) => s.replace(/^"|"$/g, ''));
}

export type SequenceState = { schema: string; name: string; lastValue: string; isCalled: boolean };

/** Every sequence (serial and identity columns included) with the value nextval continues from. */
export async function readSequences(sql: Sql): Promise<SequenceState[]> {
  const seqs = await sql<{ schema: string; name: string }>(
    `select n.nspname as schema, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'S' and ${SYSTEM_SCHEMAS} order by n.nspname, c.relname`,
  );
  const out: SequenceState[] = [];
  for (const s of seqs) {
    const [state] = await sql<{ last_value: string | number; is_called: boolean }>(
      `select last_value::text as last_value, is_called from ${qualified(s)}`,
    );
    out.push({ ...s, lastValue: String(state!.last_value), isCalled: state!.is_called });
  }
  return out;
}

/** Rows per table, keyed `schema.name`. */
export async function countRows(sql: Sql, tables: TableInfo[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const t of tables) {
    const [row] = await sql<{ n: string | number }>(`select count(*)::text as n from only ${qualified(t)}`);
    counts.set(`${t.schema}.${t.name}`, Number(row!.n));
  }
  return counts;
}

/** The migrations a database records (drizzle.__drizzle_migrations), oldest first; null when it has no such table. */
export async function recordedMigrations(sql: Sql): Promise<{ hash: string; when: number }[] | null> {
  const [present] = await sql<{ present: boolean }>(`select to_regclass('drizzle."__drizzle_migrations"') is not null as present`);
  if (!present?.present) return null;
  const rows = await sql<{ hash: string; created_at: string | number }>(
    'select hash, created_at from drizzle."__drizzle_migrations" order by created_at',
  );
  return rows.map((r) => ({ hash: r.hash, when: Number(r.created_at) }));
}

/**
 * Why a database cannot receive a copy, or null when it is empty: any table outside PostgreSQL's own schemas
 * (public, drizzle's migrations, pg-boss's) means someone already uses it, and a copy over it would mix two
 * databases. Names the first few tables found.
 */
export async function whyNotEmpty(sql: Sql): Promise<string | null> {
  const tables = await listTables(sql);
  const partitioned = await sql<{ name: string }>(
    `select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('p', 'v', 'm', 'S') and ${SYSTEM_SCHEMAS} limit 5`,
  );
  const found = [...tables.map((t) => `${t.schema}.${t.name}`), ...partitioned.map((r) => r.name)];
  if (found.length === 0) return null;
  return `it holds ${found.slice(0, 5).join(', ')}${found.length > 5 ? ' and more' : ''}`;
}
