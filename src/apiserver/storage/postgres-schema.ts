// PostgreSQL schema for the storage backend: versioned migrations applied under a transaction-level advisory
// lock (safe when several replicas start at once), and the single write function that keeps rv order == commit order.
import type pg from 'pg';

/** Channel the write function notifies on; the payload is only the new resourceVersion. */
export const CHANGES_CHANNEL = 'portcullis_changes';

/** SQLSTATEs raised by portcullis_write, mapped to StorageError codes by postgres.ts. */
export const SQLSTATE_NOT_FOUND = 'PC404';
export const SQLSTATE_EXISTS = 'PC409';
export const SQLSTATE_CONFLICT = 'PC412';

export interface Migration { version: number; name: string; sql: string }

/**
 * Every write runs portcullis_write in its own (autocommit) transaction. Its first statement takes the row
 * lock on the single rv_counter row, held until COMMIT: the next writer cannot allocate an rv before this one
 * has committed, so rv allocation order equals commit order and a reader of "changelog.rv > X" never misses a
 * row that commits later with a smaller rv. A failed write rolls the counter back, so rvs have no gaps.
 * Each write also drops changelog rows older than its p_retention newest ones, so after a write at rv R the
 * changelog holds nothing at or below R - retention (replicas should share one eventRetention).
 * Stored values never contain metadata.resourceVersion; readers set it from the rv column.
 */
export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'objects, changelog, rv counter and write function',
    sql: `
CREATE TABLE objects (
  key   text COLLATE "C" PRIMARY KEY,
  rv    bigint NOT NULL,
  value text NOT NULL
);
CREATE TABLE changelog (
  rv    bigint PRIMARY KEY,
  key   text COLLATE "C" NOT NULL,
  type  text NOT NULL CHECK (type IN ('ADDED', 'MODIFIED', 'DELETED')),
  value text NOT NULL
);
CREATE TABLE rv_counter (
  id int PRIMARY KEY CHECK (id = 1),
  rv bigint NOT NULL
);
INSERT INTO rv_counter (id, rv) VALUES (1, 0);

CREATE FUNCTION portcullis_write(p_op text, p_key text, p_value text, p_expect bigint, p_retention bigint)
RETURNS TABLE (out_rv bigint, out_value text)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_rv bigint;
  v_cur_rv bigint;
  v_cur_value text;
BEGIN
  UPDATE rv_counter SET rv = rv_counter.rv + 1 WHERE id = 1 RETURNING rv_counter.rv INTO v_rv;
  SELECT o.rv, o.value INTO v_cur_rv, v_cur_value FROM objects o WHERE o.key = p_key;
  IF p_op = 'create' THEN
    IF FOUND THEN
      RAISE EXCEPTION 'key exists: %', p_key USING ERRCODE = '${SQLSTATE_EXISTS}';
    END IF;
    INSERT INTO objects (key, rv, value) VALUES (p_key, v_rv, p_value);
    INSERT INTO changelog (rv, key, type, value) VALUES (v_rv, p_key, 'ADDED', p_value);
    out_value := p_value;
  ELSE
    IF NOT FOUND THEN
      RAISE EXCEPTION 'key not found: %', p_key USING ERRCODE = '${SQLSTATE_NOT_FOUND}';
    END IF;
    IF p_expect IS NOT NULL AND p_expect <> v_cur_rv THEN
      RAISE EXCEPTION 'rv of % is %, expected %', p_key, v_cur_rv, p_expect USING ERRCODE = '${SQLSTATE_CONFLICT}';
    END IF;
    IF p_op = 'update' THEN
      UPDATE objects SET rv = v_rv, value = p_value WHERE key = p_key;
      INSERT INTO changelog (rv, key, type, value) VALUES (v_rv, p_key, 'MODIFIED', p_value);
      out_value := p_value;
    ELSIF p_op = 'delete' THEN
      DELETE FROM objects WHERE key = p_key;
      INSERT INTO changelog (rv, key, type, value) VALUES (v_rv, p_key, 'DELETED', v_cur_value);
      out_value := v_cur_value;
    ELSE
      RAISE EXCEPTION 'unknown write op %', p_op;
    END IF;
  END IF;
  DELETE FROM changelog WHERE rv <= v_rv - p_retention;
  PERFORM pg_notify('${CHANGES_CHANNEL}', v_rv::text);
  out_rv := v_rv;
  RETURN NEXT;
END
$fn$;
`,
  },
];

/**
 * Applies pending migrations in one transaction holding pg_advisory_xact_lock, so concurrent replicas
 * serialize here and each migration runs exactly once. Returns the versions this call applied.
 */
export async function migrate(client: pg.ClientBase, schema?: string, migrations: Migration[] = MIGRATIONS): Promise<number[]> {
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`portcullis-migrations:${schema ?? ''}`]);
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const have = new Set(done.rows.map((r) => r.version));
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (have.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return applied;
}

/** Quotes an SQL identifier (schema names come from configuration, never from requests). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
