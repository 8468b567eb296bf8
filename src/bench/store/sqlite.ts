/**
 * The results store in a SQLite file (better-sqlite3): the default, under results/bench/. Written
 * in WAL mode with full sync, so a run that crashes keeps every row it had stored, and several
 * dfaas processes may write the same file (each waits up to 10 s for another's transaction).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from './schema.js';
import { type Dialect, SqlStore } from './sql-store.js';

export async function openSqliteStore(path: string): Promise<SqlStore> {
  let db: Database.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 10000');
  } catch (err) {
    throw new StoreError(`cannot open the SQLite results store ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  // better-sqlite3 is synchronous: a transaction's statements run inside one db.transaction.
  const dialect: Dialect = {
    kind: 'sqlite',
    location: path,
    types: { text: 'TEXT', integer: 'INTEGER', real: 'REAL', boolean: 'INTEGER', json: 'TEXT' },
    idColumn: 'id INTEGER PRIMARY KEY AUTOINCREMENT',
    booleanAsInteger: true,
    placeholder: () => '?',
    async transaction(work) {
      const statements: { sql: string; params: unknown[] }[] = [];
      await work(async (sql, params = []) => {
        statements.push({ sql, params });
      });
      db.transaction(() => {
        for (const s of statements) db.prepare(s.sql).run(...s.params);
      })();
    },
    async query(sql, params = []) {
      return db.prepare(sql).all(...params) as Record<string, unknown>[];
    },
    async execute(sql, params = []) {
      return db.prepare(sql).run(...params).changes;
    },
    async columnsIn(table) {
      return (db.prepare('SELECT name FROM pragma_table_info(?)').all(table) as { name: string }[]).map(
        (r) => r.name,
      );
    },
    async close() {
      db.close();
    },
  };
  return new SqlStore(dialect);
}
