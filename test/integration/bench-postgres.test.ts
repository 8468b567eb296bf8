import { afterAll, beforeAll, describe } from 'vitest';
import { openStore } from '../../src/bench/store/registry.js';
import { storeContract } from '../bench/store-contract.js';
import { postgresBinaries, type RunningPostgres, startPostgres } from '../helpers/postgres.js';

/** The results store on a real PostgreSQL (Debian's, started by the test on a free loopback port). */
const binaries = postgresBinaries();

describe.runIf(binaries)('bench on PostgreSQL', () => {
  let server: RunningPostgres;
  beforeAll(async () => {
    server = await startPostgres(binaries as NonNullable<typeof binaries>);
  }, 60_000);
  afterAll(() => server?.stop());

  storeContract('PostgreSQL', () => openStore(server.url));
});
