/**
 * The results store over any SQL database: migrations, declared tables, parameterised inserts,
 * updates and selects. What differs between SQLite and PostgreSQL (types, placeholders, how a
 * statement runs, how columns are listed) is a Dialect; ./sqlite.ts and ./postgres.ts give theirs.
 */
import type { ColumnType, ResultsStore, StoreRow, TableDefinition } from './contract.js';
import { columnsOf, MIGRATIONS, MIGRATIONS_TABLE, quote, rowFromSql, StoreError, toSql } from './schema.js';
import { REFERENCE_TABLES } from './tables.js';

export interface Dialect {
  readonly kind: ResultsStore['kind'];
  readonly location: string;
  /** The database's type for a column type. */
  readonly types: Readonly<Record<ColumnType, string>>;
  /** The auto-increment key column's definition. */
  readonly idColumn: string;
  /** SQLite has no boolean: 0 and 1. */
  readonly booleanAsInteger: boolean;
  /** The placeholder of the i-th parameter (from 1). */
  placeholder(i: number): string;
  /** Runs statements in one transaction; `run` runs one statement of it. */
  transaction(
    work: (run: (sql: string, params?: unknown[]) => Promise<void>) => Promise<void>,
  ): Promise<void>;
  /** Rows of one query. */
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Runs one statement; how many rows it changed. */
  execute(sql: string, params?: unknown[]): Promise<number>;
  /** The columns a table has in the database (empty when it does not exist). */
  columnsIn(table: string): Promise<string[]>;
  close(): Promise<void>;
}

/** The definitions of the tables experiments declared, as the store created them. */
const DECLARED_TABLES = 'dfaas_tables';

/** Rows per INSERT statement (PostgreSQL takes at most 65,535 parameters in one). */
const ROWS_PER_STATEMENT = 200;

export class SqlStore implements ResultsStore {
  readonly kind: ResultsStore['kind'];
  readonly location: string;
  private readonly known = new Map<string, TableDefinition>(REFERENCE_TABLES.map((t) => [t.name, t]));

  constructor(private readonly db: Dialect) {
    this.kind = db.kind;
    this.location = db.location;
  }

