import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CSV_EOL, floatCell } from '../../src/dataset/cells.js';
import {
  type FunctionResult,
  type NodeResult,
  parseResults,
  type ResultRow,
  ratesOf,
  readResults,
  resultsHeader,
  resultsHeaderKeys,
  resultsLine,
} from '../../src/dataset/results.js';
import {
  INDEX_HEADER,
  type IndexRow,
  indexLine,
  LEGACY_SKIPPED_HEADER,
  readIndex,
  readSkipped,
  type SkippedRow,
  skippedHeader,
  skippedLine,
} from '../../src/dataset/sweep-lists.js';
import { cutPartialLastLine, readDoneRows } from '../../src/sampler/resume.js';
import { expectBadInput, functionName, runs, scratchDir } from '../helpers/property.js';

/**
 * The sampler's files (src/dataset/results.ts, sweep-lists.ts) are written by one writer and read
 * by one reader: what the writer writes reads back (with the cells' documented formatting), and
 * any other text is read or refused with a DatasetFormatError naming the file and line, never
 * with another exception and never with rows lost or invented.
 */

const scratch = scratchDir('dataset-property');
afterAll(() => scratch.remove());

const DATASET_FORMAT = 'DFAAS_ERR_DATASET_FORMAT';

/** Any figure a measurement can produce: NaN (not measured), ±Infinity, integers, fractions. */
const figure = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.double({ min: -1e6, max: 1e6 }),
  fc.constant(Number.NaN),
);
const rate = fc.oneof(fc.nat({ max: 1000 }), fc.double({ min: 0, max: 1e6, noNaN: true }));

const functionResult = (name: string): fc.Arbitrary<FunctionResult> =>
  fc.record({
    name: fc.constant(name),
    rate,
    successRate: figure,
    cpuPct: figure,
    ramBytes: figure,
    powerMicrowatts: figure,
    replicas: fc.oneof(fc.nat({ max: 50 }), fc.constant(Number.NaN)),
    overloaded: fc.boolean(),
    meanLatencyMs: figure,
  });

const nodeResult: fc.Arbitrary<NodeResult> = fc.record({
  idleCpuPct: figure,
  cpuPct: figure,
  idleRamBytes: figure,
  ramBytes: figure,
  idleRamPct: figure,
  ramPct: figure,
  idlePowerMicrowatts: figure,
  powerMicrowatts: figure,
  restSeconds: figure,
  overloaded: fc.boolean(),
});

/** A sweep's function names (sorted, as the sampler writes them) and rows over subsets of them. */
const resultsFile = fc
  .uniqueArray(functionName(), { minLength: 1, maxLength: 4 })
  .map((names) => names.sort())
  .chain((names) =>
    fc.record({
      names: fc.constant(names),
      rows: fc.array(
        fc.record({
          functions: fc
            .subarray(names, { minLength: 1 })
            .chain((subset) => fc.tuple(...subset.map(functionResult))),
          node: nodeResult,
        }),
        { maxLength: 12 },
      ),
    }),
  );

/** A rate as a cell keeps it (documented in src/dataset/cells.ts): integers exactly, others to 3 decimals. */
function asWrittenRate(v: number): number {
  if (Number.isInteger(v)) return v + 0; // "0" is written for -0
  const read = Number(v.toFixed(3));
  expect(Math.abs(read - v)).toBeLessThanOrEqual(0.0005 + Math.abs(v) * 1e-15);
  return read;
}

/** A figure as the reference writes it (`%.3f`): 3 decimals, nan, ±inf, -0.000 kept. */
function asWrittenFloat(v: number): number {
  const read = Number.isNaN(v) ? Number.NaN : Number(floatCell(v).replace(/inf$/, 'Infinity'));
  if (Number.isFinite(v)) expect(Math.abs(read - v)).toBeLessThanOrEqual(0.0005 + Math.abs(v) * 1e-15);
  return read;
}

/** A whole-number figure (replicas, latency, rest) as the reference writes it (`int()`): truncated, nan when not finite. */
function asWrittenInt(v: number): number {
  return Number.isFinite(v) ? Math.trunc(v) + 0 : Number.NaN;
}

