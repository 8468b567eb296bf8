import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeComparison } from '../../src/sampler/compare.js';
import { writeReport } from '../../src/sampler/report.js';
import { dfaas } from '../helpers/cli.js';

/**
 * report.html and compare.html rebuilt from sweep folders alone (test/fixtures/sampler/runs, see
 * its README): what the run was, the cells not measured, the frontier as far as the rows go.
 */
const RUNS = 'test/fixtures/sampler/runs';

/** A copy of a fixture folder, so the report is written beside it and the fixture stays as it is. */
function copyOf(name: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'dfaas-report-')), name);
  cpSync(join(RUNS, name), dir, { recursive: true });
  return dir;
}

const labelsOf = (html: string, pattern: RegExp) =>
  [...html.matchAll(/aria-label="([^"]*)"/g)].map((m) => m[1] as string).filter((l) => pattern.test(l));

describe('report.html from a sweep folder', () => {
  it('rebuilds an interrupted run: its state, busy baseline, skipped list, and the cells not measured marked', async () => {
    const dir = copyOf('interrupted');
    const before = Object.fromEntries(readdirSync(dir).map((f) => [f, statSync(join(dir, f)).mtimeMs]));
    const html = readFileSync(await writeReport(dir), 'utf8');
    // Nothing but report.html is written.
    for (const [file, mtime] of Object.entries(before)) expect(statSync(join(dir, file)).mtimeMs).toBe(mtime);
    expect(readdirSync(dir).sort()).toEqual([...Object.keys(before), 'report.html'].sort());
    expect(html).toContain('interrupted: rerun the same command to resume');
    expect(html).toMatch(/the node was not idle: CPU 46\.7% of the node's 2 cores/);
    expect(html).toContain(
      '<td>figlet 20 requests/s, shasum 10 requests/s</td><td>cooldown timed out after 20 s',
    );
    // Each of the 4 heatmaps marks the run never made and the skipped one as not measured,
    // out of the colour scale (a dashed white cell), and nothing else.
    const notMeasured = labelsOf(html, /not measured/);
    expect(notMeasured).toHaveLength(8);
    expect(
      notMeasured.filter((l) => l.startsWith('figlet 20 requests/s, shasum 0 requests/s: not measured')),
    ).toHaveLength(4);
    expect(notMeasured.filter((l) => l.includes('(skipped: cooldown timed out'))).toHaveLength(4);
    // Measured cells carry their value, and overloaded ones say so.
    expect(
      labelsOf(
        html,
        /^figlet 10 requests\/s, shasum 10 requests\/s: node CPU \(% of one core\) 33\.\d\d, overloaded/,
      ),
    ).toHaveLength(1);
  });

  it('states the overload frontier only as far as the rows support it', async () => {
    // figlet 10 + shasum 10 overloaded; the heavier figlet 20 + shasum 20 did not.
    const interrupted = readFileSync(await writeReport(copyOf('interrupted')), 'utf8');
    expect(interrupted).toContain('<li>figlet 10 requests/s, shasum 10 requests/s</li>');
    expect(interrupted).toContain(
      '<li>figlet 20 requests/s, shasum 20 requests/s (heavier than figlet 10 requests/s, shasum 10 requests/s)</li>',
    );
    expect(interrupted).not.toContain('Every heavier configuration measured');
    expect(interrupted).not.toMatch(/every heavier one .* will too/);
    // Where every heavier configuration measured did overload, it says that much.
    const finished = readFileSync(await writeReport(copyOf('finished')), 'utf8');
    expect(finished).toContain('<li>shasum 20 requests/s</li>');
    expect(finished).toContain('<li>figlet 20 requests/s, shasum 20 requests/s</li>');
    expect(finished).toContain(
      'Every heavier configuration measured on the same functions overloaded it too.',
    );
    expect(labelsOf(finished, /not measured/)).toEqual([]);
  });

  it('draws the charts with Vega-Lite: axes with units, a legend, the data inline for the browser', async () => {
    const html = readFileSync(await writeReport(copyOf('finished')), 'utf8');
    // 4 charts of the functions alone, 4 heatmaps of the pair (node CPU and RAM, success, latency)
    expect(html.match(/<svg /g)).toHaveLength(8);
    for (const title of [
      'rate (requests/s)',
      'function CPU (% of one core)',
      'function RAM (MiB)',
      'mean latency (ms)',
      'node CPU (% of one core)',
    ])
      expect(html).toContain(title);
    const specs = JSON.parse(
      /<script type="application\/json" id="dfaas-charts">(.*?)<\/script>/s.exec(html)?.[1] ?? '[]',
    );
    expect(specs).toHaveLength(8);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//); // opens offline: no CDN, no remote asset
  });
});

describe('compare of sweep folders', () => {
  it('draws the sweeps side by side and writes the table of their differences', async () => {
    const [finished, interrupted] = [copyOf('finished'), copyOf('interrupted')];
    const out = join(mkdtempSync(join(tmpdir(), 'dfaas-compare-')), 'cmp');
    const result = await writeComparison([finished, interrupted], out);
    expect(result.labels).toEqual(['finished', 'interrupted']);
    expect(result.shared).toBe(13); // interrupted lacks two of the 15 configurations
    const csv = readFileSync(result.differences, 'utf8').split('\r\n');
    expect(csv[0]).toBe('configuration,metric,unit,finished,interrupted,change_interrupted');
    expect(csv).toContain('figlet=20 shasum=20,overloaded,0 or 1,1.000,0.000,-1.000');
    expect(csv).toContain('figlet=10 shasum=10,overloaded,0 or 1,0.000,1.000,1.000');
    // interrupted's node CPU is finished's × 1.1, everywhere.
    const cpu = csv.filter((l) => l.includes(',node_cpu,')).map((l) => l.split(',').map(Number));
    expect(cpu).toHaveLength(13);
    for (const [, , , a, b] of cpu) expect(b as number).toBeCloseTo((a as number) * 1.1, 2);
    const html = readFileSync(result.report, 'utf8');
    expect(html).toContain('<h2>figlet × shasum</h2>');
    expect(html).toContain('1 heavier not overloaded');
    expect(labelsOf(html, /not measured/)).toHaveLength(8); // interrupted's 4 maps only
  });
});

describe('dfaas sample report|compare (in-process)', () => {
  it('rebuild from folders, and refuse what is not a sweep folder (exit 2 naming it)', async () => {
    const dir = copyOf('interrupted');
    const report = await dfaas(['--json', 'sample', 'report', dir]);
    expect(report.code, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout)).toEqual({ report: join(dir, 'report.html') });
    const empty = mkdtempSync(join(tmpdir(), 'dfaas-not-a-sweep-'));
    const bad = await dfaas(['sample', 'report', empty]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${empty} has no results.csv`);
    const one = await dfaas(['sample', 'compare', dir]);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/two or more/);
    const none = await dfaas(['sample']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--config: give the sampler configuration/);
    const out = join(mkdtempSync(join(tmpdir(), 'dfaas-compare-cli-')), 'out');
    const compared = await dfaas(['sample', 'compare', dir, copyOf('finished'), '--out', out]);
    expect(compared.code, compared.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['compare.html', 'differences.csv']);
  });
});