  async prepare(tables: readonly TableDefinition[] = []): Promise<void> {
    await this.db.execute(
      `CREATE TABLE IF NOT EXISTS ${quote(MIGRATIONS_TABLE)} (version ${this.db.types.integer} PRIMARY KEY, description ${this.db.types.text}, applied_at ${this.db.types.text})`,
    );
    const applied = new Set(
      (await this.db.query(`SELECT version FROM ${quote(MIGRATIONS_TABLE)}`)).map((r) => Number(r.version)),
    );
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      await this.db.transaction(async (run) => {
        for (const table of migration.tables) await this.createOrComplete(table, run);
        await run(
          `INSERT INTO ${quote(MIGRATIONS_TABLE)} (version, description, applied_at) VALUES (${this.db.placeholder(1)}, ${this.db.placeholder(2)}, ${this.db.placeholder(3)})`,
          [migration.version, migration.description, new Date().toISOString()],
        );
      });
    }
    await this.db.execute(
      `CREATE TABLE IF NOT EXISTS ${quote(DECLARED_TABLES)} (name ${this.db.types.text} PRIMARY KEY, definition ${this.db.types.text})`,
    );
    for (const declared of tables) {
      // Every row belongs to a run: an experiment's table gets exp_id first, as the reference's have.
      const table =
        'exp_id' in declared.columns
          ? declared
          : { ...declared, columns: { exp_id: 'text' as const, ...declared.columns } };
      const known = this.known.get(table.name);
      if (known && REFERENCE_TABLES.includes(known))
        throw new StoreError(
          `table ${table.name} is one of the reference's; an experiment cannot redeclare it`,
        );
      await this.db.transaction(async (run) => {
        await this.createOrComplete(table, run);
        await run(
          `INSERT INTO ${quote(DECLARED_TABLES)} (name, definition) VALUES (${this.db.placeholder(1)}, ${this.db.placeholder(2)}) ON CONFLICT (name) DO UPDATE SET definition = excluded.definition`,
          [table.name, JSON.stringify(table)],
        );
      });
      this.known.set(table.name, table);
    }
    // Tables experiments declared in earlier runs (a file from `bench create`, a later dfaas):
    // known from the database, so that export and report find them.
    for (const row of await this.db.query(`SELECT definition FROM ${quote(DECLARED_TABLES)}`)) {
      const table = JSON.parse(String(row.definition)) as TableDefinition;
      if (!this.known.has(table.name)) this.known.set(table.name, table);
    }
  }

  /** Creates `table`, or adds the columns its declaration has and the database lacks. */
  private async createOrComplete(
    table: TableDefinition,
    run: (sql: string, params?: unknown[]) => Promise<void>,
  ): Promise<void> {
    const existing = await this.db.columnsIn(table.name);
    const column = (name: string, type: ColumnType) => `${quote(name)} ${this.db.types[type]}`;
    if (existing.length === 0) {
      const defs = [
        this.db.idColumn,
        ...Object.entries(table.columns).map(([n, t]) => column(n, t)),
        ...(table.unique ?? []).map((c) => `UNIQUE (${quote(c)})`),
      ];
      await run(`CREATE TABLE ${quote(table.name)} (${defs.join(', ')})`);
      return;
    }
    for (const [name, type] of Object.entries(table.columns))
      if (!existing.includes(name))
        await run(`ALTER TABLE ${quote(table.name)} ADD COLUMN ${column(name, type)}`);
  }

  private table(name: string): TableDefinition {
    const table = this.known.get(name);
    if (!table)
      throw new StoreError(`no table ${name} in the results store`, {
        hint: `known tables: ${[...this.known.keys()].join(', ')}`,
      });
    return table;
  }

  async insert(tableName: string, rows: readonly StoreRow[]): Promise<void> {
    if (rows.length === 0) return;
    const table = this.table(tableName);
    const columns = columnsOf(table, rows);
    await this.db.transaction(async (run) => {
      for (let at = 0; at < rows.length; at += ROWS_PER_STATEMENT) {
        const chunk = rows.slice(at, at + ROWS_PER_STATEMENT);
        const params: unknown[] = [];
        const tuples = chunk.map((row) => {
          const marks = columns.map((c) => {
            params.push(toSql(table.columns[c] as ColumnType, row[c], this.db.booleanAsInteger));
            return this.db.placeholder(params.length);
          });
          return `(${marks.join(', ')})`;
        });
        await run(
          `INSERT INTO ${quote(table.name)} (${columns.map(quote).join(', ')}) VALUES ${tuples.join(', ')}`,
          params,
        );
      }
    });
  }

  /** `WHERE` over declared columns and `id`, NULL matched with IS NULL; its parameters follow `offset`. */
  private where(table: TableDefinition, where: StoreRow, offset: number): { sql: string; params: unknown[] } {
    const { id, ...rest } = where;
    const types: Record<string, ColumnType> = { ...table.columns, id: 'integer' };
    const columns = [...columnsOf(table, [rest]), ...(id === undefined ? [] : ['id'])];
    const params: unknown[] = [];
    const terms = columns.map((c) => {
      const value = toSql(types[c] as ColumnType, where[c], this.db.booleanAsInteger);
      if (value === null) return `${quote(c)} IS NULL`;
      params.push(value);
      return `${quote(c)} = ${this.db.placeholder(offset + params.length)}`;
    });
    return { sql: terms.length > 0 ? ` WHERE ${terms.join(' AND ')}` : '', params };
  }

  async update(tableName: string, values: StoreRow, where: StoreRow): Promise<number> {
    const table = this.table(tableName);
    const columns = columnsOf(table, [values]);
    if (columns.length === 0) return 0;
    const params = columns.map((c) =>
      toSql(table.columns[c] as ColumnType, values[c], this.db.booleanAsInteger),
    );
    const set = columns.map((c, i) => `${quote(c)} = ${this.db.placeholder(i + 1)}`).join(', ');
    const filter = this.where(table, where, params.length);
    return this.db.execute(`UPDATE ${quote(table.name)} SET ${set}${filter.sql}`, [
      ...params,
      ...filter.params,
    ]);
  }

  async select(tableName: string, where: StoreRow = {}): Promise<StoreRow[]> {
    const table = this.table(tableName);
    const filter = this.where(table, where, 0);
    const raw = await this.db.query(
      `SELECT * FROM ${quote(table.name)}${filter.sql} ORDER BY id`,
      filter.params,
    );
    return raw.map((r) => rowFromSql(table, r));
  }

  async tables(): Promise<TableDefinition[]> {
    return [...this.known.values()];
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
