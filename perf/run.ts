/**
 * Runs one of dfaas's own performance measurements: `npm run perf -- NAME [ARGS] [--json [FILE]]`
 * runs perf/NAME.ts (`npm run perf` alone lists them). Each prints its figures and their ratio
 * against a reference measured in the same run; with `--json` the runner also writes the figures
 * it returns (a PerfReport) to FILE, by default results/perf/NAME-TIME.json.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PerfReport } from './lib/report.js';

const name = process.argv[2];
const available = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3))
  .sort();

if (!name || !available.includes(name)) {
  console.error(`usage: npm run perf -- NAME [ARGS] [--json [FILE]]\nperf scripts: ${available.join(', ')}`);
  process.exit(name ? 2 : 0);
}

/** Takes `--json [FILE.json]` out of the script's arguments. */
function jsonTarget(args: string[]): { args: string[]; file?: string } {
  const at = args.indexOf('--json');
  if (at < 0) return { args };
  const next = args[at + 1];
  const explicit = next?.endsWith('.json') ? next : undefined;
  const file = explicit ?? `results/perf/${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  return { args: [...args.slice(0, at), ...args.slice(at + (explicit ? 2 : 1))], file };
}

const { args, file } = jsonTarget(process.argv.slice(3));
const script = (await import(`./${name}.ts`)) as { run: (args: string[]) => Promise<PerfReport | undefined> };
const result = await script.run(args);
if (file) {
  if (!result) {
    console.error(`perf/${name}.ts returns no figures to write as JSON`);
    process.exit(1);
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`figures: ${file}`);
}
