import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/bench/store/registry.js';
import { errorCode } from '../../src/core/errors.js';
import { storeContract } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

storeContract('SQLite', () => openStore(join(dir, 'contract', 'bench.db')));

describe('the SQLite results store', () => {
  it('keeps its rows and its migrations across opens', async () => {
    const path = `sqlite:${join(dir, 'reopen.db')}`;
    const first = await openStore(path);
    await first.prepare();
    await first.insert('Coldstart', [{ exp_id: 'e', minutes: 5, seconds: 20, cold: true, final: true }]);
    await first.close();
    const second = await openStore(path);
    await second.prepare();
    expect(await second.select('Coldstart')).toMatchObject([
      { minutes: 5, seconds: 20, cold: true, final: true },
    ]);
    await second.close();
  });

  it('refuses a URL that is no results store, as bad input', async () => {
    const err = await openStore('mysql://root@127.0.0.1/Benchmarks').catch((e) => e);
    expect(errorCode(err)).toBe('DFAAS_ERR_BAD_INPUT');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('--store');
  });
});
