/**
 * The results store: where a benchmark run's rows go (docs/bench.md, "Results store"). One
 * contract, two implementations with the same schema: SQLite (./sqlite.ts, the default, a file
 * under results/) and PostgreSQL (./postgres.ts, a server by URL). Tables are declared in code
 * (./tables.ts for faas-benchmarker's, and each experiment's own in its definition) and created
 * by the store, never by hand-written SQL; every statement is parameterised.
 */

/** A column's type, mapped to each database's own (`json` is text in SQLite, jsonb in PostgreSQL). */
export type ColumnType = 'text' | 'integer' | 'real' | 'boolean' | 'json';

export interface TableDefinition {
  /** The table's name, as the reference spells it (`Invocation`, `Cc_bench`, …). */
  readonly name: string;
  /**
   * Columns in order; `id` (an auto-increment key) is added by the store, and `exp_id` (the run
   * a row belongs to) to an experiment's own tables when they do not declare it.
   */
  readonly columns: Readonly<Record<string, ColumnType>>;
  /** Columns whose values are unique in the table (`Invocation.identifier`). */
  readonly unique?: readonly string[];
  /** What the table holds, one line. */
  readonly description: string;
}

/** A row as the store takes and gives it: column name → value (undefined and absent are NULL). */
export type StoreRow = Record<string, unknown>;

export interface ResultsStore {
  /** `sqlite` or `postgres`, and where (a path or a URL without its password). */
  readonly kind: 'sqlite' | 'postgres';
  readonly location: string;
  /**
   * Creates what is missing: the versioned migrations of the reference tables, then `tables`
   * (experiment-specific ones). Safe to call again; a table declared differently from the one
   * in the database is an error naming both.
   */
  prepare(tables?: readonly TableDefinition[]): Promise<void>;
  /**
   * Adds rows to `table` in one transaction. A column the table does not declare is an error
   * (the reference wrote columns its schema lacked, and lost them).
   */
  insert(table: string, rows: readonly StoreRow[]): Promise<void>;
  /** Sets `values` on the rows of `table` matching every `where` column. Returns how many. */
  update(table: string, values: StoreRow, where: StoreRow): Promise<number>;
  /** The rows of `table` matching every `where` column, by `id`. */
  select(table: string, where?: StoreRow): Promise<StoreRow[]>;
  /** The tables the store knows: the reference's and every one `prepare` created. */
  tables(): Promise<TableDefinition[]>;
  close(): Promise<void>;
}
