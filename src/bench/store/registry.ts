/**
 * Opens a results store by URL: `postgres://…` or `postgresql://…` is PostgreSQL; `sqlite:PATH`,
 * or a plain path, is a SQLite file. The default is results/bench/bench.db.
 */
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { RESULTS_ROOT } from '../../core/files.js';
import type { ResultsStore } from './contract.js';

export const DEFAULT_STORE = join(RESULTS_ROOT, 'bench', 'bench.db');

export async function openStore(url: string = DEFAULT_STORE): Promise<ResultsStore> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { openPostgresStore } = await import('./postgres.js');
    return openPostgresStore(url);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url))
    throw new ConfigError('command line', [
      {
        field: '--store',
        message: `${url} is not a results store URL: a SQLite file (a path, or sqlite:PATH) or postgres://USER:PASSWORD@HOST:PORT/DATABASE`,
      },
    ]);
  const { openSqliteStore } = await import('./sqlite.js');
  return openSqliteStore(url.replace(/^sqlite:/, ''));
}
