/**
 * What both stores share: the versioned migrations, the checks that a table and its columns are
 * declared (names are never taken from data), and how values cross into SQL and back. Each
 * database gives its own column types and placeholders (./sqlite.ts, ./postgres.ts).
 */
import { DfaasError } from '../../core/errors.js';
import type { ColumnType, StoreRow, TableDefinition } from './contract.js';
import { REFERENCE_TABLES } from './tables.js';

/** The table recording which migrations a database has had. */
export const MIGRATIONS_TABLE = 'dfaas_migrations';

export interface Migration {
  version: number;
  description: string;
  /** Tables the migration creates (or completes: missing columns are added). */
  tables: readonly TableDefinition[];
}

/**
 * In order; a database gets each one it has not had. A later dfaas adds a version here (never
 * edits an applied one): new tables, or new columns of existing ones.
 */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: "faas-benchmarker's tables, with dfaas's columns", tables: REFERENCE_TABLES },
];

/** A problem with the results store: it cannot be opened, or its schema is not ours. */
export class StoreError extends DfaasError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('DFAAS_ERR_BENCH_STORE', message, {
      ...(options.hint ? { hint: options.hint } : {}),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.name = 'StoreError';
  }
}

/** A quoted identifier; names come from table definitions, never from data, and are checked too. */
export function quote(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new StoreError(`not a table or column name: ${name}`);
  return `"${name}"`;
}

/** The declared columns of `rows` in `table`: an undeclared one is an error naming it. */
export function columnsOf(table: TableDefinition, rows: readonly StoreRow[]): string[] {
  const used = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) used.add(key);
  const undeclared = [...used].filter((c) => !(c in table.columns));
  if (undeclared.length > 0)
    throw new StoreError(`table ${table.name} has no column ${undeclared.join(', ')}`, {
      hint: 'declare the column in the table definition (src/bench/store/tables.ts or the experiment’s tables)',
    });
  return Object.keys(table.columns).filter((c) => used.has(c));
}

/** A JavaScript value as a SQL parameter of a column's type (NaN and undefined are NULL). */
export function toSql(type: ColumnType, value: unknown, booleanAsInteger: boolean): unknown {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'json':
      return JSON.stringify(value);
    case 'boolean':
      return booleanAsInteger ? (value ? 1 : 0) : Boolean(value);
    case 'integer':
    case 'real': {
      const n = Number(value);
      return Number.isFinite(n) ? (type === 'integer' ? Math.round(n) : n) : null;
    }
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** A SQL value back as JavaScript (booleans and JSON as stored; numbers as numbers). */
export function fromSql(type: ColumnType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'boolean') return value === true || value === 1 || value === '1';
  if (type === 'json') return typeof value === 'string' ? JSON.parse(value) : value;
  if (type === 'integer' || type === 'real') return Number(value);
  return value;
}

/** A row read from `table`, each declared column converted back; `id` kept. */
export function rowFromSql(table: TableDefinition, raw: Record<string, unknown>): StoreRow {
  const row: StoreRow = { id: Number(raw.id) };
  for (const [name, type] of Object.entries(table.columns)) row[name] = fromSql(type, raw[name]);
  return row;
}