function asWrittenRow(names: string[], row: ResultRow): ResultRow {
  const byName = new Map(row.functions.map((f) => [f.name, f]));
  const n = row.node;
  return {
    // Read back in column order, which is name order.
    functions: names.flatMap((name) => {
      const f = byName.get(name);
      return f
        ? [
            {
              ...f,
              rate: asWrittenRate(f.rate),
              successRate: asWrittenFloat(f.successRate),
              cpuPct: asWrittenFloat(f.cpuPct),
              ramBytes: asWrittenFloat(f.ramBytes),
              powerMicrowatts: asWrittenFloat(f.powerMicrowatts),
              replicas: asWrittenInt(f.replicas),
              meanLatencyMs: asWrittenInt(f.meanLatencyMs),
            },
          ]
        : [];
    }),
    node: {
      ...n,
      idleCpuPct: asWrittenFloat(n.idleCpuPct),
      cpuPct: asWrittenFloat(n.cpuPct),
      idleRamBytes: asWrittenFloat(n.idleRamBytes),
      ramBytes: asWrittenFloat(n.ramBytes),
      idleRamPct: asWrittenFloat(n.idleRamPct),
      ramPct: asWrittenFloat(n.ramPct),
      idlePowerMicrowatts: asWrittenFloat(n.idlePowerMicrowatts),
      powerMicrowatts: asWrittenFloat(n.powerMicrowatts),
      restSeconds: asWrittenInt(n.restSeconds),
    },
  };
}

/** The lines the reader must turn into rows: every non-blank line after the first (the header). */
function dataLineCount(text: string): number {
  return Math.max(0, text.split('\n').filter((l) => l.replace(/\r$/, '').trim() !== '').length - 1);
}

/** A cell as the writer writes numbers: a decimal (sign, exponent), an infinity, `nan` or empty. */
const NUMBER_CELL = /^([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|[-+]?inf(inity)?|nan|)$/i;

/**
 * What any text may give: rows, one per data line, each line with the header's cells, names, usable
 * rates and every number cell a number as the writer writes one (never ` ` or `0x10`, which
 * `Number` reads as 0 and 16); or a DatasetFormatError naming the file and a data line.
 */
function expectResultsContract(text: string, source: string): void {
  let rows: ResultRow[];
  try {
    rows = parseResults(text, source);
  } catch (err) {
    expectBadInput(err, DATASET_FORMAT, `${source}:`);
    const rest = err.message.slice(source.length);
    const line = /^:(\d+): /.exec(rest)?.[1];
    if (line === undefined) {
      expect(rest).toMatch(/^: not a sampler results.csv/);
      return;
    }
    // A bad row names a data line of the text: a non-blank line after the header.
    const lines = text.split('\n');
    const headerLine = lines.findIndex((l) => l.replace(/\r$/, '').trim() !== '') + 1;
    expect(Number(line)).toBeGreaterThan(headerLine);
    expect(lines[Number(line) - 1]?.trim()).not.toBe('');
    return;
  }
  expect(rows).toHaveLength(dataLineCount(text));
  const [header = '', ...lines] = text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '');
  // The columns read as numbers: those of the sampler's header for its functions (others are ignored).
  const columns = header.split(',');
  const { keys } = resultsHeaderKeys(columns);
  const nameColumns = new Set(keys.map((k) => `function_${k}`));
  const numberColumns = new Set(resultsHeader(keys).filter((c) => !nameColumns.has(c)));
  for (const line of lines) {
    const cells = line.split(',');
    expect(cells).toHaveLength(columns.length);
    for (const [i, column] of columns.entries())
      if (numberColumns.has(column)) expect(cells[i]).toMatch(NUMBER_CELL);
  }
  for (const row of rows) {
    for (const f of row.functions) {
      expect(f.name).not.toBe('');
      expect(Number.isFinite(f.rate) && f.rate >= 0).toBe(true);
    }
  }
}

