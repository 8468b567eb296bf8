/** `dfaas demo` at work: runs src/demo/'s tour and prints each part as it ends. */
import { runDemo } from '../demo/tour.js';
import type { CliContext } from './io.js';
import { printPart, printResult } from './output.js';
import { createProgress } from './progress.js';
import { progressText } from './sample-run.js';

export interface DemoFlags {
  stack: string;
  out: string;
  sweep: string | false;
  offload: boolean;
}

export async function runDemoCommand(flags: DemoFlags, ctx: CliContext): Promise<void> {
  const progress = createProgress(ctx, 'sweep progress');
  const result = await runDemo(
    { stack: flags.stack, out: flags.out, sweep: flags.sweep, offload: flags.offload, logger: ctx.logger },
    {
      onColdWarm: (tour) =>
        printPart(ctx, () => [
          {
            header: [
              'function',
              'replicas',
              'cold-start ms',
              'cold call ms',
              'warm ms',
              'status',
              'response',
            ],
            rows: tour.results.map((r) => [
              r.function,
              String(r.replicas),
              r.coldStartMs === undefined ? '-' : r.coldStartMs.toFixed(1),
              r.coldMs.toFixed(1),
              r.warmMs.toFixed(1),
              String(r.status),
              excerpt(r.response),
            ]),
          },
          `\ncold and warm calls: ${tour.file}\n`,
        ]),
      onSweepProgress: (p) => progress.update(`  ${progressText(p)}`, { ...p }),
      onSweep: (sweep) => {
        progress.done();
        printPart(ctx, () => `sweep results: ${sweep.results}\nsweep report:  ${sweep.report}\n`);
      },
      onOffload: ({ dir, runs }) =>
        printPart(ctx, () => [
          '\n',
          {
            header: ['strategy', 'requests', 'success %', 'served by peers %', 'refused'],
            rows: runs.map((r) => [
              r.strategy,
              String(r.sent),
              (100 * r.successRate).toFixed(1),
              (100 * r.servedByPeers).toFixed(1),
              Object.entries(r.statuses)
                .map(([status, n]) => `${status}×${n}`)
                .join(' ') || '-',
            ]),
          },
          `three-node offloading (nodes' configs, logs and decisions): ${dir}\n`,
        ]),
    },
  );
  printResult(
    ctx,
    { results: result.results, file: result.file, sweep: result.sweep, offload: result.offload },
    () => '',
  );
}

/** First line with text, cut to 40 characters, so ASCII art and env dumps fit a table cell. */
function excerpt(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}
