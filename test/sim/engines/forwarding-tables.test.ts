import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  forwardingTableCsv,
  readForwardingTables,
  tablePath,
  writeForwardingTables,
} from '../../../src/sim/engines/forwarding-tables.js';
import type { RoundsInstant } from '../../../src/sim/engines/rounds-result.js';
import { configError } from '../../helpers/config-error.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-fwd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 11 nodes, so that the columns sort as Python's sorted(): node_0, node_1, node_10, node_2, …
const ids = Array.from({ length: 11 }, (_, i) => `node_${i}`);

describe('the framework forwarding tables', () => {
  it('are written as pandas to_csv(sep="\\t") writes them: rows in node order, columns sorted as strings', () => {
    const csv = forwardingTableCsv({ node_0: { node_0: 190, node_10: 24 }, node_2: { node_2: 5 } }, ids);
    const lines = csv.split('\n');
    expect(lines[0]).toBe(
      '\tnode_0\tnode_1\tnode_10\tnode_2\tnode_3\tnode_4\tnode_5\tnode_6\tnode_7\tnode_8\tnode_9',
    );
    expect(lines[1]).toBe('node_0\t190\t0\t24\t0\t0\t0\t0\t0\t0\t0\t0');
    expect(lines[2]).toBe('node_1\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0');
    expect(lines[3]).toBe('node_2\t0\t0\t0\t5\t0\t0\t0\t0\t0\t0\t0');
    expect(lines).toHaveLength(13); // header, 11 rows, the final newline
  });

  it('round-trip with the refusals beside them', () => {
    const instants: RoundsInstant[] = [
      { forwarding: { figlet: { node_0: { node_0: 3, node_1: 2 } } }, refused: { figlet: { node_0: 1 } } },
      { forwarding: { figlet: { node_1: { node_1: 4 } } }, refused: {} },
    ];
    writeForwardingTables(dir, 'node-margin', instants, ['figlet', 'curl'], ['node_0', 'node_1']);
    expect(readFileSync(tablePath(dir, 'node-margin', 1, 'curl'), 'utf8')).toBe(
      '\tnode_0\tnode_1\nnode_0\t0\t0\nnode_1\t0\t0\n',
    );
    const back = readForwardingTables(dir, 'node-margin', 2, ['figlet', 'curl']);
    expect(back[0]).toEqual({
      forwarding: {
        figlet: { node_0: { node_0: 3, node_1: 2 }, node_1: {} },
        curl: { node_0: {}, node_1: {} },
      },
      refused: { figlet: { node_0: 1 } },
    });
    expect(back[1]?.forwarding.figlet?.node_1).toEqual({ node_1: 4 });
  });

  it('a missing or malformed table is a ConfigError naming the file and the line', () => {
    expect(configError(() => readForwardingTables(dir, 'base', 1, ['figlet'])).message).toMatch(/missing/);
    const file = tablePath(dir, 'node-margin', 0, 'figlet');
    writeFileSync(file, '\tnode_0\tnode_1\nnode_0\t3\t-1\n');
    const err = configError(() => readForwardingTables(dir, 'node-margin', 2, ['figlet']));
    expect(err.source).toBe(file);
    expect(err.issues[0]?.field).toBe('line 2');
  });
});