/** Text of a cell that may or may not be a number. */
const cellText = fc.oneof(
  figure.map(String),
  fc.constantFrom('', 'nan', 'NaN', '-1', '1e3', ' ', '0x10', 'true', '"1"'),
  functionName(),
  fc.string({ maxLength: 6 }).filter((s) => !s.includes('\n')),
);
const lineEnd = fc.constantFrom('\n', '\r\n', '\n\n');
/** The header of a sweep's functions: the reference's (named) or dfaas's older (numbered). */
const anyHeader = fc.oneof(
  fc.nat({ max: 4 }).map((n) => resultsHeader(n + 1)),
  fc.uniqueArray(functionName(), { minLength: 1, maxLength: 4 }).map((names) => resultsHeader(names.sort())),
);

describe('results.csv, property-based', () => {
  it('rows written by resultsLine read back equal, with the cells’ formatting', () => {
    fc.assert(
      fc.property(resultsFile, lineEnd, ({ names, rows }, eol) => {
        const lines = [resultsHeader(names).join(','), ...rows.map((r) => resultsLine(names, r))];
        const path = scratch.write('results.csv', `${lines.join(eol)}${eol}`);
        expect(readResults(path)).toEqual(rows.map((r) => asWrittenRow(names, r)));
      }),
      runs(150),
    );
  });

  it('any text is read one row per data line, or refused naming the file and line', () => {
    const header = anyHeader;
    // Rows of the header's width (which a reader may take) or of any width (which it must refuse).
    const csvish = fc
      .oneof(header, fc.array(cellText, { maxLength: 6 }))
      .chain((head) =>
        fc.tuple(
          fc.constant(head.join(',')),
          fc.array(
            fc
              .oneof(
                fc.array(cellText, { minLength: head.length, maxLength: head.length }),
                fc.array(cellText, { maxLength: 30 }),
              )
              .map((c) => c.join(',')),
            { maxLength: 8 },
          ),
          lineEnd,
        ),
      )
      .map(([head, lines, eol]) => [head, ...lines].join(eol));
    // A valid file cut short or with bytes inserted anywhere (a crash mid-write, a bad edit).
    const damaged = fc
      .tuple(resultsFile, fc.nat(), fc.string({ unit: 'binary', maxLength: 8 }))
      .map(([{ names, rows }, at, junk]) => {
        const text = `${[resultsHeader(names).join(','), ...rows.map((r) => resultsLine(names, r))].join(CSV_EOL)}${CSV_EOL}`;
        const cut = at % (text.length + 1);
        return at % 2 === 0 ? text.slice(0, cut) : text.slice(0, cut) + junk + text.slice(cut);
      });
    fc.assert(
      fc.property(fc.oneof(csvish, damaged, fc.string({ unit: 'binary' })), (text) => {
        expectResultsContract(text, 'sweep/results.csv');
      }),
      runs(400),
    );
  });

  it('a number cell of a written row replaced by text Number reads but that is not a decimal is refused, naming the line', () => {
    const notDecimal = fc.constantFrom(' ', '  ', '0x10', '0X1f', '0b1', '0o7', ' 1', '1 ', '\t2', '\u00a03');
    fc.assert(
      fc.property(resultsFile, fc.nat(), fc.nat(), notDecimal, ({ names, rows }, r, c, text) => {
        fc.pre(rows.length > 0);
        const header = resultsHeader(names);
        const nameColumns = new Set(names.map((n) => `function_${n}`));
        const numberColumns = header.flatMap((column, i) => (nameColumns.has(column) ? [] : [i]));
        const lines = rows.map((row) => resultsLine(names, row));
        const at = r % lines.length;
        const cells = (lines[at] as string).split(',');
        const column = numberColumns[c % numberColumns.length] as number;
        expect(Number.isFinite(Number(text))).toBe(true); // what Number would have read
        cells[column] = text;
        lines[at] = cells.join(',');
        const source = 'sweep/results.csv';
        const csv = `${[header.join(','), ...lines].join('\n')}\n`;
        let err: unknown;
        try {
          parseResults(csv, source);
        } catch (e) {
          err = e;
        }
        expectBadInput(err, DATASET_FORMAT, `${source}:${at + 2}: `);
        expect(err.message).toContain(`"${text}"`);
      }),
      runs(150),
    );
  });
});

