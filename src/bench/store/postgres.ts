/**
 * The results store in PostgreSQL (`pg`), by URL: the same tables and columns as the SQLite one.
 * One pooled connection set; a transaction holds one connection from BEGIN to COMMIT. 64-bit
 * integers are read back as numbers (every value dfaas stores fits in 2^53).
 */
import pg from 'pg';
import { StoreError } from './schema.js';
import { type Dialect, SqlStore } from './sql-store.js';

const INT8_OID = 20;

/** The URL without its password, to show and to store. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

export async function openPostgresStore(url: string): Promise<SqlStore> {
  const types = {
    getTypeParser: ((oid: number, format?: string) =>
      oid === INT8_OID
        ? (v: string) => Number(v)
        : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({ connectionString: url, max: 4, types });
  // An idle connection the server ends (a restart, a shutdown) is dropped by the pool and opened
  // again on the next query; it must not end the process.
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end();
    throw new StoreError(
      `cannot reach the PostgreSQL results store ${redactedUrl(url)}: ${(err as Error).message}`,
      {
        cause: err,
        hint: 'check the URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE) and that the server runs',
      },
    );
  }
  const dialect: Dialect = {
    kind: 'postgres',
    location: redactedUrl(url),
    types: { text: 'TEXT', integer: 'BIGINT', real: 'DOUBLE PRECISION', boolean: 'BOOLEAN', json: 'JSONB' },
    idColumn: 'id BIGSERIAL PRIMARY KEY',
    booleanAsInteger: false,
    placeholder: (i) => `$${i}`,
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await work(async (sql, params = []) => {
          await client.query(sql, params);
        });
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async query(sql, params = []) {
      return (await pool.query(sql, params)).rows as Record<string, unknown>[];
    },
    async execute(sql, params = []) {
      return (await pool.query(sql, params)).rowCount ?? 0;
    },
    async columnsIn(table) {
      const { rows } = await pool.query(
        'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1',
        [table],
      );
      return rows.map((r: { column_name: string }) => r.column_name);
    },
    close: () => pool.end(),
  };
  return new SqlStore(dialect);
}
