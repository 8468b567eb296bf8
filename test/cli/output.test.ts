import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { formatTable, printPart, printResult } from '../../src/cli/output.js';
import { createProgress } from '../../src/cli/progress.js';
import { createLogger } from '../../src/core/logger.js';

function captured(stderrTTY = false) {
  const out = { stdout: '', stderr: '' };
  const io: CliIo = {
    stdout: { write: (s: string) => (out.stdout += s) },
    stderr: { write: (s: string) => (out.stderr += s), isTTY: stderrTTY },
  };
  return { io, out };
}

describe('printResult', () => {
  it('prints the data as one JSON line with --json, else the tables and text for a person', () => {
    const data = { rows: [{ name: 'a', n: 1 }] };
    const human = () => [{ header: ['name', 'n'], rows: [['a', '1']] }, '\nnote\n'];
    const json = captured();
    printResult({ io: json.io, json: true }, data, human);
    expect(JSON.parse(json.out.stdout)).toEqual(data);
    const text = captured();
    printResult({ io: text.io, json: false }, data, human);
    expect(text.out.stdout).toBe('name  n\n----  -\na     1\n\nnote\n');
    printPart({ io: json.io, json: true }, () => 'part');
    expect(json.out.stdout).toBe(`${JSON.stringify(data)}\n`);
  });

  it('pads columns and right-aligns the numeric ones', () => {
    expect(
      formatTable(
        ['fn', 'ms'],
        [
          ['figlet', '12.5'],
          ['sleep', '-'],
        ],
      ),
    ).toBe('fn        ms\n------  ----\nfiglet  12.5\nsleep      -\n');
  });
});

describe('createProgress', () => {
  it('rewrites one line in place on a terminal, and ends it', () => {
    const { io, out } = captured(true);
    const logger = createLogger({ level: 'info', json: true, write: (l) => io.stderr.write(l) });
    const progress = createProgress({ io, json: false, logger }, 'progress');
    progress.update('1 done', { done: 1 });
    progress.update('2 done', { done: 2 });
    progress.done();
    expect(out.stderr).toBe('\r1 done   \r2 done   \n');
  });

  it('writes JSON lines when stderr is not a terminal, or with --json', () => {
    for (const [tty, json] of [
      [false, false],
      [true, true],
    ] as const) {
      const { io, out } = captured(tty);
      const logger = createLogger({ level: 'info', json: true, write: (l) => io.stderr.write(l) });
      const progress = createProgress({ io, json, logger }, 'load progress');
      progress.update('1 done', { done: 1 });
      progress.done();
      const lines = out.stderr
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines).toEqual([expect.objectContaining({ level: 'info', message: 'load progress', done: 1 })]);
    }
  });
});