describe('index.csv and skipped.csv, property-based', () => {
  const rates = fc.dictionary(
    functionName(),
    rate.map((r) => r + 0),
    {
      minKeys: 1,
      maxKeys: 4,
      noNullPrototype: true,
    },
  );
  // A reason is one line of text (the sampler's own messages); `;` is allowed in it.
  const reason = fc.string({ unit: 'binary', maxLength: 60 }).filter((s) => !/[\r\n]/.test(s));

  it('rows written by indexLine and skippedLine read back equal', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ rates, resultsFile: reason }), { maxLength: 10 }),
        fc.array(fc.record({ rates, reason }), { maxLength: 10 }),
        (index: IndexRow[], skipped: SkippedRow[]) => {
          const indexPath = scratch.write(
            'index.csv',
            `${[INDEX_HEADER, ...index.map(indexLine)].join('\n')}\n`,
          );
          // The sweep's functions: those of the rows, or one when there are none (a header names one at least).
          const names = [...new Set(skipped.flatMap((r) => Object.keys(r.rates)))].sort();
          const all = names.length > 0 ? names : ['a'];
          const skippedPath = scratch.write(
            'skipped.csv',
            `${[skippedHeader(all), ...skipped.map((r) => skippedLine(all, r))].join(CSV_EOL)}${CSV_EOL}`,
          );
          expect(readIndex(indexPath)).toEqual(index);
          expect(readSkipped(skippedPath)).toEqual(skipped);
        },
      ),
      runs(150),
    );
  });

  it('any text is read one row per data line with finite rates, or refused naming the file and line', () => {
    const NAMES = ['a', 'figlet'];
    const listLine = fc.oneof(
      fc
        .record({
          rates: fc.dictionary(fc.constantFrom(...NAMES), rate, { minKeys: 1, noNullPrototype: true }),
          reason,
        })
        .map((r) => skippedLine(NAMES, r)),
      fc
        .array(fc.oneof(cellText, fc.constantFrom('a', 'figlet', '"', '""')), { maxLength: 6 })
        .map((cells) => cells.join(',')),
      fc
        .array(fc.oneof(cellText, fc.constantFrom(';', ',', ';;')), { maxLength: 8 })
        .map((parts) => parts.join('')),
      // The shape of a line with doubtful pieces: empty or repeated names, rates of any text, fields missing.
      fc
        .tuple(
          fc.array(fc.oneof(functionName(), fc.constantFrom('', 'figlet')), { minLength: 1, maxLength: 3 }),
          fc.array(cellText, { minLength: 1, maxLength: 3 }),
          fc.option(reason),
        )
        .map(
          ([names, texts, why]) => `${names.join(',')};${texts.join(',')}${why === null ? '' : `;${why}`}`,
        ),
    );
    const text = fc
      .tuple(
        fc.constantFrom(LEGACY_SKIPPED_HEADER, skippedHeader(NAMES), INDEX_HEADER, 'functions;rates', ''),
        fc.array(listLine, { maxLength: 8 }),
        lineEnd,
      )
      .map(([head, lines, eol]) => [head, ...lines].join(eol));
    fc.assert(
      fc.property(fc.oneof(text, fc.string({ unit: 'binary' })), (content) => {
        const path = scratch.write('skipped.csv', content);
        let rows: SkippedRow[];
        try {
          rows = readSkipped(path);
        } catch (err) {
          expectBadInput(err, DATASET_FORMAT, `${path} line `);
          return;
        }
        expect(rows).toHaveLength(dataLineCount(content));
        const [header, ...lines] = content
          .split('\n')
          .map((l) => l.replace(/\r$/, ''))
          .filter((l) => l.trim() !== '');
        if (header !== LEGACY_SKIPPED_HEADER) {
          // The reference's columns: each row names some of the header's functions, each with a rate of 0 or more.
          const named = [...(header ?? '').matchAll(/(?:^|,)function_([^,]+)/g)].map((m) => m[1]);
          for (const row of rows) {
            expect(Object.keys(row.rates).length).toBeGreaterThan(0);
            for (const [name, r] of Object.entries(row.rates)) {
              expect(named).toContain(name);
              expect(Number.isFinite(r) && r >= 0).toBe(true);
            }
          }
          return;
        }
        for (const [i, row] of rows.entries()) {
          // Each line had three fields, names not empty and each once, as many decimal rates of 0 or more.
          const [names = '', texts = '', ...rest] = (lines[i] as string).split(';');
          expect(rest.length).toBeGreaterThan(0);
          expect(Object.keys(row.rates).sort()).toEqual(names.split(',').sort());
          for (const text of texts.split(',')) {
            expect(text).toMatch(/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/);
            expect(Number(text)).toBeGreaterThanOrEqual(0);
          }
          for (const r of Object.values(row.rates)) expect(Number.isFinite(r) && r >= 0).toBe(true);
          expect(Object.keys(row.rates).length).toBeGreaterThan(0);
        }
      }),
      runs(400),
    );
  });
});

/**
 * A crash during a sweep cuts the file being appended to at any byte (UTF-8 sequences too). On
 * resume the sampler removes the cut last line before it reads (src/sampler/resume.ts), so the
 * strict readers never see it: the sweep resumes with the rows whose line end was written. Read
 * as it is (`dfaas forecast train` on a crashed sweep's folder), a cut row is refused, naming the
 * line and saying it has no line end, never read as a row with a wrong figure.
 */
describe('a sweep’s files cut by a crash, property-based', () => {
  /** The written text cut after `at` (modulo its length) bytes, and how many of its lines are whole. */
  function crash(lines: string[], at: number): { bytes: Buffer; whole: number; partial: string } {
    const full = Buffer.from(lines.map((l) => `${l}${CSV_EOL}`).join(''));
    const bytes = full.subarray(0, at % (full.length + 1));
    const text = bytes.toString('utf8');
    return { bytes, whole: text.split('\n').length - 1, partial: text.slice(text.lastIndexOf('\n') + 1) };
  }

  it('results.csv: resume reads the whole rows; read as it is, a cut row is refused naming its line', () => {
    fc.assert(
      fc.property(resultsFile, fc.nat(), ({ names, rows }, at) => {
        const header = resultsHeader(names).join(',');
        const lines = [header, ...rows.map((r) => resultsLine(names, r))];
        const { bytes, whole, partial } = crash(lines, at);
        const path = scratch.write('results.csv', bytes);
        const wholeRows = rows.slice(0, Math.max(0, whole - 1)).map((r) => asWrittenRow(names, r));
        if (whole > 0) {
          if (partial === '') expect(readResults(path)).toEqual(wholeRows);
          else if (partial.replace(/\r$/, '') === lines[whole])
            // Cut just before its line end (or in it, after the \r): a whole row.
            expect(readResults(path)).toEqual([
              ...wholeRows,
              asWrittenRow(names, rows[whole - 1] as ResultRow),
            ]);
          else {
            let err: unknown;
            try {
              readResults(path);
            } catch (e) {
              err = e;
            }
            expectBadInput(err, DATASET_FORMAT, `${path}:${whole + 1}: `);
            expect(err.message).toContain('no line end');
          }
        }
        // What the sampler does on resume: the cut line removed, the whole rows read.
        expect(readDoneRows(path, names).rows).toEqual(wholeRows.map(ratesOf));
        if (whole > 0) expect(readResults(path)).toEqual(wholeRows);
      }),
      runs(200),
    );
  });

  it('skipped.csv: resume reads the whole lines, the cut one dropped, never an error', () => {
    const skippedRow = fc.record({
      rates: fc.dictionary(
        functionName(),
        rate.map((r) => r + 0),
        { minKeys: 1, maxKeys: 4, noNullPrototype: true },
      ),
      reason: fc.string({ unit: 'binary', maxLength: 60 }).filter((s) => !/[\r\n]/.test(s)),
    });
    fc.assert(
      fc.property(fc.array(skippedRow, { maxLength: 8 }), fc.nat(), (rows, at) => {
        const names = [...new Set(rows.flatMap((r) => Object.keys(r.rates)))].sort();
        const all = names.length > 0 ? names : ['a'];
        const { bytes, whole } = crash([skippedHeader(all), ...rows.map((r) => skippedLine(all, r))], at);
        const path = scratch.write('skipped.csv', bytes);
        // What the runner does on resume (src/sampler/runner.ts): cut, then read.
        cutPartialLastLine(path);
        expect(readSkipped(path)).toEqual(rows.slice(0, Math.max(0, whole - 1)));
      }),
      runs(200),
    );
  });
});
